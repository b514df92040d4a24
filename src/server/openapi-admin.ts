/**
 * The admin API's part of /openapi.json (routes under /v1/admin, their schemas, the two bearer schemes),
 * built from the same zod schemas the routes parse with. The routes exist only when projects are on
 * (ISOLA_ADMIN_TOKEN); the document always shows them, saying so.
 */
import { z } from 'zod';
import { CreatedKeySchema, CreatedProjectSchema, CreateProjectSchema, PatchProjectSchema, ProjectSchema } from '../projects/admin-schemas.js';
import { QuotasSchema } from '../projects/quotas.js';

type JsonSchema = Record<string, unknown>;

function schema(zod: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(zod, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export const ADMIN_SCHEMAS: Record<string, JsonSchema> = {
  Quotas: schema(QuotasSchema, 'output'),
  Project: schema(ProjectSchema, 'output'),
  CreateProjectRequest: schema(CreateProjectSchema, 'input'),
  CreatedProject: schema(CreatedProjectSchema, 'output'),
  CreatedKey: schema(CreatedKeySchema, 'output'),
  PatchProjectRequest: schema(PatchProjectSchema, 'input'),
};

export const SECURITY_SCHEMES = {
  projectKey: { type: 'http', scheme: 'bearer', description: 'A project key (isola_<key id>_<secret>); needed on executions once ISOLA_ADMIN_TOKEN is set.' },
  adminToken: { type: 'http', scheme: 'bearer', description: 'ISOLA_ADMIN_TOKEN: the admin API only.' },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json('ErrorBody') });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const keyParam = { name: 'key_id', in: 'path', required: true, schema: { type: 'string' } };
const note = ' (Mounted only when ISOLA_ADMIN_TOKEN is set.)';
const security = [{ adminToken: [] }];
const unauthorized = error('unauthorized: no admin token, or a wrong one (a project key is not one).');
const notFound = error('not_found: no such project (or no such key in it).');

export const ADMIN_PATHS: Record<string, unknown> = {
  '/v1/admin/projects': {
    post: {
      operationId: 'createProject',
      summary: `Create a project and its first key${note}`,
      security,
      requestBody: { required: true, ...json('CreateProjectRequest') },
      responses: { '201': { description: 'Created; api_key is shown only here.', ...json('CreatedProject') }, '400': error('invalid_request, naming the field.'), '401': unauthorized },
    },
    get: {
      operationId: 'listProjects',
      summary: `List projects with their quotas and key metadata${note}`,
      security,
      responses: { '200': { description: 'Every project', content: { 'application/json': { schema: { type: 'object', properties: { projects: { type: 'array', items: ref('Project') } } } } } }, '401': unauthorized },
    },
  },
  '/v1/admin/projects/{id}': {
    get: { operationId: 'getProject', summary: `One project${note}`, security, parameters: [idParam], responses: { '200': { description: 'The project', ...json('Project') }, '401': unauthorized, '404': notFound } },
    patch: {
      operationId: 'patchProject',
      summary: `Change quotas: a field set replaces it, null removes it, an absent one stays${note}`,
      security,
      parameters: [idParam],
      requestBody: { required: true, ...json('PatchProjectRequest') },
      responses: { '200': { description: 'The project as changed', ...json('Project') }, '400': error('invalid_request, naming the field.'), '401': unauthorized, '404': notFound },
    },
    delete: { operationId: 'deleteProject', summary: `Delete a project; its keys are revoked with it${note}`, security, parameters: [idParam], responses: { '204': { description: 'Deleted' }, '401': unauthorized, '404': notFound } },
  },
  '/v1/admin/projects/{id}/keys': {
    post: { operationId: 'createKey', summary: `Add a key to a project${note}`, security, parameters: [idParam], responses: { '201': { description: 'Created; api_key is shown only here.', ...json('CreatedKey') }, '401': unauthorized, '404': notFound } },
  },
  '/v1/admin/projects/{id}/keys/{key_id}': {
    delete: { operationId: 'revokeKey', summary: `Revoke a key (idempotent); it is refused from the next request on${note}`, security, parameters: [idParam, keyParam], responses: { '204': { description: 'Revoked' }, '401': unauthorized, '404': notFound } },
  },
};

/** The refusals an execution route adds once projects are on. */
export function executionAuthResponses(retryAfter: Record<string, unknown>): Record<string, unknown> {
  return {
    '401': error('unauthorized: projects are on and the request has no project key, or an unknown one.'),
    '403': error("key_revoked: the key was revoked or its project deleted; egress_not_allowed: network.allow goes past the project's egress ceiling (each entry named)."),
    '429': { ...error('quota_exceeded: the project is at its concurrency or per-minute quota.'), headers: retryAfter },
  };
}
