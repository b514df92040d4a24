// Two projects on one store: A tries to read, list, overwrite and query B's databases, tables, rows and
// keys (guessed names, ../ names, SQL tricks, an endless statement, a huge result) and fails every time,
// in both backends, through the HTTP routes with A's own credential.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, BACKENDS, mountApp, PROJECT_HEADER } from '../project-data/backends.js';

const A = 'proj_a';
const B = 'proj_b';
const TIMEOUT_MS = 800;

interface Attack {
  name: string;
  sql: (ctx: { foreign: string; backend: 'sqlite' | 'postgres' }) => string;
  /** Expected status per backend (both when one number). */
  status: number | { sqlite: number; postgres: number };
  /** Expected error code per backend; a backend left out only has to answer 422 with a cap's code. */
  code?: string | { sqlite?: string; postgres?: string };
}

const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c';

const ATTACKS: Attack[] = [
  { name: 'ATTACH the other database file', sql: () => "ATTACH DATABASE '/tmp/other.sqlite' AS b", status: 403, code: 'sql_refused' },
  { name: 'multi-statement ; ATTACH', sql: () => "SELECT 1; ATTACH DATABASE 'b.sqlite' AS b", status: 403, code: 'sql_refused' },
  { name: 'multi-statement ; DROP', sql: () => 'SELECT * FROM mine; DROP TABLE mine', status: 403, code: 'sql_refused' },
  { name: 'a ; hidden after a comment', sql: () => 'SELECT 1 /* ; */ ; DELETE FROM mine', status: 403, code: 'sql_refused' },
  { name: "B's table by its qualified name", sql: ({ foreign }) => `SELECT * FROM ${foreign}`, status: { sqlite: 400, postgres: 403 } },
  { name: 'guessed table name of B', sql: () => 'SELECT * FROM ledger', status: 400, code: 'sql_failed' },
  { name: 'SET search_path', sql: () => 'SET search_path = public, pg_catalog', status: 403, code: 'sql_refused' },
  {
    name: "set_config('search_path') to B's schema inside a SELECT",
    sql: ({ foreign }) => `SELECT set_config('search_path', '${foreign.split('.')[0]}', true) AS s, (SELECT count(*) FROM ledger) AS n`,
    // PostgreSQL: set_config is not on the project-query allow-list (pg-allowed-names.ts).
    status: { sqlite: 400, postgres: 403 },
  },
  { name: 'SET ROLE', sql: () => 'SET ROLE isola_admin', status: 403, code: 'sql_refused' },
  { name: 'RESET ROLE', sql: () => 'RESET ROLE', status: 403, code: 'sql_refused' },
  { name: "set_config('role') inside a SELECT", sql: () => "SELECT set_config('role', 'isola_admin', true) AS r", status: { sqlite: 400, postgres: 403 } },
  {
    name: "query_to_xml running B's table as a nested query",
    sql: ({ foreign, backend }) => (backend === 'postgres' ? `SELECT query_to_xml('SELECT * FROM ${foreign}', true, false, '') AS x` : `SELECT * FROM ${foreign}`),
    status: { sqlite: 400, postgres: 403 },
  },
  { name: 'pg_read_file', sql: () => "SELECT pg_read_file('/etc/passwd') AS f", status: { sqlite: 400, postgres: 403 } },
  { name: 'lo_import', sql: () => "SELECT lo_import('/etc/passwd') AS f", status: { sqlite: 400, postgres: 403 } },
  // SQLite: refused by the connection (extension loading off) before the authorizer is asked: a 400.
  { name: 'load_extension', sql: () => "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6') AS e", status: { sqlite: 400, postgres: 403 } },
  { name: 'PRAGMA', sql: () => 'PRAGMA database_list', status: 403, code: 'sql_refused' },
  { name: 'pragma table-valued function', sql: () => "SELECT * FROM pragma_database_list", status: { sqlite: 403, postgres: 400 } },
  { name: 'listing every schema from the catalog', sql: ({ backend }) => (backend === 'postgres' ? 'SELECT nspname FROM pg_namespace' : "SELECT name FROM sqlite_temp_schema"), status: { sqlite: 403, postgres: 403 } },
  {
    name: "B's table names from the type catalog",
    sql: ({ backend }) => (backend === 'postgres' ? "SELECT typname FROM pg_type WHERE typname = 'secret'" : "SELECT name FROM sqlite_schema WHERE name = 'secret'"),
    status: { sqlite: 200, postgres: 403 },
  },
  { name: "B's tables from the statistics views", sql: ({ backend }) => (backend === 'postgres' ? 'SELECT relname FROM pg_stat_all_tables' : 'SELECT 1 AS x'), status: { sqlite: 200, postgres: 403 } },
  { name: "to_regclass of B's table", sql: ({ foreign, backend }) => (backend === 'postgres' ? `SELECT to_regclass('${foreign}') AS r` : `SELECT * FROM ${foreign}`), status: { sqlite: 400, postgres: 403 } },
  { name: 'a write hidden in a CTE', sql: () => 'WITH x AS (DELETE FROM mine RETURNING *) SELECT * FROM x', status: { sqlite: 400, postgres: 403 } },
  { name: 'a data-modifying CTE at the top', sql: () => 'WITH x AS (SELECT 1) DELETE FROM mine', status: { sqlite: 403, postgres: 400 } },
  { name: 'COPY ... TO PROGRAM', sql: () => "COPY mine TO PROGRAM 'id'", status: 403, code: 'sql_refused' },
  { name: 'CREATE FUNCTION', sql: () => 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', status: 403, code: 'sql_refused' },
  { name: 'an endless recursive CTE', sql: () => ENDLESS, status: 422, code: 'statement_timeout' },
  {
    name: 'a statement that turns its own timeout off',
    sql: ({ backend }) => (backend === 'postgres' ? "SELECT set_config('statement_timeout', '0', true) AS s, pg_sleep(30) AS z" : `SELECT 1 AS s, (${ENDLESS}) AS z`),
    // PostgreSQL: neither set_config nor pg_sleep is on the allow-list; the endless CTE above still times out.
    status: { sqlite: 422, postgres: 403 },
    code: { sqlite: 'statement_timeout', postgres: 'sql_refused' },
  },
  {
    name: 'one giant value',
    sql: ({ backend }) => (backend === 'postgres' ? "SELECT repeat('x', 200000000) AS pad" : "SELECT printf('%.*c', 200000000, 'x') AS pad"),
    // SQLite refuses to build it (length limit); PostgreSQL builds it and hits the cap or, on a slow
    // machine, the timeout first: either way a 422, never a crash.
    status: 422,
    code: { sqlite: 'result_too_large' },
  },
  { name: 'one giant blob', sql: ({ backend }) => (backend === 'postgres' ? 'SELECT decode(repeat(\'00\', 100000000), \'hex\') AS b' : 'SELECT randomblob(200000000) AS b'), status: 422, code: { sqlite: 'result_too_large' } },
  { name: 'a result with too many rows', sql: () => 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x FROM c', status: 422, code: 'result_too_large' },
  {
    name: 'a result with too many bytes',
    sql: ({ backend }) =>
      backend === 'postgres'
        ? "SELECT repeat('x', 100000) AS pad FROM generate_series(1, 50)"
        : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) SELECT replace(hex(zeroblob(50000)), '0', 'x') AS pad FROM c",
    status: 422,
    code: 'result_too_large',
  },
];

const pick = <T>(value: T | { sqlite: T; postgres: T }, backend: 'sqlite' | 'postgres'): T =>
  typeof value === 'object' && value !== null && 'sqlite' in value ? value[backend] : (value as T);

describe.each(BACKENDS)('project data across tenants ($name)', (kind) => {
  let backend: Backend;
  let app: FastifyInstance;
  const as = (project: string) => ({ [PROJECT_HEADER]: project });

  beforeAll(async () => {
    backend = await kind.open({ statementTimeoutMs: TIMEOUT_MS, maxResultRows: 1000, maxResultBytes: 256 * 1024 });
    app = await mountApp(backend);
    const { databases, kv } = backend;
    await databases.createDatabase(B, 'main');
    await databases.createDatabase(B, 'private');
    await databases.createTable(B, 'main', 'secret', [{ name: 'v', type: 'text' }]);
    await databases.insertRows(B, 'main', 'secret', [{ v: 'b-secret' }]);
    await databases.createTable(B, 'main', 'ledger', [{ name: 'v', type: 'text' }]);
    await kv.set(B, 'token', 'b-token');
    await databases.createDatabase(A, 'main');
    await databases.createTable(A, 'main', 'mine', [{ name: 'v', type: 'text' }]);
    await databases.insertRows(A, 'main', 'mine', [{ v: 'a-row' }]);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
  });

  const bIsIntact = async () => {
    expect((await backend.databases.query(B, 'main', 'SELECT v FROM secret')).rows).toEqual([{ v: 'b-secret' }]);
    expect((await backend.kv.get(B, 'token'))?.value).toBe('b-token');
    expect((await backend.databases.listDatabases(B)).map((d) => d.name)).toEqual(['main', 'private']);
  };

  it('lists only its own databases and tables', async () => {
    const dbs = await app.inject({ method: 'GET', url: '/v1/databases', headers: as(A) });
    expect(dbs.json().databases.map((d: { name: string }) => d.name)).toEqual(['main']);
    const tables = await app.inject({ method: 'GET', url: '/v1/databases/main/tables', headers: as(A) });
    expect(tables.json().tables.map((t: { name: string }) => t.name)).toEqual(['mine']);
  });

  it("answers B's guessed database names exactly like absent ones", async () => {
    const guessed = await app.inject({ method: 'GET', url: '/v1/databases/private/tables', headers: as(A) });
    const absent = await app.inject({ method: 'GET', url: '/v1/databases/nothing_here/tables', headers: as(A) });
    expect(guessed.statusCode).toBe(404);
    expect(guessed.json().error.code).toBe('not_found');
    expect(absent.statusCode).toBe(404);
    const query = await app.inject({ method: 'POST', url: '/v1/databases/private/query', headers: as(A), payload: { sql: 'SELECT 1 AS one' } });
    expect(query.statusCode).toBe(404);
    const drop = await app.inject({ method: 'DELETE', url: '/v1/databases/private', headers: as(A) });
    expect(drop.statusCode).toBe(404);
    await bIsIntact();
  });

  it.each(['..%2F..%2Fproj_b%2Fdatabases%2Fmain', '..', 'Main', 'main.sqlite', '%2Fetc%2Fpasswd', 'main%00', 'a'.repeat(41)])(
    'refuses the database name %s with 400 naming the field',
    async (name) => {
      const res = await app.inject({ method: 'POST', url: `/v1/databases/${name}/query`, headers: as(A), payload: { sql: 'SELECT 1 AS one' } });
      // A bare ".." is resolved away by URL normalisation (no such route); every other name is refused.
      expect([400, 404]).toContain(res.statusCode);
      if (res.statusCode === 400) expect(res.json().error.issues[0].field).toBe('database');
      const create = await app.inject({ method: 'POST', url: '/v1/databases', headers: as(A), payload: { name: decodeURIComponent(name) } });
      expect(create.statusCode).toBe(400);
      expect(create.json().error.issues[0].field).toBe('name');
    },
  );

  it('ignores no project named in a body: an extra field is refused, the credential decides', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/databases', headers: as(A), payload: { name: 'x', project: B } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].field).toBe('project');
    const none = await app.inject({ method: 'GET', url: '/v1/databases' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
  });

  it("cannot overwrite, update or delete B's rows by naming B's table", async () => {
    const url = '/v1/databases/main/tables/secret/rows';
    const insert = await app.inject({ method: 'POST', url, headers: as(A), payload: { rows: [{ v: 'pwned' }] } });
    const update = await app.inject({ method: 'PATCH', url, headers: as(A), payload: { set: { v: 'pwned' }, where: { v: 'b-secret' } } });
    const remove = await app.inject({ method: 'DELETE', url, headers: as(A), payload: { where: { v: 'b-secret' } } });
    for (const res of [insert, update, remove]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const create = await app.inject({ method: 'POST', url: '/v1/databases/main/tables', headers: as(A), payload: { name: 'secret', columns: [{ name: 'v', type: 'text' }] } });
    expect(create.statusCode).toBe(201);
    await bIsIntact();
  });

  it('puts SQL in a where clause only as a value', async () => {
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/databases/main/tables/mine/rows',
      headers: as(A),
      payload: { where: { v: "x' OR '1'='1" } },
    });
    expect(res.json()).toEqual({ changed: 0 });
    const column = await app.inject({ method: 'DELETE', url: '/v1/databases/main/tables/mine/rows', headers: as(A), payload: { where: { 'v" OR 1=1 --': 1 } } });
    expect(column.statusCode).toBe(400);
    expect(column.json().error.issues[0].field).toMatch(/^where/);
    expect((await backend.databases.query(A, 'main', 'SELECT v FROM mine')).rows).toEqual([{ v: 'a-row' }]);
  });

  it("cannot read, overwrite or delete B's keys", async () => {
    const get = await app.inject({ method: 'GET', url: '/v1/kv/token', headers: as(A) });
    expect(get.statusCode).toBe(404);
    const del = await app.inject({ method: 'DELETE', url: '/v1/kv/token', headers: as(A) });
    expect(del.statusCode).toBe(404);
    const put = await app.inject({ method: 'PUT', url: '/v1/kv/token', headers: as(A), payload: { value: 'a-token' } });
    expect(put.statusCode).toBe(200);
    const incr = await app.inject({ method: 'POST', url: '/v1/kv/..%2F..%2Fproj_b%2Fkv/incr', headers: as(A), payload: {} });
    expect(incr.json().value).toBe(1);
    expect((await app.inject({ method: 'GET', url: '/v1/kv/token', headers: as(A) })).json().value).toBe('a-token');
    await bIsIntact();
  });

  it.each(ATTACKS)('query: $name', async (attack) => {
    const sql = attack.sql({ foreign: backend.foreignTable(B, 'main', 'secret'), backend: kind.name });
    const started = performance.now();
    const res = await app.inject({ method: 'POST', url: '/v1/databases/main/query', headers: as(A), payload: { sql } });
    const elapsed = performance.now() - started;
    expect(res.statusCode, res.body).toBe(pick(attack.status, kind.name));
    const code = typeof attack.code === 'object' ? attack.code[kind.name] : attack.code;
    if (code) expect(res.json().error.code).toBe(code);
    else if (res.statusCode === 422) expect(['result_too_large', 'statement_timeout']).toContain(res.json().error.code);
    expect(res.body).not.toContain('b-secret');
    // Whatever the statement was, it stopped within the timeout (plus slack on a shared 2-core machine).
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 3_000);
    // A's own data survives and the backend still answers.
    expect((await backend.databases.query(A, 'main', 'SELECT v FROM mine')).rows).toEqual([{ v: 'a-row' }]);
    await bIsIntact();
  });
});
