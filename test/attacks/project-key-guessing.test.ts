// Attack: one project (or a stranger) tries to reach another project's keys or projects by guessing ids,
// splicing key ids and secrets, or replaying a key the server has cached; and the admin token is tried as
// an execution key. Every attempt fails, and the victim's key keeps working.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN, bearer, createProject, execute, HELLO, useProjectsApp } from '../projects/helpers.js';

const secretOf = (apiKey: string) => apiKey.split('_').slice(2).join('_');
const hexOf = (keyId: string) => keyId.slice('key_'.length);

describe('attack: guessing and splicing project keys and ids', () => {
  const get = useProjectsApp();

  it("a project's key cannot list, read, change or delete another project or its keys through the admin API", async () => {
    const { app } = get();
    const attacker = await createProject(app, { name: 'attacker' });
    const victim = await createProject(app, { name: 'victim' });
    const attempts = [
      ['GET', '/v1/admin/projects'],
      ['GET', `/v1/admin/projects/${victim.id}`],
      ['PATCH', `/v1/admin/projects/${victim.id}`],
      ['DELETE', `/v1/admin/projects/${victim.id}`],
      ['POST', `/v1/admin/projects/${victim.id}/keys`],
      ['DELETE', `/v1/admin/projects/${victim.id}/keys/${victim.key_id}`],
      ['DELETE', `/v1/admin/projects/${attacker.id}/keys/${victim.key_id}`],
    ] as const;
    for (const [method, url] of attempts) {
      for (const headers of [bearer(attacker.api_key), { 'x-api-key': attacker.api_key }, {}]) {
        const res = await app.inject({ method, url, headers, ...(method === 'PATCH' ? { payload: { quotas: { concurrent_executions: 1 } } } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.body).not.toContain(victim.key_id);
      }
    }
    const still = (await app.inject({ method: 'GET', url: `/v1/admin/projects/${victim.id}`, headers: admin })).json();
    expect(still).toMatchObject({ name: 'victim', quotas: {}, keys: [{ key_id: victim.key_id, revoked_at: null }] });
    expect((await execute(app, HELLO, bearer(victim.api_key))).statusCode).toBe(200);
  });

  it("even the admin cannot revoke a key through another project's path: the key id is looked up within its project", async () => {
    const { app } = get();
    const a = await createProject(app, { name: 'a' });
    const b = await createProject(app, { name: 'b' });
    const res = await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${a.id}/keys/${b.key_id}`, headers: admin });
    expect(res.statusCode).toBe(404);
    expect((await execute(app, HELLO, bearer(b.api_key))).statusCode).toBe(200);
  });

  it("a spliced key (one project's key id, another's secret) is refused, even while both keys are cached", async () => {
    const { app } = get();
    const a = await createProject(app, { name: 'a' });
    const b = await createProject(app, { name: 'b' });
    // Both verified once: their digests sit in the cache.
    expect((await execute(app, HELLO, bearer(a.api_key))).statusCode).toBe(200);
    expect((await execute(app, HELLO, bearer(b.api_key))).statusCode).toBe(200);
    const spliced = [
      `isola_${hexOf(b.key_id)}_${secretOf(a.api_key)}`,
      `isola_${hexOf(a.key_id)}_${secretOf(b.api_key)}`,
      // One character of the right secret changed.
      `isola_${hexOf(b.key_id)}_${secretOf(b.api_key).slice(0, -1)}${secretOf(b.api_key).endsWith('A') ? 'B' : 'A'}`,
    ];
    for (const key of spliced) {
      const res = await execute(app, HELLO, bearer(key));
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect((await execute(app, HELLO, bearer(b.api_key))).statusCode).toBe(200);
  });

  it('guessed key ids and secrets never run code, and a revoked key id with a wrong secret says 401, not "revoked"', async () => {
    const { app } = get();
    const victim = await createProject(app, { name: 'victim' });
    for (let i = 0; i < 20; i++) {
      const guess = `isola_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
      expect((await execute(app, HELLO, bearer(guess))).statusCode).toBe(401);
    }
    await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${victim.id}/keys/${victim.key_id}`, headers: admin });
    const wrongSecret = `isola_${hexOf(victim.key_id)}_${randomBytes(32).toString('base64url')}`;
    const res = await execute(app, HELLO, bearer(wrongSecret));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
    expect((await execute(app, HELLO, bearer(victim.api_key))).statusCode).toBe(403);
  });

  it('the admin token is not an execution key', async () => {
    const { app } = get();
    const res = await execute(app, HELLO, bearer(ADMIN_TOKEN));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('guessed project ids answer 404 and change nothing', async () => {
    const { app, store } = get();
    const before = store.listProjects().length;
    for (let i = 0; i < 10; i++) {
      const id = `prj_${randomBytes(16).toString('hex')}`;
      expect((await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${id}`, headers: admin })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: `/v1/admin/projects/${id}/keys`, headers: admin })).statusCode).toBe(404);
    }
    expect(store.listProjects()).toHaveLength(before);
  });
});
