// Per-project quotas over real HTTP: concurrency and executions per minute answered 429 with Retry-After,
// per project (another project is unaffected), through every face; the egress ceiling answered 403 naming
// the allow-list entry.
import { describe, expect, it } from 'vitest';
import { busy } from '../server/helpers.js';
import { admin, bearer, createProject, execute, HELLO, useProjectsApp } from './helpers.js';

const DIFY = { apiKey: 'dify-static-key', packages: [], timeoutS: 5, maxRequests: 10, allowHosts: ['api.example.com'] };

describe('project quotas', () => {
  const get = useProjectsApp({ workers: { quickjs: 3, cpython: 0, native: 0 }, dify: DIFY, piston: true });

  it('concurrent_executions: one over is 429 quota_exceeded with Retry-After, for that project only', async () => {
    const { app } = get();
    const limited = await createProject(app, { name: 'one-at-a-time', quotas: { concurrent_executions: 1 } });
    const other = await createProject(app, { name: 'other' });
    const running = execute(app, { language: 'javascript', code: busy(1000, 'first') }, bearer(limited.api_key));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await execute(app, HELLO, bearer(limited.api_key));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', retry_after_s: 1, issues: [{ field: 'quotas.concurrent_executions' }] });
    // Another project is not held back by this one's quota.
    expect((await execute(app, HELLO, bearer(other.api_key))).statusCode).toBe(200);
    expect((await running).json().output).toBe('first');
    // The slot is back once the execution answered.
    expect((await execute(app, HELLO, bearer(limited.api_key))).statusCode).toBe(200);
  });

  it('a slot is given back when the code fails and when the engine refuses the request after admission', async () => {
    const { app } = get();
    const project = await createProject(app, { quotas: { concurrent_executions: 1 }, name: 'failing' });
    expect((await execute(app, { language: 'javascript', code: 'throw new Error("x")' }, bearer(project.api_key))).statusCode).toBe(200);
    // Python has no workers here: the engine throws 422 unsupported after the slot was taken.
    expect((await execute(app, { language: 'python', code: '1' }, bearer(project.api_key))).statusCode).toBe(422);
    expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(200);
  });

  it('executions_per_minute: past it 429 with a Retry-After up to a minute; raising the quota lets it run', async () => {
    const { app } = get();
    const project = await createProject(app, { name: 'rated', quotas: { executions_per_minute: 2 } });
    const other = await createProject(app, { name: 'free' });
    for (let i = 0; i < 2; i++) expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(200);
    const refused = await execute(app, HELLO, bearer(project.api_key));
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', retry_after_s: retryAfter, issues: [{ field: 'quotas.executions_per_minute' }] });
    expect((await execute(app, HELLO, bearer(other.api_key))).statusCode).toBe(200);

    // The dify and Piston faces answer the same refusal with its status and Retry-After, in their shapes.
    const dify = await app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'x-api-key': project.api_key }, payload: { language: 'nodejs', code: '1' } });
    expect(dify.statusCode).toBe(429);
    expect(dify.headers['retry-after']).toBeDefined();
    expect(dify.json()).toMatchObject({ code: -429, data: null });
    const piston = await app.inject({ method: 'POST', url: '/api/v2/execute', headers: bearer(project.api_key), payload: { language: 'js', version: '*', files: [{ content: '1' }] } });
    expect(piston.statusCode).toBe(429);
    expect(piston.headers['retry-after']).toBeDefined();
    expect(piston.json().message).toContain('executions this minute');

    await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${project.id}`, headers: admin, payload: { quotas: { executions_per_minute: 10 } } });
    expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(200);
  });

  it('a batch runs within the concurrency quota instead of tripping it, and counts each line per minute', async () => {
    const { app } = get();
    const project = await createProject(app, { name: 'batch', quotas: { concurrent_executions: 1, executions_per_minute: 3 } });
    const lines = [0, 1, 2, 3].map((i) => JSON.stringify({ id: String(i), language: 'javascript', code: busy(50, `r${i}`) })).join('\n');
    const res = await app.inject({ method: 'POST', url: '/v1/batch?concurrency=4', headers: { 'content-type': 'application/x-ndjson', ...bearer(project.api_key) }, payload: lines });
    const out = res.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(out.filter((line) => line.result).map((line) => line.result.output).sort()).toEqual(['r0', 'r1', 'r2']);
    const over = out.find((line) => line.error);
    expect(over.error).toMatchObject({ code: 'quota_exceeded', issues: [{ field: 'quotas.executions_per_minute' }] });
    expect(over.error.retry_after_s).toBeGreaterThan(0);
  });

  it('egress ceiling: every network.allow entry must lie within it, else 403 naming the entry', async () => {
    const { app } = get();
    const project = await createProject(app, { name: 'egress', quotas: { egress_allow: ['*.example.org', 'api.example.com:8443'] } });
    const run = (allow: string[]) => execute(app, { ...HELLO, network: { allow } }, bearer(project.api_key));
    for (const allow of [[], ['a.example.org'], ['*.b.example.org', 'API.example.com:8443']]) {
      expect((await run(allow)).statusCode, JSON.stringify(allow)).toBe(200);
    }
    for (const [allow, field] of [
      [['evil.com'], 'network.allow.0'],
      [['a.example.org', 'example.org'], 'network.allow.1'],
      [['*.example.org.evil.com'], 'network.allow.0'],
      [['api.example.com'], 'network.allow.0'],
      [['api.example.com:443'], 'network.allow.0'],
      [['93.184.216.34'], 'network.allow.0'],
    ] as const) {
      const res = await run([...allow]);
      expect(res.statusCode, JSON.stringify(allow)).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'egress_not_allowed', issues: [{ field }] });
    }
    // [] means no network at all; the dify face's enable_network hosts are held to it too.
    await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${project.id}`, headers: admin, payload: { quotas: { egress_allow: [] } } });
    expect((await run(['a.example.org'])).statusCode).toBe(403);
    expect((await run([])).statusCode).toBe(200);
    const dify = await app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'x-api-key': project.api_key }, payload: { language: 'nodejs', code: '1', enable_network: true } });
    expect(dify.statusCode).toBe(403);
    expect(dify.json()).toMatchObject({ code: -403, message: expect.stringContaining('egress ceiling') });
  });
});
