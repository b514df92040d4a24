// The project-data routes over both backends: databases, tables, rows, parameterised queries and the KV
// store as a user sees them over HTTP, with the errors that name the field, the byte quota and the TTL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabases } from '../../src/project-data/sqlite/sqlite-databases.js';
import { type Backend, BACKENDS, mountApp, PROJECT_HEADER, SQLITE } from './backends.js';

const P = 'proj_main';
const headers = { [PROJECT_HEADER]: P };

describe.each(BACKENDS)('project data ($name)', (kind) => {
  let backend: Backend;
  let app: FastifyInstance;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    backend = await kind.open({ statementTimeoutMs: 2_000 });
    app = await mountApp(backend);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
  });

  it("runs Intellectible's example: an executions table with two text columns and a row", async () => {
    expect((await call('POST', '/v1/databases', { name: 'app' })).statusCode).toBe(201);
    const table = await call('POST', '/v1/databases/app/tables', {
      name: 'executions',
      columns: [
        { name: 'execution_id', type: 'text', primary_key: true },
        { name: 'status', type: 'text' },
      ],
    });
    expect(table.statusCode, table.body).toBe(201);
    expect(table.json().columns.map((c: { name: string }) => c.name)).toEqual(['execution_id', 'status']);
    const insert = await call('POST', '/v1/databases/app/tables/executions/rows', { rows: [{ execution_id: 'e1', status: 'done' }, { execution_id: 'e2', status: 'running' }] });
    expect(insert.json()).toEqual({ changed: 2 });
    const query = await call('POST', '/v1/databases/app/query', { sql: `SELECT execution_id, status FROM executions WHERE status = ${kind.param}`, params: ['done'] });
    expect(query.json()).toEqual({ rows: [{ execution_id: 'e1', status: 'done' }], row_count: 1 });
  });

  it('adds columns, updates and deletes through structured where clauses', async () => {
    const column = await call('POST', '/v1/databases/app/tables/executions/columns', { name: 'attempts', type: 'integer' });
    expect(column.statusCode, column.body).toBe(201);
    expect((await call('PATCH', '/v1/databases/app/tables/executions/rows', { set: { attempts: 3 }, where: { status: { in: ['done', 'running'] } } })).json()).toEqual({ changed: 2 });
    expect((await call('PATCH', '/v1/databases/app/tables/executions/rows', { set: { status: 'failed' }, where: { attempts: { gte: 3 }, execution_id: { ne: 'e1' } } })).json()).toEqual({ changed: 1 });
    expect((await call('DELETE', '/v1/databases/app/tables/executions/rows', { where: { status: 'failed' } })).json()).toEqual({ changed: 1 });
    const left = await call('POST', '/v1/databases/app/query', { sql: 'SELECT execution_id, attempts FROM executions' });
    expect(left.json().rows).toEqual([{ execution_id: 'e1', attempts: 3 }]);
    const tables = await call('GET', '/v1/databases/app/tables');
    expect(tables.json().tables[0].columns.map((c: { name: string }) => c.name)).toEqual(['execution_id', 'status', 'attempts']);
  });

  it.each([
    ['POST', '/v1/databases/app/tables', { name: 't', columns: [{ name: 'a', type: 'varchar' }] }, 'columns.0.type'],
    ['POST', '/v1/databases/app/tables', { name: 't', columns: [] }, 'columns'],
    ['POST', '/v1/databases/app/tables', { name: 'sqlite_master', columns: [{ name: 'a', type: 'text' }] }, 'table'],
    ['PATCH', '/v1/databases/app/tables/executions/rows', { set: { status: 'x' }, where: {} }, 'where'],
    ['DELETE', '/v1/databases/app/tables/executions/rows', { where: { status: { regex: '.*' } } }, 'where.status.regex'],
    ['POST', '/v1/databases/app/tables/executions/rows', { rows: [{ 'bad name': 1 }] }, 'rows.0.bad name'],
    ['POST', '/v1/databases/app/query', { sql: 'SELECT 1', params: [{}] }, 'params.0'],
    ['POST', '/v1/databases/app/query', { sql: '' }, 'sql'],
    ['PUT', '/v1/kv/k', { value: 1, ttl_ms: -5 }, 'ttl_ms'],
    ['PUT', '/v1/kv/k', {}, 'value'],
  ] as const)('%s %s refuses %j naming %s', async (method, url, payload, field) => {
    const res = await call(method, url, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  it('answers 409 for a database, table or column that already exists', async () => {
    expect((await call('POST', '/v1/databases', { name: 'app' })).json().error.code).toBe('conflict');
    const table = await call('POST', '/v1/databases/app/tables', { name: 'executions', columns: [{ name: 'a', type: 'text' }] });
    expect(table.statusCode).toBe(409);
    expect((await call('POST', '/v1/databases/app/tables/executions/columns', { name: 'status', type: 'text' })).statusCode).toBe(409);
  });

  it('keeps state: set, get, incr, TTL expiry, delete', async () => {
    expect((await call('PUT', '/v1/kv/config', { value: { mode: 'fast', n: [1, 2] } })).json().value).toEqual({ mode: 'fast', n: [1, 2] });
    expect((await call('GET', '/v1/kv/config')).json()).toEqual({ key: 'config', value: { mode: 'fast', n: [1, 2] }, expires_at: null });
    const counts = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/v1/kv/counter/incr', { by: 2 })));
    expect(counts.map((r) => r.json().value).sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect((await call('POST', '/v1/kv/config/incr', {})).json().error.code).toBe('conflict');
    expect((await call('PUT', '/v1/kv/short', { value: 'soon gone', ttl_ms: 150 })).statusCode).toBe(200);
    expect((await call('GET', '/v1/kv/short')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call('GET', '/v1/kv/short')).statusCode).toBe(404);
    expect((await call('POST', '/v1/kv/short/incr', {})).json().value).toBe(1);
    expect((await call('DELETE', '/v1/kv/config')).statusCode).toBe(204);
    expect((await call('GET', '/v1/kv/config')).statusCode).toBe(404);
  });

  it('drops a database', async () => {
    expect((await call('POST', '/v1/databases', { name: 'scratch' })).statusCode).toBe(201);
    expect((await call('GET', '/v1/databases')).json().databases.map((d: { name: string }) => d.name)).toEqual(['app', 'scratch']);
    expect((await call('DELETE', '/v1/databases/scratch')).statusCode).toBe(204);
    expect((await call('GET', '/v1/databases')).json().databases.map((d: { name: string }) => d.name)).toEqual(['app']);
  });

  it('measures a parameterised query round trip over HTTP', async () => {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      const res = await call('POST', '/v1/databases/app/query', { sql: `SELECT * FROM executions WHERE execution_id = ${kind.param}`, params: ['e1'] });
      times.push(performance.now() - started);
      expect(res.statusCode).toBe(200);
    }
    times.sort((a, b) => a - b);
    console.log(`[${kind.name}] query round trip over app.inject: median ${times[30]?.toFixed(2)} ms, p90 ${times[54]?.toFixed(2)} ms`);
  });
});

describe.each(BACKENDS)('database byte quota ($name)', (kind) => {
  let backend: Backend;
  let app: FastifyInstance;
  beforeAll(async () => {
    backend = await kind.open({ maxDatabaseBytes: 256 * 1024 });
    app = await mountApp(backend);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
  });

  it('refuses writes past maxDatabaseBytes with 413, and keeps what fit', async () => {
    await backend.databases.createDatabase(P, 'big');
    await backend.databases.createTable(P, 'big', 'blobs', [{ name: 'pad', type: 'text' }]);
    const pad = 'x'.repeat(4000);
    let refused: { statusCode: number; json(): { error: { code: string } } } | undefined;
    let inserted = 0;
    for (let i = 0; i < 200 && !refused; i++) {
      // Random text does not compress (PostgreSQL's TOAST would shrink a repeated character).
      const row = { pad: `${i}${pad}`.replace(/x/g, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))) };
      const res = await app.inject({ method: 'POST', url: '/v1/databases/big/tables/blobs/rows', headers: { [PROJECT_HEADER]: P }, payload: { rows: [row] } });
      if (res.statusCode === 200) inserted += 1;
      else refused = res;
    }
    expect(refused?.statusCode).toBe(413);
    expect(refused?.json().error.code).toBe('database_quota_exceeded');
    expect(inserted).toBeGreaterThan(5);
    const kvWrite = await app.inject({ method: 'PUT', url: '/v1/kv/more', headers: { [PROJECT_HEADER]: P }, payload: { value: 'x'.repeat(100_000) } });
    expect(kvWrite.statusCode).toBe(413);
    const count = await backend.databases.query(P, 'big', 'SELECT count(*) AS n FROM blobs');
    expect(Number(count.rows[0]?.n)).toBe(inserted);
  });
});

