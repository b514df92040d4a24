// Guest code reaches project data at http://isola.internal through the real egress bridge, as the
// project the host assigns to its job. A guest that forges the project header, sends another project's
// credential, runs under an unknown job or gets redirected to the internal host by an outside server
// gets nothing of another project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge, type EgressBridge } from '../../src/egress/bridge.js';
import { createProjectDataGateway, type ProjectDataGateway } from '../../src/project-data/guest-gateway.js';
import { soon, startServer, type TestServer, tableLookup, text } from '../egress/servers.js';
import { type Backend, BACKENDS } from '../project-data/backends.js';

const JOBS: Record<string, string> = { 'job-a': 'proj_a', 'job-b': 'proj_b' };

describe.each(BACKENDS)('project data from guest code through the bridge ($name)', (kind) => {
  let backend: Backend;
  let gateway: ProjectDataGateway;
  let bridge: EgressBridge;
  let outside: TestServer;
  const denied: string[] = [];

  const guestFetch = async (jobId: string, method: string, path: string, body?: unknown, headers: [string, string][] = []) => {
    const res = await bridge.fetch(
      jobId,
      [], // nothing allow-listed: the internal host needs no entry
      {
        url: `http://isola.internal${path}`,
        method,
        headers: [...(body === undefined ? [] : ([['content-type', 'application/json']] as [string, string][])), ...headers],
        ...(body === undefined ? {} : { body: new TextEncoder().encode(JSON.stringify(body)) }),
      },
      soon(),
    );
    if (!res.ok) throw new Error(`${res.kind}: ${res.message}`);
    const raw = text(res.body);
    return { status: res.status, json: raw ? JSON.parse(raw) : undefined };
  };

  beforeAll(async () => {
    backend = await kind.open();
    gateway = createProjectDataGateway({ databases: backend.databases, kv: backend.kv, projectOfJob: (jobId) => JOBS[jobId] });
    outside = await startServer((_req, res) => {
      res.writeHead(302, { location: 'http://isola.internal/v1/kv/token' });
      res.end();
    });
    bridge = createEgressBridge({
      internal: gateway,
      allowPrivate: true,
      lookup: tableLookup({ 'outside.test': ['127.0.0.1'] }),
      onDenied: (host, reason) => denied.push(`${host}: ${reason}`),
    });
    await backend.databases.createDatabase('proj_b', 'main');
    await backend.kv.set('proj_b', 'token', 'b-token');
  });
  afterAll(async () => {
    await bridge?.close();
    await gateway?.close();
    await outside?.close();
    await backend?.close();
  });

  it("runs Intellectible's example as the job's project, with no key in the guest", async () => {
    expect((await guestFetch('job-a', 'POST', '/v1/databases', { name: 'main' })).status).toBe(201);
    const table = await guestFetch('job-a', 'POST', '/v1/databases/main/tables', {
      name: 'executions',
      columns: [{ name: 'execution_id', type: 'text' }, { name: 'status', type: 'text' }],
    });
    expect(table.status).toBe(201);
    expect((await guestFetch('job-a', 'POST', '/v1/databases/main/tables/executions/rows', { rows: [{ execution_id: 'e1', status: 'ok' }] })).json).toEqual({ changed: 1 });
    const rows = await guestFetch('job-a', 'POST', '/v1/databases/main/query', { sql: 'SELECT status FROM executions' });
    expect(rows.json.rows).toEqual([{ status: 'ok' }]);
    expect((await guestFetch('job-a', 'POST', '/v1/kv/runs/incr', {})).json.value).toBe(1);
  });

  it('ignores a forged project header and an Authorization header from the guest', async () => {
    const forged = await guestFetch('job-a', 'GET', '/v1/kv/token', undefined, [
      ['x-isola-gateway-project', 'proj_b'],
      ['authorization', 'Bearer some-key-of-b'],
    ]);
    expect(forged.status).toBe(404);
    const tables = await guestFetch('job-a', 'GET', '/v1/databases', undefined, [['X-Isola-Gateway-Project', 'proj_b']]);
    expect(tables.json.databases.map((d: { name: string }) => d.name)).toEqual(['main']);
    expect((await guestFetch('job-b', 'GET', '/v1/kv/token')).json.value).toBe('b-token');
  });

  it('answers an odd method or path with an HTTP error, not a crash', async () => {
    const odd = await bridge.fetch('job-a', [], { url: 'http://isola.internal/v1/kv/x', method: 'PROPFIND', headers: [] }, soon());
    expect(odd.ok ? odd.status : odd.kind).toBeTruthy();
    expect((await guestFetch('job-a', 'GET', '/v1/../../etc/passwd')).status).toBe(404);
    expect((await guestFetch('job-a', 'GET', '/v1/kv/%2E%2E%2F%2E%2E%2Fkv.sqlite')).status).toBe(404);
  });

  it('answers 401 to a job the host knows no project of', async () => {
    const res = await guestFetch('job-unknown', 'GET', '/v1/databases', undefined, [['x-isola-gateway-project', 'proj_b']]);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
  });

  it('refuses an outside server redirecting the guest into the internal host', async () => {
    const res = await bridge.fetch('job-a', [`outside.test:${outside.port}`], { url: `http://outside.test:${outside.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok).toBe(false);
    expect(res.ok ? '' : res.kind).toBe('denied');
    expect(denied, JSON.stringify(res)).toContainEqual(expect.stringMatching(/^isola.internal: redirect refused/));
  });
});
