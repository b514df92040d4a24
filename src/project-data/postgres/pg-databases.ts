/**
 * The PostgreSQL backend (several nodes, one server): see pg-tenants.ts for the role-per-project model.
 * Every call is one transaction on a connection logged in as the project's role, with SET LOCAL
 * statement_timeout and search_path pinned to the database's schema; `query` also runs READ ONLY and
 * returns its rows as one JSON value whose size the server checks before sending it.
 */
import pg from 'pg';
import { IsolaError } from '../../contract/errors.js';
import { resolveLimits } from '../limits.js';
import { checkDatabaseName, checkIdentifier, notFound, quoteIdent } from '../names.js';
import { checkReadStatement } from '../sql-guard.js';
import { columnDefinition, createTableSql, deleteSql, insertSql, POSTGRES_DIALECT, type Statement, updateSql } from '../statements.js';
import type {
  CellValue,
  ChangeResult,
  ColumnSpec,
  DatabaseInfo,
  ProjectDataLimits,
  ProjectDatabases,
  QueryResult,
  Scalar,
  TableInfo,
  Where,
} from '../types.js';
import { pgError } from './pg-errors.js';
import { checkProjectQuery, preloadProjectQueryGuard } from './pg-query-guard.js';
import { databaseSchema, ensureTenant, hardenDatabase, literal, type TenantNames, tenantNames, tenantPoolConfig } from './pg-tenants.js';

export interface PostgresOptions {
  /** A role that may create roles and schemas (CREATEROLE and CREATE on the database, or a superuser). */
  adminUrl: string;
  /** Secret the project roles' passwords are derived from; the same on every node. */
  roleSecret: string;
  limits?: Partial<ProjectDataLimits>;
  /** Connections per project pool. Default 2. */
  connectionsPerProject?: number;
}

/** The schema of the call is absent: the caller names what that means (no such database). */
class SchemaMissing extends Error {
  override readonly name = 'SchemaMissing';
}