describe('SQLite reader processes', () => {
  it('are killed at the deadline, replaced, and gone after close()', async () => {
    const backend = await SQLITE.open({ statementTimeoutMs: 300 });
    const databases = backend.databases as SqliteDatabases;
    await databases.createDatabase(P, 'x');
    await expect(databases.query(P, 'x', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c')).rejects.toMatchObject({ code: 'statement_timeout' });
    expect((await databases.query(P, 'x', 'SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    const pids = databases.readerPids();
    expect(pids.length).toBeGreaterThan(0);
    await backend.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('/openapi.json', () => {
  it('documents every project-data route the plugin registers, with its method', async () => {
    const { default: fastify } = await import('fastify');
    const { registerProjectDataRoutes } = await import('../../src/project-data/routes.js');
    const { buildOpenApiDocument } = await import('../../src/server/openapi.js');
    const { createRequestContract } = await import('../../src/contract/request.js');
    const { DEFAULT_OPERATOR_LIMITS } = await import('../../src/contract/index.js');
    const app = fastify();
    const routes: { method: string; url: string }[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: route.url });
    });
    const backend = await SQLITE.open();
    try {
      registerProjectDataRoutes(app, { databases: backend.databases, kv: backend.kv, projectOf: () => undefined });
      await app.ready();
      const doc = buildOpenApiDocument({ version: '0', contract: createRequestContract(DEFAULT_OPERATOR_LIMITS), maxBodyBytes: 1 }) as { paths: Record<string, Record<string, unknown>> };
      expect(routes.length).toBe(14);
      for (const { method, url } of routes) {
        const path = url.replace(/:([a-z]+)/g, '{$1}');
        expect(Object.keys(doc.paths[path] ?? {}), `${method} ${path}`).toContain(method);
      }
    } finally {
      await app.close();
      await backend.close();
    }
  });
});
