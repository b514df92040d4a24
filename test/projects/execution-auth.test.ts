// With projects on, every execution route needs a project key (401 without or with an unknown one, 403
// for a revoked one), runs in the key's project (its id in metrics and logs, never the key), and a key
// revoked while one of its executions runs stops new executions at once. Real engine, real HTTP.
import { describe, expect, it } from 'vitest';
import { admin, bearer, createProject, execute, HELLO, useProjectsApp } from './helpers.js';
import { busy } from '../server/helpers.js';

const DIFY = { apiKey: 'dify-static-key', packages: [], timeoutS: 5, maxRequests: 10, allowHosts: [] };

describe('execution auth', () => {
  const get = useProjectsApp({ workers: { quickjs: 2, cpython: 0, native: 0 }, dify: DIFY, piston: true });

  it('POST /v1/execute: 401 without a key, with a malformed or unknown one; 200 with a project key', async () => {
    const { app } = get();
    const project = await createProject(app);
    const forged = `isola_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    for (const headers of [{}, { authorization: 'Bearer' }, { authorization: 'Bearer not-a-key' }, { authorization: `Basic ${project.api_key}` }, bearer(forged)]) {
      const res = await execute(app, HELLO, headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json().error).toMatchObject({ code: 'unauthorized', issues: [{ field: '(authorization)' }] });
    }
    const ok = await execute(app, HELLO, bearer(project.api_key));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'completed', output: 42 });
  });

  it('refuses before reading the body: an unauthenticated caller gets 401 even for a body that is not JSON', async () => {
    const { app } = get();
    const res = await app.inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(res.statusCode).toBe(401);
  });

  it('POST /v1/batch needs the key too, and runs every line in its project', async () => {
    const { app } = get();
    const project = await createProject(app);
    const payload = `${JSON.stringify({ id: 'a', ...HELLO })}\n${JSON.stringify({ id: 'b', ...HELLO })}\n`;
    const headers = { 'content-type': 'application/x-ndjson' };
    expect((await app.inject({ method: 'POST', url: '/v1/batch', headers, payload })).statusCode).toBe(401);
    const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: { ...headers, ...bearer(project.api_key) }, payload });
    expect(res.statusCode).toBe(200);
    const lines = res.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.result?.output)).toEqual([42, 42]);
  });

  it('the dify face takes a project key in X-Api-Key (what Dify sends); its own static key opens nothing', async () => {
    const { app } = get();
    const project = await createProject(app);
    const run = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'content-type': 'application/json', ...headers }, payload: { language: 'nodejs', code: 'console.log("hi")' } });
    expect((await run({})).statusCode).toBe(401);
    expect((await run({ 'x-api-key': DIFY.apiKey })).statusCode).toBe(401);
    const ok = await run({ 'x-api-key': project.api_key });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ code: 0, data: { stdout: 'hi\n' } });
    expect((await run(bearer(project.api_key))).statusCode).toBe(200);
    const deps = await app.inject({ method: 'GET', url: '/v1/sandbox/dependencies', headers: { 'x-api-key': DIFY.apiKey } });
    expect(deps.statusCode).toBe(401);
  });

  it('the Piston face takes Authorization: Bearer and keeps 401 in its own {message} shape', async () => {
    const { app } = get();
    const project = await createProject(app);
    const payload = { language: 'js', version: '*', files: [{ content: 'console.log(6 * 7)' }] };
    const refused = await app.inject({ method: 'POST', url: '/api/v2/execute', payload });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ message: expect.stringContaining('project key') });
    const ok = await app.inject({ method: 'POST', url: '/api/v2/execute', headers: bearer(project.api_key), payload });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().run.stdout).toBe('42\n');
  });

  it('a key revoked while its execution runs: that execution finishes, the next one is refused with 403', async () => {
    const { app } = get();
    const project = await createProject(app);
    // Verified once, so the key is in the cache: revocation must still count from the next request.
    expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(200);
    const inFlight = execute(app, { language: 'javascript', code: busy(1500, 'done') }, bearer(project.api_key));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const revoke = await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}/keys/${project.key_id}`, headers: admin });
    expect(revoke.statusCode).toBe(204);
    const next = await execute(app, HELLO, bearer(project.api_key));
    expect(next.statusCode).toBe(403);
    expect(next.json().error.code).toBe('key_revoked');
    const finished = await inFlight;
    expect(finished.statusCode).toBe(200);
    expect(finished.json().output).toBe('done');
    // Every face refuses it.
    const dify = await app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'x-api-key': project.api_key }, payload: { language: 'nodejs', code: '1' } });
    expect(dify.statusCode).toBe(403);
    const piston = await app.inject({ method: 'POST', url: '/api/v2/execute', headers: bearer(project.api_key), payload: { language: 'js', version: '*', files: [{ content: '1' }] } });
    expect(piston.statusCode).toBe(403);
  });

  it('a batch whose key is revoked half-way: later lines get key_revoked', async () => {
    const { app } = get();
    const project = await createProject(app);
    const lines = [0, 1, 2, 3].map((i) => JSON.stringify({ id: String(i), language: 'javascript', code: busy(400, `r${i}`) })).join('\n');
    const pending = app.inject({ method: 'POST', url: '/v1/batch?concurrency=1', headers: { 'content-type': 'application/x-ndjson', ...bearer(project.api_key) }, payload: lines });
    await new Promise((resolve) => setTimeout(resolve, 550));
    await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}/keys/${project.key_id}`, headers: admin });
    const out = (await pending).body.trim().split('\n').map((line) => JSON.parse(line));
    expect(out[0].result.output).toBe('r0');
    expect(out.at(-1).error.code).toBe('key_revoked');
  });

  it('metrics and logs carry the project id, never the key', async () => {
    const { app, metrics, logs } = get();
    const project = await createProject(app);
    expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`isola_executions_total{face="isola",lane="quickjs",status="completed",error_type="none",project="${project.id}"} 1`);
    expect(text).toMatch(new RegExp(`isola_execution_duration_seconds_count\\{face="isola",lane="quickjs",project="${project.id}"\\} 1`));
    const finished = logs.filter((line) => line['msg'] === 'execution finished' && line['project'] === project.id);
    expect(finished).toHaveLength(1);
    const secret = project.api_key.split('_').slice(2).join('_');
    expect(text).not.toContain(secret);
    expect(JSON.stringify(logs)).not.toContain(secret);
  });
});
