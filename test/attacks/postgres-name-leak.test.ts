// Project A, on the same PostgreSQL database as project B, tries to learn B's names (B's database, table
// and column names, B's role and schemas) with its own SQL: the catalog and information_schema, the
// reg* output functions over an oid sweep, catalog functions (pg_describe_object, pg_get_userbyid, ...),
// attribute notation, nested queries, column definition lists, and error messages for guessed names.
// Every answer, rows or error, must be free of B's names; a guessed name must be answered exactly like a
// name nobody has. A control shows the same probes do name B on a raw connection as A's role, so the
// assertions can fail.
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresDatabases } from '../../src/project-data/postgres/pg-databases.js';
import { databaseSchema, tenantNames, tenantPoolConfig } from '../../src/project-data/postgres/pg-tenants.js';
import { type Backend, mountApp, POSTGRES, PROJECT_HEADER, ROLE_SECRET } from '../project-data/backends.js';

const A = 'proj_a';
const B = 'proj_b';
/** Every name B chooses holds this marker, so one search finds any of them in an answer. */
const MARK = 'zebra';
const SWEEP = 'generate_series(16384, 40000)';

const PROBES: [name: string, sql: string][] = [
  ['regclass over an oid sweep', `SELECT string_agg(x::regclass::text, ',') AS n FROM ${SWEEP} x`],
  ['CAST AS regclass', `SELECT string_agg(CAST(x AS regclass)::text, ',') AS n FROM ${SWEEP} x`],
  ['pg_catalog.regclass, quoted', `SELECT string_agg(x::"pg_catalog"."regclass"::text, ',') AS n FROM ${SWEEP} x`],
  ['regclass arrays', `SELECT array_agg(x)::regclass[]::text AS n FROM ${SWEEP} x`],
  ['regtype over an oid sweep (row types of tables)', `SELECT string_agg(x::oid::regtype::text, ',') AS n FROM ${SWEEP} x`],
  ['regnamespace and regrole', `SELECT string_agg(x::regnamespace::text || x::regrole::text, ',') AS n FROM ${SWEEP} x`],
  ['regclass as a function-style cast', `SELECT string_agg(text(regclass(x)), ',') AS n FROM ${SWEEP} x`],
  ['to_regclass on a guessed schema', "SELECT to_regclass('d_0000.zebra_ledger') AS r"],
  ['to_regnamespace / to_regrole', "SELECT to_regnamespace('x') AS a, to_regrole('x') AS b"],
  ['pg_describe_object over a sweep (columns)', `SELECT string_agg(pg_describe_object(1259, x, 1), ',') AS n FROM ${SWEEP} x`],
  ['pg_identify_object_as_address', `SELECT string_agg(pg_identify_object_as_address(1259, x, 1)::text, ',') AS n FROM ${SWEEP} x`],
  ['pg_get_userbyid (role names)', 'SELECT string_agg(pg_get_userbyid(x), \',\') AS n FROM generate_series(10, 40000) x'],
  ['pg_get_userbyid schema-qualified', 'SELECT pg_catalog.pg_get_userbyid(10) AS n'],
  ['attribute notation (10).pg_get_userbyid', 'SELECT (10).pg_get_userbyid AS n'],
  ['attribute notation over a sweep', `SELECT string_agg((x).pg_get_userbyid, ',') AS n FROM generate_series(10, 40000) x`],
  ['three-part column reference', 'SELECT x.x.pg_get_userbyid AS n FROM generate_series(10, 40000) x'],
  ['pg_get_indexdef over a sweep', `SELECT string_agg(pg_get_indexdef(x), ',') AS n FROM ${SWEEP} x`],
  ['pg_get_constraintdef over a sweep', `SELECT string_agg(pg_get_constraintdef(x), ',') AS n FROM ${SWEEP} x`],
  ['format_type over a sweep', `SELECT string_agg(format_type(x, NULL), ',') AS n FROM ${SWEEP} x`],
  ['obj_description / col_description', `SELECT obj_description(16384) AS a, col_description(16384, 1) AS b`],
  ['has_schema_privilege on guessed names', "SELECT has_schema_privilege('d_0000', 'USAGE') AS a"],
  ['pg_relation_size / pg_stat_get_live_tuples sweep', `SELECT sum(pg_relation_size(x)) AS a, sum(pg_stat_get_live_tuples(x)) AS b FROM ${SWEEP} x`],
  ['nextval on a guessed sequence (error oracle)', "SELECT nextval('d_0000.zebra_seq') AS n"],
  ['query_to_xml', "SELECT query_to_xml('SELECT * FROM pg_class', true, false, '') AS x"],
  ['database_to_xml', "SELECT database_to_xml(true, false, '') AS x"],
  ['schema_to_xml', "SELECT schema_to_xml('public', true, false, '') AS x"],
  ['current_setting', "SELECT current_setting('search_path') AS a"],
  ['pg_typeof', 'SELECT pg_typeof(1) AS t'],
  ['pg_namespace', 'SELECT nspname FROM pg_namespace'],
  ['pg_catalog.pg_class, upper case', 'SELECT relname FROM PG_CATALOG.PG_CLASS'],
  ['"pg_class" quoted', 'SELECT relname FROM "pg_class"'],
  ['TABLE pg_namespace', 'TABLE pg_namespace'],
  ['pg_tables', 'SELECT * FROM pg_tables'],
  ['pg_roles', 'SELECT rolname FROM pg_roles'],
  ['pg_stat_all_tables', 'SELECT relname FROM pg_stat_all_tables'],
  ['pg_stat_activity', 'SELECT query FROM pg_stat_activity'],
  ['pg_database', 'SELECT datname FROM pg_database'],
  ['information_schema.schemata', 'SELECT schema_name FROM information_schema.schemata'],
  ['information_schema.tables', 'SELECT table_schema, table_name FROM information_schema.tables'],
  ['information_schema.columns', 'SELECT column_name FROM information_schema.columns'],
  ['the catalog in a CTE', 'WITH t AS (SELECT relname FROM pg_class) SELECT * FROM t'],
  ['the catalog in a scalar subquery', 'SELECT (SELECT string_agg(relname, \',\') FROM pg_class) AS n'],
  ['the catalog in a LATERAL join', 'SELECT n FROM mine, LATERAL (SELECT relname AS n FROM pg_class) c'],
  ['a catalog function in ROWS FROM', 'SELECT * FROM ROWS FROM (pg_get_userbyid(10)) AS r'],
  ['a catalog function as a window function argument', 'SELECT max(pg_get_userbyid(10)) OVER () AS n FROM mine'],
  ['a catalog function in an aggregate FILTER', "SELECT count(*) FILTER (WHERE pg_get_userbyid(10) <> '') AS n FROM mine"],
  ['a catalog function in ORDER BY', 'SELECT v FROM mine ORDER BY pg_get_userbyid(10)'],
  ['regclass in a column definition list', `SELECT * FROM json_to_recordset('[{"a": 16400}]') AS t(a regclass)`],
  ['a catalog row type for json_populate_record', "SELECT * FROM json_populate_record(NULL::pg_class, '{}')"],
  ['%TYPE', 'SELECT 1::mine.v%TYPE AS n'],
  ['an operator from another schema', 'SELECT 1 OPERATOR(d_0000.=) 1 AS n'],
  ['ORDER BY USING an operator from another schema', 'SELECT v FROM mine ORDER BY v USING OPERATOR(d_0000.<)'],
  ['SELECT INTO', 'SELECT * INTO stolen FROM mine'],
  ['tableoid as regclass (own table, still refused)', 'SELECT tableoid::regclass AS t FROM mine'],
  ['regclass hidden in a dollar-quoted string is only a string', "SELECT $q$ x::regclass $q$ AS s"],
  ['a comment that hides a second statement', 'SELECT 1 AS n /* */ ; SELECT relname FROM pg_class'],
];

