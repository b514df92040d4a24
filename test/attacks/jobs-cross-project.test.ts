// Jobs with projects on: a job belongs to the project that submitted it. Another project's key sees the
// same 404 as for an id that never existed (GET, DELETE, events), cannot cancel it, and reuses an
// Idempotency-Key without meeting the first project's job; no key is a 401, a revoked one a 403.
import { describe, expect, it } from 'vitest';
import { admin, bearer, createProject, useProjectsApp } from '../projects/helpers.js';

const SLOW = { language: 'javascript', code: 'async function main() { await new Promise((r) => setTimeout(r, 1500)); return { done: true } }' };

describe('jobs across projects', () => {
  const get = useProjectsApp({ workers: { quickjs: 2, cpython: 0, native: 0 } });

  it('needs a project key to submit, read or cancel', async () => {
    const { app } = get();
    expect((await app.inject({ method: 'POST', url: '/v1/jobs', payload: SLOW })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/job_x' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/v1/jobs/job_x' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/job_x/events' })).statusCode).toBe(401);
  });

  it("hides one project's job from another's key, and keeps it running", async () => {
    const { app } = get();
    const a = await createProject(app);
    const b = await createProject(app);
    const submitted = await app.inject({ method: 'POST', url: '/v1/jobs', payload: SLOW, headers: bearer(a.api_key) });
    expect(submitted.statusCode).toBe(202);
    const { id } = submitted.json() as { id: string };
    for (const [method, url] of [['GET', `/v1/jobs/${id}`], ['DELETE', `/v1/jobs/${id}`], ['GET', `/v1/jobs/${id}/events`]] as const) {
      const res = await app.inject({ method, url, headers: bearer(b.api_key) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('job_not_found');
    }
    // B's DELETE cancelled nothing: A's job runs to its end.
    let view: { status: string; project?: string; result?: { output: unknown } } = { status: 'queued' };
    for (let i = 0; i < 100 && !['succeeded', 'failed', 'cancelled'].includes(view.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: bearer(a.api_key) })).json();
    }
    expect(view).toMatchObject({ status: 'succeeded', project: a.id, result: { output: { done: true } } });
  });

  it('scopes Idempotency-Keys to the project: the same key from two projects makes two jobs', async () => {
    const { app } = get();
    const a = await createProject(app);
    const b = await createProject(app);
    const key = { 'idempotency-key': 'order-42' };
    const first = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { language: 'javascript', code: 'function main() { return "a" }' }, headers: { ...key, ...bearer(a.api_key) } });
    const second = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { language: 'javascript', code: 'function main() { return "b" }' }, headers: { ...key, ...bearer(b.api_key) } });
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(first.json().id).not.toBe(second.json().id);
    const again = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { language: 'javascript', code: 'function main() { return "a" }' }, headers: { ...key, ...bearer(a.api_key) } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
  });

  it('refuses a revoked key at submit', async () => {
    const { app } = get();
    const a = await createProject(app);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${a.id}/keys/${a.key_id}`, headers: admin });
    expect(revoked.statusCode).toBeLessThan(300);
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: SLOW, headers: bearer(a.api_key) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('key_revoked');
  });
});
