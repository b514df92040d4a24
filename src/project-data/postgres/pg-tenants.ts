/**
 * Tenancy in one PostgreSQL database: each project is a role that logs in as itself (so no statement it
 * sends can SET ROLE or set_config('role') to anyone else: it is a member of nothing), owns one schema for
 * its KV table and one schema per database, and has no privilege on any other schema. Connections for a
 * project's calls are opened as that role; the admin connection only creates and drops roles and schemas.
 *
 * Role passwords are derived (HMAC of the project id under the operator's secret), so nodes sharing the
 * database need no shared table of credentials. Role and schema names are opaque HMAC tags under the same
 * secret: should any path ever show one tenant another's role or schema name, it names neither the
 * project nor the database (isola_meta.databases, which only the admin reads, maps them back).
 */
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { checkDatabaseName, checkProjectId, quoteIdent } from '../names.js';

export interface TenantNames {
  role: string;
  /** The project's own schema (the KV table). */
  schema: string;
  password: string;
  /** Key of the project's database schema names (see databaseSchema). */
  schemaKey: string;
}

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text);

export function tenantNames(projectId: string, secret: string): TenantNames {
  checkProjectId(projectId);
  // A fixed-length tag keeps every name under PostgreSQL's 63-byte limit whatever the project id is; keyed,
  // so knowing a project id does not tell which role is that project's.
  const tag = hmac(secret, `isola-role:${projectId}`).digest('hex').slice(0, 24);
  const password = hmac(secret, `isola-project:${projectId}`).digest('base64url');
  const schemaKey = hmac(secret, `isola-schemas:${projectId}`).digest('hex');
  return { role: `p_${tag}`, schema: `p_${tag}`, password, schemaKey };
}

/** The schema of one of the project's databases: `d_` and a tag that names neither project nor database. */
export function databaseSchema(names: TenantNames, database: string): string {
  return `d_${hmac(names.schemaKey, checkDatabaseName(database)).digest('hex').slice(0, 24)}`;
}

/** Only for names built above ([a-z0-9_]) and derived passwords (base64url): no quote can occur. */
export function literal(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error(`refusing to embed ${JSON.stringify(text)} as a literal`);
  return `'${text}'`;
}

/** Once per database: PUBLIC may not create, read or make temp tables anywhere, nor read the catalog. */
export async function hardenDatabase(admin: pg.Pool): Promise<void> {
  const { rows } = await admin.query<{ db: string }>('SELECT current_database() AS db');
  const db = quoteIdent(rows[0]?.db ?? 'postgres');
  // One statement list, one implicit transaction; the lock lets nodes starting together take turns.
  await admin.query(`
    SELECT pg_advisory_xact_lock(hashtext('isola_meta'));
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
    REVOKE CREATE, TEMPORARY ON DATABASE ${db} FROM PUBLIC;
    -- Every catalog table and view (pg_class, pg_type, pg_namespace, pg_stat_all_tables, ...) names other
    -- tenants' objects. The parser and planner read the catalog caches, not SQL, so queries still work;
    -- information_schema keeps working too (its views run as their owner and filter by privilege).
    REVOKE SELECT ON ALL TABLES IN SCHEMA pg_catalog FROM PUBLIC;
    CREATE SCHEMA IF NOT EXISTS isola_meta;
    REVOKE ALL ON SCHEMA isola_meta FROM PUBLIC;
    -- The way back from an opaque schema name to the database name the project gave it.
    CREATE TABLE IF NOT EXISTS isola_meta.databases (schema_name text PRIMARY KEY, role text NOT NULL, name text NOT NULL);
  `);
}

/** Creates the project's role, schema and KV table if absent (idempotent, safe across nodes). */
export async function ensureTenant(admin: pg.Pool, names: TenantNames): Promise<void> {
  const role = quoteIdent(names.role);
  const schema = quoteIdent(names.schema);
  const client = await admin.connect();
  try {
    // One advisory lock per role name: two nodes provisioning the same project do it one after the other.
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [names.role]);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [names.role]);
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    if (exists.rowCount === 0) {
      await client.query(
        `CREATE ROLE ${role} LOGIN PASSWORD ${literal(names.password)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 20`,
      );
    }
    await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(rows[0]?.db ?? 'postgres')} TO ${role}`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.kv (key text PRIMARY KEY, value jsonb NOT NULL, expires_at bigint)`,
    );
    await client.query(`ALTER TABLE ${schema}.kv OWNER TO ${role}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Connection settings for a pool that logs in as the project's role: the admin URL with the role's name
 * and password in place of the admin's, so host, port, database and TLS settings (`?sslmode=...`) carry over.
 */
export function tenantPoolConfig(adminUrl: string, names: TenantNames, max: number): pg.PoolConfig {
  const url = new URL(adminUrl);
  // Without a database in the URL, pg connects the admin to the database named like its user; the
  // project's role must land in that same database, not in one named like itself.
  if (url.pathname === '' || url.pathname === '/') url.pathname = `/${url.username || 'postgres'}`;
  url.username = names.role;
  url.password = names.password;
  return {
    connectionString: url.toString(),
    max,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    // The project's calls never leave a session setting behind: every call runs in its own transaction
    // with SET LOCAL, and the role has no privilege a leftover setting could widen.
    application_name: 'isola-project',
  };
}
