export { DEFAULT_PROJECT_DATA_LIMITS } from './limits.js';
export { PostgresDatabases, PostgresTenancy, type PostgresOptions } from './postgres/pg-databases.js';
export { PostgresKv } from './postgres/pg-kv.js';
export { registerProjectDataRoutes, type ProjectDataRouteOptions } from './routes.js';
export { SqliteDatabases, type SqliteDatabasesOptions } from './sqlite/sqlite-databases.js';
export { SqliteKv, type SqliteKvOptions } from './sqlite/sqlite-kv.js';
export type * from './types.js';
