/**
 * The project-data routes in the OpenAPI document, with request bodies generated from the same zod
 * schemas the routes validate with (route-schemas.ts).
 */
import { z } from 'zod';
import {
  ColumnSchema,
  CreateDatabaseBody,
  CreateTableBody,
  DeleteRowsBody,
  InsertRowsBody,
  KvIncrBody,
  KvSetBody,
  QueryBody,
  UpdateRowsBody,
} from './route-schemas.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export const PROJECT_DATA_SCHEMAS: Record<string, JsonSchema> = {
  CreateDatabaseBody: schemaOf(CreateDatabaseBody),
  CreateTableBody: schemaOf(CreateTableBody),
  ColumnSpec: schemaOf(ColumnSchema),
  InsertRowsBody: schemaOf(InsertRowsBody),
  UpdateRowsBody: schemaOf(UpdateRowsBody),
  DeleteRowsBody: schemaOf(DeleteRowsBody),
  QueryBody: schemaOf(QueryBody),
  KvSetBody: schemaOf(KvSetBody),
  KvIncrBody: schemaOf(KvIncrBody),
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const error = (description: string) => ({ description, content: { 'application/json': { schema: ref('ErrorBody') } } });
const param = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const common = {
  '400': error('invalid_request: a bad field, named in issues (database and table names too).'),
  '401': error('unauthorized: no project credential.'),
  '404': error("not_found: no such database, table or key in the caller's project (another project's look the same)."),
};
const database = param('database', 'Database name: a-z, 0-9, _ (at most 40).');
const table = param('table', 'Table name: A-Za-z0-9_ (at most 63).');
const key = param('key', 'Key: 1-512 characters.');

/** The paths, keyed like OpenAPI's `paths`. Project data is scoped by the credential, never by a field. */
export function projectDataPaths(): Record<string, unknown> {
  return {
    '/v1/databases': {
      get: { operationId: 'listDatabases', tags: ['project data'], summary: "The project's databases, with their bytes", responses: { '200': ok('{ databases: [{ name, bytes }] }'), ...common } },
      post: {
        operationId: 'createDatabase',
        tags: ['project data'],
        summary: 'Create a database (a SQLite file, or a PostgreSQL schema)',
        requestBody: body('CreateDatabaseBody'),
        responses: { '201': ok('{ name, bytes }'), ...common, '409': error('conflict: the name is taken.') },
      },
    },
    '/v1/databases/{database}': {
      delete: { operationId: 'dropDatabase', tags: ['project data'], summary: 'Drop a database and its data', parameters: [database], responses: { '204': { description: 'Dropped' }, ...common } },
    },
    '/v1/databases/{database}/tables': {
      get: { operationId: 'listTables', tags: ['project data'], summary: 'Tables and their columns', parameters: [database], responses: { '200': ok('{ tables: [{ name, columns }] }'), ...common } },
      post: {
        operationId: 'createTable',
        tags: ['project data'],
        summary: 'Create a table; column types: text, integer, real, boolean, timestamp, json',
        parameters: [database],
        requestBody: body('CreateTableBody'),
        responses: { '201': ok('The table: { name, columns }'), ...common, '409': error('conflict: the table exists.') },
      },
    },
    '/v1/databases/{database}/tables/{table}/columns': {
      post: {
        operationId: 'createColumn',
        tags: ['project data'],
        summary: 'Add a column to a table',
        parameters: [database, table],
        requestBody: body('ColumnSpec'),
        responses: { '201': ok('The table: { name, columns }'), ...common, '409': error('conflict: the column exists.') },
      },
    },
    '/v1/databases/{database}/tables/{table}/rows': {
      post: {
        operationId: 'insertRows',
        tags: ['project data'],
        summary: 'Insert rows (values travel as parameters)',
        parameters: [database, table],
        requestBody: body('InsertRowsBody'),
        responses: { '200': ok('{ changed }'), ...common, '413': error('database_quota_exceeded, or more rows than one call takes.') },
      },
      patch: {
        operationId: 'updateRows',
        tags: ['project data'],
        summary: 'Update rows matching a structured where clause (columns ANDed; eq, ne, lt, lte, gt, gte, in, like, is_null)',
        parameters: [database, table],
        requestBody: body('UpdateRowsBody'),
        responses: { '200': ok('{ changed }'), ...common, '413': error('database_quota_exceeded.') },
      },
      delete: {
        operationId: 'deleteRows',
        tags: ['project data'],
        summary: 'Delete rows matching a structured where clause',
        parameters: [database, table],
        requestBody: body('DeleteRowsBody'),
        responses: { '200': ok('{ changed }'), ...common },
      },
    },
    '/v1/databases/{database}/query': {
      post: {
        operationId: 'queryDatabase',
        tags: ['project data'],
        summary: 'One read-only statement (SELECT, WITH, VALUES) with parameters: ? in SQLite, $1 in PostgreSQL',
        parameters: [database],
        requestBody: body('QueryBody'),
        responses: {
          '200': ok('{ rows: [ {column: value} ], row_count }'),
          ...common,
          '403': error('sql_refused: not one read-only statement, or a refused feature (ATTACH, PRAGMA, extensions, another schema).'),
          '422': error('statement_timeout or result_too_large.'),
        },
      },
    },
    '/v1/kv/{key}': {
      get: { operationId: 'kvGet', tags: ['project data'], summary: 'Read a key: { key, value, expires_at }', parameters: [key], responses: { '200': ok('{ key, value, expires_at }'), ...common } },
      put: {
        operationId: 'kvSet',
        tags: ['project data'],
        summary: 'Set a key to any JSON value, optionally with ttl_ms',
        parameters: [key],
        requestBody: body('KvSetBody'),
        responses: { '200': ok('{ key, value, expires_at }'), ...common, '413': error('payload_too_large or database_quota_exceeded.') },
      },
      delete: { operationId: 'kvDelete', tags: ['project data'], summary: 'Delete a key', parameters: [key], responses: { '204': { description: 'Deleted' }, ...common } },
    },
    '/v1/kv/{key}/incr': {
      post: {
        operationId: 'kvIncr',
        tags: ['project data'],
        summary: 'Add `by` (default 1) to an integer key, atomically; creates it at 0',
        parameters: [key],
        requestBody: body('KvIncrBody'),
        responses: { '200': ok('{ key, value, expires_at }'), ...common, '409': error('conflict: the value is not an integer.') },
      },
    },
  };
}