/** The admin pool, the per-project pools and the provisioning cache, shared by databases and KV. */
export class PostgresTenancy {
  readonly admin: pg.Pool;
  readonly limits: ProjectDataLimits;
  private readonly pools = new Map<string, pg.Pool>();
  private readonly ready = new Map<string, Promise<TenantNames>>();
  private hardened: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: PostgresOptions) {
    this.admin = new pg.Pool({ connectionString: options.adminUrl, max: 4, allowExitOnIdle: true });
    // An idle connection the server dropped (a restart, a failover) must not crash the process: the next
    // call opens a new one, and /readyz says whether the server answers meanwhile.
    this.admin.on('error', () => {});
    this.limits = resolveLimits(options.limits);
  }

  /** Role and schema of the project, created on first use. */
  tenant(projectId: string): Promise<TenantNames> {
    const names = tenantNames(projectId, this.options.roleSecret);
    let ready = this.ready.get(names.role);
    if (!ready) {
      if (!this.hardened) {
        const hardened = hardenDatabase(this.admin);
        // A failure (server restarting) is retried by the next call rather than remembered.
        hardened.catch(() => {
          if (this.hardened === hardened) this.hardened = undefined;
        });
        this.hardened = hardened;
      }
      ready = this.hardened.then(() => ensureTenant(this.admin, names)).then(() => names);
      ready.catch(() => this.ready.delete(names.role));
      this.ready.set(names.role, ready);
    }
    return ready;
  }

  /**
   * Runs `work` in one transaction as the project's role: statement timeout and search_path set LOCAL,
   * so nothing outlives the call on the pooled connection.
   */
  async transaction<T>(names: TenantNames, schema: string, readOnly: boolean, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool(names).connect();
    let broken = false;
    try {
      // One round trip: the transaction, its settings, and whether the schema exists (to_regnamespace
      // reads the catalog cache, so it needs no SELECT on pg_namespace, which PUBLIC no longer has).
      const opened = (await client.query(
        `BEGIN${readOnly ? ' READ ONLY' : ''}; SET LOCAL statement_timeout = ${Math.floor(this.limits.statementTimeoutMs)}; SET LOCAL lock_timeout = ${Math.floor(this.limits.statementTimeoutMs)}; SET LOCAL search_path = ${quoteIdent(schema)}; SELECT to_regnamespace(${literal(schema)}) IS NOT NULL AS ok`,
      )) as unknown as pg.QueryResult<{ ok: boolean }>[];
      if (opened.at(-1)?.rows[0]?.ok !== true) throw new SchemaMissing();
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Whether the server answers `SELECT 1` within `timeoutMs` (for /readyz). */
  async ping(timeoutMs = 1_000): Promise<{ ready: boolean; reason?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.admin.query('SELECT 1'), late]);
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `work` in one transaction on the admin pool (provisioning: a schema and its isola_meta row). */
  async asAdmin<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.admin.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw pgError(error);
    } finally {
      client.release(broken);
    }
  }

  /** Bytes of every table (with indexes and TOAST) the project's role owns. */
  async projectBytes(names: TenantNames): Promise<number> {
    const { rows } = await this.admin.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
       JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1 AND c.relkind IN ('r', 'm')`,
      [names.role],
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  async checkQuota(names: TenantNames): Promise<void> {
    if ((await this.projectBytes(names)) >= this.limits.maxDatabaseBytes) {
      throw new IsolaError('database_quota_exceeded', "The write would take the project's databases past their byte quota");
    }
  }

  private pool(names: TenantNames): pg.Pool {
    let pool = this.pools.get(names.role);
    if (!pool) {
      pool = new pg.Pool(tenantPoolConfig(this.options.adminUrl, names, this.options.connectionsPerProject ?? 2));
      // An idle connection the server dropped must not crash the process.
      pool.on('error', () => {});
      this.pools.set(names.role, pool);
    }
    return pool;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.pools.values()].map((p) => p.end()));
      await this.admin.end();
    })();
    return this.closed;
  }
}

/**
 * The extended protocol even without parameters: PostgreSQL then refuses a second statement in the text
 * ("cannot insert multiple commands into a prepared statement"). @types/pg does not know queryMode yet.
 */
export function extended(text: string, values: Scalar[]): pg.QueryConfig<Scalar[]> {
  return { text, values, queryMode: 'extended' } as pg.QueryConfig<Scalar[]>;
}

export class PostgresDatabases implements ProjectDatabases {
  readonly tenancy: PostgresTenancy;

  constructor(tenancy: PostgresTenancy) {
    this.tenancy = tenancy;
    preloadProjectQueryGuard();
  }

  async createDatabase(projectId: string, name: string): Promise<DatabaseInfo> {
    const names = await this.tenancy.tenant(projectId);
    const schema = databaseSchema(names, name);
    await this.tenancy.asAdmin(async (client) => {
      await client.query(`CREATE SCHEMA ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(names.role)}`);
      await client.query('INSERT INTO isola_meta.databases (schema_name, role, name) VALUES ($1, $2, $3)', [schema, names.role, name]);
    });
    return { name, bytes: 0 };
  }

  async listDatabases(projectId: string): Promise<DatabaseInfo[]> {
    const names = await this.tenancy.tenant(projectId);
    const { rows } = await this.tenancy.admin.query<{ name: string; bytes: string }>(
      `SELECT d.name, coalesce((SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'r'), 0)::bigint AS bytes
       FROM isola_meta.databases d JOIN pg_namespace n ON n.nspname = d.schema_name JOIN pg_roles r ON r.oid = n.nspowner
       WHERE d.role = $1 AND r.rolname = $1 ORDER BY d.name`,
      [names.role],
    );
    return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
  }

  async dropDatabase(projectId: string, name: string): Promise<void> {
    const names = await this.tenancy.tenant(projectId);
    const schema = databaseSchema(names, name);
    await this.requireDatabase(names, schema, name);
    await this.tenancy.asAdmin(async (client) => {
      await client.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await client.query('DELETE FROM isola_meta.databases WHERE schema_name = $1', [schema]);
    });
  }

  async listTables(projectId: string, database: string): Promise<TableInfo[]> {
    return this.run(projectId, database, true, undefined, async (client, schema) => {
      const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; pk: boolean }>(
        `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
           EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t
             ON t.constraint_schema = k.constraint_schema AND t.constraint_name = k.constraint_name
             WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name) AS pk
         FROM information_schema.columns c WHERE c.table_schema = $1 ORDER BY c.table_name, c.ordinal_position`,
        [schema],
      );
      const tables = new Map<string, TableInfo>();
      for (const row of rows) {
        let table = tables.get(row.table_name);
        if (!table) tables.set(row.table_name, (table = { name: row.table_name, columns: [] }));
        table.columns.push({ name: row.column_name, type: row.data_type, nullable: row.is_nullable === 'YES', primary_key: row.pk });
      }
      return [...tables.values()];
    });
  }

  async createTable(projectId: string, database: string, table: string, columns: ColumnSpec[]): Promise<TableInfo> {
    const sql = createTableSql(POSTGRES_DIALECT, table, columns);
    await this.run(projectId, database, false, undefined, (client) => client.query(sql), true);
    return this.describe(projectId, database, table);
  }

  async createColumn(projectId: string, database: string, table: string, column: ColumnSpec): Promise<TableInfo> {
    checkIdentifier(table, 'table');
    const definition = columnDefinition(POSTGRES_DIALECT, column, 'column');
    await this.run(projectId, database, false, table, (client) => client.query(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${definition}`), true);
    return this.describe(projectId, database, table);
  }

  async insertRows(projectId: string, database: string, table: string, rows: Record<string, CellValue>[]): Promise<ChangeResult> {
    const limit = this.tenancy.limits.maxInsertRows;
    if (rows.length > limit) {
      throw new IsolaError('payload_too_large', 'Too large: rows', { issues: [{ field: 'rows', message: `at most ${limit} rows per call` }] });
    }
    return this.change(projectId, database, table, insertSql(POSTGRES_DIALECT, table, rows));
  }

  async updateRows(projectId: string, database: string, table: string, set: Record<string, CellValue>, where: Where): Promise<ChangeResult> {
    return this.change(projectId, database, table, updateSql(POSTGRES_DIALECT, table, set, where));
  }

  async deleteRows(projectId: string, database: string, table: string, where: Where): Promise<ChangeResult> {
    return this.change(projectId, database, table, deleteSql(POSTGRES_DIALECT, table, where));
  }

  async query(projectId: string, database: string, sql: string, params: Scalar[] = []): Promise<QueryResult> {
    const statement = checkReadStatement(sql);
    const { maxResultRows: maxRows, maxResultBytes: maxBytes } = this.tenancy.limits;
    // The server aggregates at most maxRows + 1 rows into one JSON text and sends it only under the caps,
    // so a huge result costs the server its statement timeout and the client nothing. The newlines keep a
    // trailing "--" comment in the user's SQL from swallowing the wrapper.
    const wrapped = `SELECT n, octet_length(j) AS bytes, CASE WHEN n <= ${maxRows} AND octet_length(j) <= ${maxBytes} THEN j END AS rows
FROM (SELECT count(*) AS n, coalesce(json_agg(isola_r), '[]')::text AS j FROM (SELECT * FROM (
${statement}
) isola_r LIMIT ${maxRows + 1}) isola_r) isola_t`;
    // The exact text the server will run, wrapper included, so no reading of the user's part differs.
    await checkProjectQuery(wrapped);
    const result = await this.run(projectId, database, true, undefined, (client) =>
      client.query<{ n: string; bytes: number; rows: string | null }>(extended(wrapped, params)),
    );
    const row = result.rows[0];
    if (!row || row.rows === null) {
      throw new IsolaError('result_too_large', `The result is over the cap of ${maxRows} rows / ${maxBytes} bytes; narrow it with WHERE or LIMIT`, {
        issues: [{ field: 'sql', message: `result over the cap of ${maxRows} rows / ${maxBytes} bytes` }],
      });
    }
    const rows = JSON.parse(row.rows) as Record<string, unknown>[];
    return { rows, row_count: rows.length };
  }

  async close(): Promise<void> {
    await this.tenancy.close();
  }

  private async describe(projectId: string, database: string, table: string): Promise<TableInfo> {
    const info = (await this.listTables(projectId, database)).find((t) => t.name === table);
    if (!info) throw notFound('table', table);
    return info;
  }

  private change(projectId: string, database: string, table: string, statement: Statement): Promise<ChangeResult> {
    return this.run(
      projectId,
      database,
      false,
      table,
      async (client) => ({ changed: (await client.query(extended(statement.sql, statement.params))).rowCount ?? 0 }),
      true,
    );
  }

  private async requireDatabase(names: TenantNames, schema: string, name: string): Promise<void> {
    // Owned by the project's role: a schema of the same name owned by anyone else is not this project's.
    const { rows } = await this.tenancy.admin.query<{ ok: boolean }>(
      `SELECT n.nspname IS NOT NULL AS ok FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = $1 AND r.rolname = $2`,
      [schema, names.role],
    );
    if (rows.length === 0) throw notFound('database', name);
  }

  private async run<T>(
    projectId: string,
    database: string,
    readOnly: boolean,
    table: string | undefined,
    work: (client: pg.PoolClient, schema: string) => Promise<T>,
    writes = false,
  ): Promise<T> {
    checkDatabaseName(database);
    const names = await this.tenancy.tenant(projectId);
    const schema = databaseSchema(names, database);
    if (writes) await this.tenancy.checkQuota(names);
    try {
      return await this.tenancy.transaction(names, schema, readOnly, (client) => work(client, schema));
    } catch (error) {
      if (error instanceof SchemaMissing) throw notFound('database', database);
      throw pgError(error, table === undefined ? {} : { table });
    }
  }
}

