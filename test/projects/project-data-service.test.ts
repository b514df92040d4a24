// Project data wired into the service: with projects on, /v1/databases and /v1/kv need the project's key
// and act in its project; guest code reaches the same data through http://isola.internal with no key;
// a second project sees none of it, over HTTP or from its code. Real server, real SQLite files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { ADMIN_TOKEN } from './helpers.js';

let server: RunningServer;
let storeDir: string;
const call = (path: string, init: { method?: string; key?: string; body?: unknown } = {}) =>
  fetch(`${server.address}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.key ? { authorization: `Bearer ${init.key}` } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
const newProject = async (name: string) => (await (await fetch(`${server.address}/v1/admin/projects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ name }) })).json()) as { id: string; api_key: string };

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'isola-project-data-service-'));
  server = await startServer({ port: 0, handleSignals: false, adminToken: ADMIN_TOKEN, logger: pino({ level: 'silent' }), engineOptions: { storeDir, workers: { quickjs: 1, cpython: 1, native: 0, wasi: 0 } } });
}, 120_000);
afterAll(async () => {
  await server?.shutdown();
  rmSync(storeDir, { recursive: true, force: true });
});

describe('project data in the service', () => {
  it('HTTP and guest code share one project database; another project sees nothing', async () => {
    const a = await newProject('a');
    const b = await newProject('b');
    expect((await call('/v1/databases')).status).toBe(401);
    expect((await call('/v1/databases', { key: a.api_key, body: { name: 'app' } })).status).toBeLessThan(300);
    expect((await call('/v1/databases/app/tables', { key: a.api_key, body: { name: 'executions', columns: [{ name: 'execution_id', type: 'text' }] } })).status).toBeLessThan(300);

    const code = `import json, urllib.request
def main():
    body = json.dumps({"rows": [{"execution_id": "from-code"}]}).encode()
    urllib.request.urlopen(urllib.request.Request("http://isola.internal/v1/databases/app/tables/executions/rows", data=body, method="POST", headers={"content-type": "application/json"}))
    with urllib.request.urlopen(urllib.request.Request("http://isola.internal/v1/kv/runs/incr", data=b"{}", method="POST", headers={"content-type": "application/json"})) as r:
        return json.loads(r.read())["value"]`;
    const run = await call('/v1/execute', { key: a.api_key, body: { language: 'python', code } });
    expect(run.status).toBe(200);
    const envelope = await run.json();
    expect(envelope, JSON.stringify(envelope.error)).toMatchObject({ status: 'completed', output: 1 });

    const rows = await (await call('/v1/databases/app/query', { key: a.api_key, body: { sql: 'SELECT execution_id FROM executions' } })).json();
    expect(rows.rows).toEqual([{ execution_id: 'from-code' }]);

    const theirs = await call('/v1/databases', { key: b.api_key });
    expect((await theirs.json()).databases).toEqual([]);
    expect((await call('/v1/databases/app/query', { key: b.api_key, body: { sql: 'SELECT * FROM executions' } })).status).toBe(404);
    const fromB = await call('/v1/execute', { key: b.api_key, body: { language: 'javascript', code: "export default async function main() { return (await fetch('http://isola.internal/v1/kv/runs')).status }" } });
    expect((await fromB.json()).output).toBe(404);
  }, 120_000);
});