describe('PostgreSQL: a project learns no other project\'s names', () => {
  let backend: Backend;
  let databases: PostgresDatabases;
  let app: FastifyInstance;
  let secrets: string[];

  beforeAll(async () => {
    backend = await POSTGRES.open({ statementTimeoutMs: 3_000 });
    databases = backend.databases as PostgresDatabases;
    app = await mountApp(backend);
    await databases.createDatabase(B, `${MARK}_vault`);
    await databases.createTable(B, `${MARK}_vault`, `${MARK}_ledger`, [
      { name: `${MARK}_iban`, type: 'text', primary_key: true },
      { name: `${MARK}_amount`, type: 'integer', unique: true },
    ]);
    await databases.insertRows(B, `${MARK}_vault`, `${MARK}_ledger`, [{ [`${MARK}_iban`]: 'DE00', [`${MARK}_amount`]: 1 }]);
    await backend.kv.set(B, `${MARK}_key`, 'v');
    await databases.createDatabase(A, 'main');
    await databases.createTable(A, 'main', 'mine', [{ name: 'v', type: 'text' }]);
    await databases.insertRows(A, 'main', 'mine', [{ v: 'a-row' }]);
    const b = tenantNames(B, ROLE_SECRET);
    secrets = [MARK, B, b.role, b.schema, databaseSchema(b, `${MARK}_vault`)];
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
  });

  const ask = async (sql: string) => {
    const res = await app.inject({ method: 'POST', url: '/v1/databases/main/query', headers: { [PROJECT_HEADER]: A }, payload: { sql } });
    return { status: res.statusCode, body: res.body };
  };
  const expectNoSecrets = (text: string) => {
    for (const secret of secrets) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
  };

  it('control: on a raw connection as its own role, A would read B\'s names from the catalog', async () => {
    const a = tenantNames(A, ROLE_SECRET);
    const client = new pg.Client(tenantPoolConfig(backend.adminUrl ?? '', a, 1));
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT string_agg(x::regclass::text, ',') AS n FROM ${SWEEP} x`);
      expect(String(rows[0]?.n)).toContain(`${MARK}_ledger`);
      const described = await client.query(`SELECT string_agg(pg_describe_object(1259, x, 1), ',') AS n FROM ${SWEEP} x`);
      expect(String(described.rows[0]?.n)).toContain(`${MARK}_iban`);
    } finally {
      await client.end();
    }
  });

  it.each(PROBES)('%s: the answer names nothing of B', async (_name, sql) => {
    const { status, body } = await ask(sql);
    expectNoSecrets(body);
    // The probes that only touch A's own data or strings may run; every other is refused before the server.
    if (status !== 200) expect(JSON.parse(body).error.code, body).toMatch(/^sql_(refused|failed)$/);
  });

  it('refuses every probe that reaches the catalog, rather than answering it', async () => {
    const harmless = new Set(['regclass hidden in a dollar-quoted string is only a string']);
    for (const [name, sql] of PROBES) {
      if (harmless.has(name)) continue;
      const { status, body } = await ask(sql);
      expect(status, `${name}: ${body}`).toBeGreaterThanOrEqual(400);
    }
  });

  it("answers B's table name, even schema-qualified with B's real schema, exactly like a name nobody has", async () => {
    const b = tenantNames(B, ROLE_SECRET);
    const guessed = await ask(`SELECT * FROM ${MARK}_ledger`);
    const absent = await ask('SELECT * FROM nobody_ledger');
    expect(guessed.status).toBe(400);
    expect(guessed.body.replaceAll(`${MARK}_ledger`, 'X')).toBe(absent.body.replaceAll('nobody_ledger', 'X'));
    const qualified = await ask(`SELECT * FROM ${databaseSchema(b, `${MARK}_vault`)}.${MARK}_ledger`);
    const random = await ask('SELECT * FROM d_0123456789abcdef01234567.nobody_ledger');
    expect(qualified.status).toBe(403);
    expect(qualified.body.replace(/d_[0-9a-f]{24}\.\w+/g, "X")).toBe(random.body.replace(/d_[0-9a-f]{24}\.\w+/g, "X"));
  });

  it("creating B's database and table names in A works as for any new name (no existence oracle)", async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/databases', headers: { [PROJECT_HEADER]: A }, payload: { name: `${MARK}_vault` } });
    expect(created.statusCode).toBe(201);
    const table = await app.inject({
      method: 'POST',
      url: `/v1/databases/${MARK}_vault/tables`,
      headers: { [PROJECT_HEADER]: A },
      payload: { name: `${MARK}_ledger`, columns: [{ name: 'v', type: 'text' }] },
    });
    expect(table.statusCode).toBe(201);
    expect(table.json().columns.map((c: { name: string }) => c.name)).toEqual(['v']);
    await databases.dropDatabase(A, `${MARK}_vault`);
  });

  it("lists only A's names, and B's schema names carry neither project nor database name", async () => {
    const listed = JSON.stringify([await databases.listDatabases(A), await databases.listTables(A, 'main')]);
    expectNoSecrets(listed);
    const b = tenantNames(B, ROLE_SECRET);
    for (const name of [b.role, b.schema, databaseSchema(b, `${MARK}_vault`)]) {
      expect(name).toMatch(/^[pd]_[0-9a-f]{24}$/);
    }
    expect((await databases.listDatabases(B)).map((d) => d.name)).toEqual([`${MARK}_vault`]);
  });

  it('still runs ordinary queries over its own tables', async () => {
    const { status, body } = await ask(
      "SELECT upper(v) AS v, length(v)::int AS n, to_char(now(), 'YYYY') <> '' AS t, count(*) OVER () AS c, jsonb_build_object('k', v) AS j FROM mine m WHERE m.v LIKE 'a%' ORDER BY 1",
    );
    expect(status, body).toBe(200);
    expect(JSON.parse(body).rows).toEqual([{ v: 'A-ROW', n: 5, t: true, c: 1, j: { k: 'a-row' } }]);
  });
});
