// The admin API over real HTTP (app.inject) and a real SQLite store: create, list, add and revoke keys,
// change quotas, delete; keys shown once and stored only as scrypt hashes; what survives a restart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../src/projects/project-store.js';
import { admin, bearer, createProject, execute, HELLO, useProjectsApp } from './helpers.js';

describe('admin API', () => {
  const get = useProjectsApp();

  it('refuses without the admin token, with a wrong one, and with a project key (401 unauthorized)', async () => {
    const { app } = get();
    const project = await createProject(app);
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, bearer(project.api_key)]) {
      const res = await app.inject({ method: 'GET', url: '/v1/admin/projects', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('walks a project through its life: create, list, new key, revoke key, quotas, delete', async () => {
    const { app, store } = get();
    const created = await app.inject({ method: 'POST', url: '/v1/admin/projects', headers: admin, payload: { name: 'alpha', quotas: { concurrent_executions: 2 } } });
    expect(created.statusCode).toBe(201);
    const project = created.json();
    expect(project).toMatchObject({ name: 'alpha', quotas: { concurrent_executions: 2 } });
    expect(project.id).toMatch(/^prj_[0-9a-f]{32}$/);
    expect(project.key_id).toMatch(/^key_[0-9a-f]{16}$/);
    // The key carries its id, so the server finds its one row without trying every hash.
    expect(project.api_key).toMatch(new RegExp(`^isola_${project.key_id.slice(4)}_[A-Za-z0-9_-]{43}$`));

    const listed = (await app.inject({ method: 'GET', url: '/v1/admin/projects', headers: admin })).json();
    const entry = listed.projects.find((p: { id: string }) => p.id === project.id);
    expect(entry).toMatchObject({ name: 'alpha', keys: [{ key_id: project.key_id, revoked_at: null }] });
    // Shown once: no listing, no single-project view holds the key or its hash.
    expect(JSON.stringify(listed)).not.toContain(project.api_key.slice(23));
    expect(JSON.stringify(listed)).not.toContain('scrypt');

    const second = await app.inject({ method: 'POST', url: `/v1/admin/projects/${project.id}/keys`, headers: admin });
    expect(second.statusCode).toBe(201);
    const key2 = second.json();
    expect(key2.key_id).not.toBe(project.key_id);
    expect((await execute(app, HELLO, bearer(key2.api_key))).statusCode).toBe(200);

    const revoked = await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}/keys/${project.key_id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    // Idempotent.
    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}/keys/${project.key_id}`, headers: admin })).statusCode).toBe(204);
    expect((await execute(app, HELLO, bearer(project.api_key))).statusCode).toBe(403);
    expect((await execute(app, HELLO, bearer(key2.api_key))).statusCode).toBe(200);

    const patched = await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${project.id}`, headers: admin, payload: { quotas: { executions_per_minute: 100, concurrent_executions: null } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().quotas).toEqual({ executions_per_minute: 100 });
    expect(store.getProject(project.id)?.quotas).toEqual({ executions_per_minute: 100 });

    const one = (await app.inject({ method: 'GET', url: `/v1/admin/projects/${project.id}`, headers: admin })).json();
    const revokedById = Object.fromEntries(one.keys.map((k: { key_id: string; revoked_at: string | null }) => [k.key_id, k.revoked_at !== null]));
    expect(revokedById).toEqual({ [project.key_id]: true, [key2.key_id]: false });

    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}`, headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/v1/admin/projects/${project.id}`, headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}`, headers: admin })).statusCode).toBe(404);
    // A deleted project's keys are revoked with it: 403, not a silent 401.
    const afterDelete = await execute(app, HELLO, bearer(key2.api_key));
    expect(afterDelete.statusCode).toBe(403);
    expect(afterDelete.json().error.code).toBe('key_revoked');
  });

  it('answers bad bodies with 400 naming the field, unknown ids with 404', async () => {
    const { app } = get();
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'a\ud800' }, 'name'],
      [{ name: 'tab\tname' }, 'name'],
      [{ name: 'x', quotas: { concurrent_executions: 0 } }, 'quotas.concurrent_executions'],
      [{ name: 'x', quotas: { executions_per_minute: 1.5 } }, 'quotas.executions_per_minute'],
      [{ name: 'x', quotas: { egress_allow: ['http://x'] } }, 'quotas.egress_allow.0'],
      [{ name: 'x', quotas: { library_bytes: -5 } }, 'quotas.library_bytes'],
      [{ name: 'x', quotas: { database_bytes: 5 } }, 'quotas.database_bytes'],
      [{ name: 'x', owner: 'y' }, 'owner'],
    ];
    for (const [payload, field] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/admin/projects', headers: admin, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    const project = await createProject(app);
    const patch = await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${project.id}`, headers: admin, payload: { quotas: { concurrent_executions: -1 } } });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.issues[0].field).toBe('quotas.concurrent_executions');
    for (const [method, url] of [
      ['PATCH', '/v1/admin/projects/prj_00000000000000000000000000000000'],
      ['POST', '/v1/admin/projects/nope/keys'],
      ['DELETE', `/v1/admin/projects/${project.id}/keys/key_0000000000000000`],
    ] as const) {
      const res = await app.inject({ method, url, headers: admin, ...(method === 'PATCH' ? { payload: { quotas: {} } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });

  it('stores only a scrypt hash of each key, in a file only its owner reads, and finds it again after a restart', async () => {
    const { app, dir } = get();
    const project = await createProject(app, { name: 'persisted', quotas: { executions_per_minute: 7 } });
    const path = join(dir, 'projects', 'projects.sqlite');
    const bytes = readFileSync(path).toString('latin1') + readFileSync(`${path}-wal`).toString('latin1');
    const secret = project.api_key.split('_').slice(2).join('_');
    expect(bytes).not.toContain(secret);
    expect(bytes).toContain('scrypt$16384$8$1$');
    const { statSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    // A second store on the same file (a restarted service) sees the project and its key.
    using reopened = new ProjectStore(join(dir, 'projects'));
    expect(reopened.getProject(project.id)).toMatchObject({ name: 'persisted', quotas: { executions_per_minute: 7 } });
    expect(reopened.keyRecord(project.key_id as `key_${string}`)?.projectId).toBe(project.id);
  });

  it('shows every admin route, the quota fields and the execution refusals in /openapi.json', async () => {
    const { app } = get();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes = [
      ['post', '/v1/admin/projects'],
      ['get', '/v1/admin/projects'],
      ['get', '/v1/admin/projects/{id}'],
      ['patch', '/v1/admin/projects/{id}'],
      ['delete', '/v1/admin/projects/{id}'],
      ['post', '/v1/admin/projects/{id}/keys'],
      ['delete', '/v1/admin/projects/{id}/keys/{key_id}'],
    ];
    for (const [method, path] of routes) {
      expect(doc.paths[path as string]?.[method as string]?.security, `${method} ${path}`).toEqual([{ adminToken: [] }]);
      // The route really exists with that method (fastify's :param for OpenAPI's {param}).
      const url = (path as string).replace('{id}', 'prj_x').replace('{key_id}', 'key_x');
      const res = await app.inject({ method: (method as string).toUpperCase() as 'GET', url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(Object.keys(doc.components.schemas.Quotas.properties).sort()).toEqual(['blob_bytes', 'concurrent_executions', 'egress_allow', 'executions_per_minute', 'library_bytes']);
    for (const path of ['/v1/execute', '/v1/batch']) {
      expect(Object.keys(doc.paths[path].post.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
      expect(doc.paths[path].post.responses['429'].headers['Retry-After']).toBeDefined();
    }
    expect(doc.components.securitySchemes.projectKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
