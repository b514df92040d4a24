/**
 * The two project-data backends behind one factory, for suites that run the same table over both, and
 * an app that mounts the routes with a test credential: the `x-test-project` header names the project
 * (standing in for the API-key layer, which owns auth).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { PostgresDatabases, PostgresTenancy } from '../../src/project-data/postgres/pg-databases.js';
import { PostgresKv } from '../../src/project-data/postgres/pg-kv.js';
import { databaseSchema, tenantNames } from '../../src/project-data/postgres/pg-tenants.js';
import { registerProjectDataRoutes } from '../../src/project-data/routes.js';
import { SqliteDatabases } from '../../src/project-data/sqlite/sqlite-databases.js';
import { SqliteKv } from '../../src/project-data/sqlite/sqlite-kv.js';
import type { ProjectDataLimits, ProjectDatabases, ProjectKv } from '../../src/project-data/types.js';
import { toErrorReply } from '../../src/server/error-reply.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';

export interface Backend {
  databases: ProjectDatabases;
  kv: ProjectKv;
  /** What a table reference into another project's database looks like in this backend. */
  foreignTable(project: string, database: string, table: string): string;
  /** PostgreSQL: the superuser URL of the backend's own test database. */
  adminUrl?: string;
  close(): Promise<void>;
}

export interface BackendKind {
  name: 'sqlite' | 'postgres';
  /** The first positional parameter in this dialect. */
  param: string;
  open(limits?: Partial<ProjectDataLimits>): Promise<Backend>;
}

export const ROLE_SECRET = 'test-role-secret';

export const SQLITE: BackendKind = {
  name: 'sqlite',
  param: '?',
  async open(limits) {
    const storeDir = mkdtempSync(join(tmpdir(), 'isola-pd-'));
    const databases = new SqliteDatabases({ storeDir, ...(limits ? { limits } : {}) });
    const kv = new SqliteKv({ storeDir, ...(limits ? { limits } : {}) });
    return {
      databases,
      kv,
      foreignTable: (project, database, table) => `'${databases.files.databaseFile(project, database)}'.${table}`,
      async close() {
        await databases.close();
        await kv.close();
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  },
};

let server: PostgresServer | undefined;
let users = 0;

/** One PostgreSQL server per test file, started on first use and stopped with the last backend. */
export const POSTGRES: BackendKind = {
  name: 'postgres',
  param: '$1',
  async open(limits) {
    server ??= await startPostgres();
    users += 1;
    // A fresh database per backend, so suites do not see each other's roles' schemas.
    const admin = new PostgresTenancy({ adminUrl: server.url, roleSecret: ROLE_SECRET });
    const db = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    await admin.admin.query(`CREATE DATABASE ${db}`);
    await admin.close();
    const url = server.url.replace(/\/postgres$/, `/${db}`);
    const tenancy = new PostgresTenancy({ adminUrl: url, roleSecret: ROLE_SECRET, ...(limits ? { limits } : {}) });
    return {
      databases: new PostgresDatabases(tenancy),
      kv: new PostgresKv(tenancy),
      adminUrl: url,
      foreignTable: (project, database, table) => `${databaseSchema(tenantNames(project, ROLE_SECRET), database)}.${table}`,
      async close() {
        await tenancy.close();
        users -= 1;
        if (users === 0) {
          server?.stop();
          server = undefined;
        }
      },
    };
  },
};

export const BACKENDS: BackendKind[] = [SQLITE, POSTGRES];

export const PROJECT_HEADER = 'x-test-project';

export async function mountApp(backend: Backend): Promise<FastifyInstance> {
  const app = fastify({ logger: false });
  app.setErrorHandler((error, request, reply) => {
    const out = toErrorReply(error, request.id, 1 << 20);
    return reply.code(out.status).send(out.body);
  });
  registerProjectDataRoutes(app, {
    databases: backend.databases,
    kv: backend.kv,
    projectOf: (request) => {
      const value = request.headers[PROJECT_HEADER];
      return typeof value === 'string' ? value : undefined;
    },
  });
  await app.ready();
  return app;
}
