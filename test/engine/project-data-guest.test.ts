// Guest code in the Wasm lanes reaches its project's databases and KV at http://isola.internal/ with no
// key and no allow-list entry: the engine knows the job's project (ExecuteOptions.project) and the
// egress bridge serves the reserved host in-process as that project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { type Backend, SQLITE } from '../project-data/backends.js';

let backend: Backend;
let engine: Engine;

beforeAll(async () => {
  backend = await SQLITE.open();
  await backend.kv.set('proj_b', 'secret', 'b-secret');
  engine = await createEngine({ workers: { quickjs: 1, cpython: 1, native: 1 }, projectData: { databases: backend.databases, kv: backend.kv } });
}, 180_000);
afterAll(async () => {
  await engine?.close();
  await backend?.close();
});

const JS = `
export default async function main() {
  const post = (path, body) => fetch('http://isola.internal' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/v1/databases', { name: 'app' });
  await post('/v1/databases/app/tables', { name: 'executions', columns: [{ name: 'execution_id', type: 'text' }, { name: 'status', type: 'text' }] });
  await post('/v1/databases/app/tables/executions/rows', { rows: [{ execution_id: 'js-1', status: 'ok' }] });
  const rows = await (await post('/v1/databases/app/query', { sql: 'SELECT * FROM executions' })).json();
  const hits = await (await post('/v1/kv/hits/incr', {})).json();
  const other = await fetch('http://isola.internal/v1/kv/secret', { headers: { 'x-isola-gateway-project': 'proj_b' } });
  return { rows: rows.rows, hits: hits.value, other: other.status };
}`;

const PY = `
import json, urllib.request

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://isola.internal" + path, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def main():
    status, hits = call("POST", "/v1/kv/hits/incr", {})
    _, rows = call("POST", "/v1/databases/app/query", {"sql": "SELECT execution_id FROM executions"})
    other, _ = call("GET", "/v1/kv/secret")
    return {"status": status, "hits": hits["value"], "rows": rows["rows"], "other": other}
`;

describe('project data from guest code', () => {
  it('JavaScript (QuickJS) creates, inserts, queries and counts as its project', async () => {
    const first = await engine.execute({ language: 'javascript', code: JS }, { project: 'proj_a' });
    expect(first.error, first.stderr).toBeNull();
    expect(first.output).toEqual({ rows: [{ execution_id: 'js-1', status: 'ok' }], hits: 1, other: 404 });
    expect((await backend.kv.get('proj_a', 'hits'))?.value).toBe(1);
  });

  it('Python (CPython on WASI) sees the same project data, and not another project', async () => {
    const res = await engine.execute({ language: 'python', code: PY }, { project: 'proj_a' });
    expect(res.error, res.stderr).toBeNull();
    expect(res.output).toEqual({ status: 200, hits: 2, rows: [{ execution_id: 'js-1' }], other: 404 });
  });

  it('answers 401 inside the guest when the execution has no project', async () => {
    const res = await engine.execute({
      language: 'javascript',
      code: "export default async function main() { return (await fetch('http://isola.internal/v1/kv/secret')).status; }",
    });
    expect(res.error, res.stderr).toBeNull();
    expect(res.output).toBe(401);
  });
});

describe('the guest SDKs', () => {
  it("JavaScript: import { db, kv } from 'isola' and require('@intellectible/execution-sdk')", async () => {
    const code = `
import { db, kv } from 'isola';
const { DatabaseClient } = require('@intellectible/execution-sdk');
export default async function main() {
  await db.createDatabase('sdk');
  await db.createTable('sdk', 'executions', [{ name: 'execution_id', type: 'text' }, { name: 'status', type: 'text' }]);
  await new DatabaseClient().insertRows('sdk', 'executions', [{ execution_id: 'x1', status: 'done' }]);
  const { rows } = await db.query('sdk', 'SELECT status FROM executions WHERE execution_id = ?', ['x1']);
  await kv.set('mode', { fast: true });
  return { rows, names: (await db.listDatabases()).map((d) => d.name), mode: await kv.get('mode'), n: await kv.incr('sdk-n', 5), gone: (await kv.get('nope')) === undefined };
}`;
    const res = await engine.execute({ language: 'javascript', code }, { project: 'proj_sdk' });
    expect(res.error, res.stderr).toBeNull();
    expect(res.output).toEqual({ rows: [{ status: 'done' }], names: ['sdk'], mode: { fast: true }, n: 5, gone: true });
  });

  it('Python: import isola and from intellectible_execution import DatabaseClient', async () => {
    const code = `
import isola
from intellectible_execution import DatabaseClient

def main():
    client = DatabaseClient()
    tables = client.list_tables("sdk")  # Intellectible's signature: the names
    client.insert_rows("sdk", "executions", {"execution_id": "p1", "status": "running"})
    rows = client.query("sdk", "SELECT execution_id FROM executions ORDER BY execution_id")["rows"]
    try:
        client.query("sdk", "ATTACH DATABASE 'x' AS y")
        refused = None
    except isola.ProjectDataError as error:
        refused = error.code
    return {"tables": tables, "rows": rows, "n": isola.kv.incr("sdk-n"), "mode": isola.kv.get("mode"), "refused": refused}
`;
    const res = await engine.execute({ language: 'python', code }, { project: 'proj_sdk' });
    expect(res.error, res.stderr).toBeNull();
    expect(res.output).toEqual({ tables: ['executions'], rows: [{ execution_id: 'p1' }, { execution_id: 'x1' }], n: 6, mode: { fast: true }, refused: 'sql_refused' });
  });

  it('Python in the native lane (bubblewrap, through the egress proxy) with no allow-list', async () => {
    const code = `
import isola, urllib.request

def main():
    try:
        urllib.request.urlopen("http://example.com/", timeout=5)
        outside = "reached"
    except Exception as error:
        outside = type(error).__name__
    return {"n": isola.kv.incr("sdk-n"), "tables": [t["name"] for t in isola.db.list_tables("sdk")], "outside": outside}
`;
    const res = await engine.execute({ language: 'python', runtime: 'native', code }, { project: 'proj_sdk' });
    expect(res.error, res.stderr).toBeNull();
    expect(res.environment.lane).toBe('native');
    expect(res.output).toMatchObject({ n: 7, tables: ['executions'] });
    expect((res.output as { outside: string }).outside).not.toBe('reached');
  });
});
