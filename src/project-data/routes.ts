/**
 * HTTP routes of project data: /v1/databases/... and /v1/kv/.... The project comes from `projectOf`
 * (the credential layer decides it from the API key); a body or a path never names a project.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import {
  ColumnSchema,
  CreateDatabaseBody,
  CreateTableBody,
  DatabaseParams,
  DeleteRowsBody,
  InsertRowsBody,
  KeyParams,
  KvIncrBody,
  KvSetBody,
  parseWith,
  QueryBody,
  TableParams,
  UpdateRowsBody,
} from './route-schemas.js';
import type { ProjectDatabases, ProjectKv } from './types.js';

export interface ProjectDataRouteOptions {
  databases: ProjectDatabases;
  kv: ProjectKv;
  /** The project the request's credential belongs to, or undefined (answered 401). */
  projectOf: (request: FastifyRequest) => string | undefined;
}

export function registerProjectDataRoutes(app: FastifyInstance, options: ProjectDataRouteOptions): void {
  const { databases, kv } = options;
  const projectOf = (request: FastifyRequest): string => {
    const project = options.projectOf(request);
    if (project === undefined) {
      throw new IsolaError('unauthorized', 'Project data needs a project credential (Authorization: Bearer <project key>)');
    }
    return project;
  };

  app.get('/v1/databases', async (request) => ({ databases: await databases.listDatabases(projectOf(request)) }));

  app.post('/v1/databases', async (request, reply) => {
    const project = projectOf(request);
    const body = parseWith(CreateDatabaseBody, request.body);
    return reply.code(201).send(await databases.createDatabase(project, body.name));
  });

  app.delete('/v1/databases/:database', async (request, reply) => {
    const project = projectOf(request);
    const { database } = parseWith(DatabaseParams, request.params);
    await databases.dropDatabase(project, database);
    return reply.code(204).send();
  });

  app.get('/v1/databases/:database/tables', async (request) => {
    const project = projectOf(request);
    const { database } = parseWith(DatabaseParams, request.params);
    return { tables: await databases.listTables(project, database) };
  });

  app.post('/v1/databases/:database/tables', async (request, reply) => {
    const project = projectOf(request);
    const { database } = parseWith(DatabaseParams, request.params);
    const body = parseWith(CreateTableBody, request.body);
    return reply.code(201).send(await databases.createTable(project, database, body.name, body.columns));
  });

  app.post('/v1/databases/:database/tables/:table/columns', async (request, reply) => {
    const project = projectOf(request);
    const { database, table } = parseWith(TableParams, request.params);
    const column = parseWith(ColumnSchema, request.body);
    return reply.code(201).send(await databases.createColumn(project, database, table, column));
  });

  app.post('/v1/databases/:database/tables/:table/rows', async (request) => {
    const project = projectOf(request);
    const { database, table } = parseWith(TableParams, request.params);
    const body = parseWith(InsertRowsBody, request.body);
    return databases.insertRows(project, database, table, body.rows);
  });

  app.patch('/v1/databases/:database/tables/:table/rows', async (request) => {
    const project = projectOf(request);
    const { database, table } = parseWith(TableParams, request.params);
    const body = parseWith(UpdateRowsBody, request.body);
    return databases.updateRows(project, database, table, body.set, body.where);
  });

  // A body on DELETE: the where clause is structured JSON, too large and too nested for a query string.
  app.delete('/v1/databases/:database/tables/:table/rows', async (request) => {
    const project = projectOf(request);
    const { database, table } = parseWith(TableParams, request.params);
    const body = parseWith(DeleteRowsBody, request.body);
    return databases.deleteRows(project, database, table, body.where);
  });

  app.post('/v1/databases/:database/query', async (request) => {
    const project = projectOf(request);
    const { database } = parseWith(DatabaseParams, request.params);
    const body = parseWith(QueryBody, request.body);
    return databases.query(project, database, body.sql, body.params ?? []);
  });

  app.get('/v1/kv/:key', async (request) => {
    const project = projectOf(request);
    const { key } = parseWith(KeyParams, request.params);
    const entry = await kv.get(project, key);
    if (!entry) throw new IsolaError('not_found', `No key "${key}" in this project`);
    return entry;
  });

  app.put('/v1/kv/:key', async (request) => {
    const project = projectOf(request);
    const { key } = parseWith(KeyParams, request.params);
    const body = parseWith(KvSetBody, request.body);
    return kv.set(project, key, body.value, body.ttl_ms);
  });

  app.post('/v1/kv/:key/incr', async (request) => {
    const project = projectOf(request);
    const { key } = parseWith(KeyParams, request.params);
    const body = parseWith(KvIncrBody, request.body ?? {});
    return kv.incr(project, key, body.by ?? 1, body.ttl_ms);
  });

  app.delete('/v1/kv/:key', async (request, reply) => {
    const project = projectOf(request);
    const { key } = parseWith(KeyParams, request.params);
    if (!(await kv.delete(project, key))) throw new IsolaError('not_found', `No key "${key}" in this project`);
    return reply.code(204).send();
  });
}
