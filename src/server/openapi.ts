/**
 * The OpenAPI 3.1 document, generated from the contract's zod schemas so the docs can never drift from
 * what the server validates. OpenAPI 3.1 uses JSON Schema 2020-12, which is what z.toJSONSchema emits.
 */
import { z } from 'zod';
import { ERROR_CATALOG, type ErrorCode } from '../contract/errors.js';
import type { RequestContract } from '../contract/request.js';
import { ExecuteResponseSchema } from '../contract/response.js';
import { PROJECT_DATA_SCHEMAS, projectDataPaths } from '../project-data/openapi-paths.js';

const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];

/** The error body every non-200 answer carries (mirrors ErrorBody in contract/errors.ts). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES).describe('Stable machine code; see the error catalog.'),
    message: z.string().describe('Human message naming the offending fields; do not match on it.'),
    issues: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per bad field; "(body)" is the body as a whole.'),
    retry_after_s: z.number().optional().describe('Present on 503: seconds to wait, also in Retry-After.'),
  }),
});

type JsonSchema = Record<string, unknown>;

function componentSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const errorResponse = (description: string) => ({ description, ...json('ErrorBody') });

export interface OpenApiInfo {
  version: string;
  /** The app's contract: its schema carries the operator's maximum timeout and size caps. */
  contract: RequestContract;
  /** The app's body limit, derived from the same limits. */
  maxBodyBytes: number;
}

export function buildOpenApiDocument(info: OpenApiInfo): Record<string, unknown> {
  const retryAfter = {
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Isola',
      version: info.version,
      description: 'Run untrusted Python and JavaScript in WebAssembly sandboxes.',
    },
    paths: {
      '/v1/execute': {
        post: {
          operationId: 'execute',
          summary: 'Run code and return the result envelope',
          requestBody: { required: true, ...json('ExecuteRequest') },
          responses: {
            '200': { description: 'The code ran (its own failures are in status, return_code and error).', ...json('ExecuteResponse') },
            '400': errorResponse('invalid_request: malformed JSON or fields that break the contract; every bad field is named.'),
            '413': errorResponse(`payload_too_large: the body (over ${info.maxBodyBytes} bytes) or a field is over its limit (code ${info.contract.limits.maxCodeBytes} bytes, inputs and stdin ${info.contract.limits.maxInputsBytes} bytes).`),
            '415': errorResponse('The body is not application/json.'),
            '422': errorResponse('unsupported: the request uses a feature this engine does not offer.'),
            '500': errorResponse('internal: an unexpected failure; the request may be retried.'),
            '503': { ...errorResponse('overloaded, shutting_down or engine_closed.'), headers: retryAfter },
          },
        },
      },
      '/v1/batch': {
        post: {
          operationId: 'batch',
          summary: 'Run many independent executions; NDJSON in (one ExecuteRequest per line, optional "id"), NDJSON out as they finish',
          parameters: [{ name: 'concurrency', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 64, default: 8 } }],
          requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
          responses: {
            '200': { description: 'One line per request line, in finishing order: {"id", "result": ExecuteResponse} or {"id", "error": {code, message, issues?}}.', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
            '400': errorResponse('invalid_request: an empty batch or a bad concurrency.'),
            '413': errorResponse('payload_too_large: more than 10,000 lines or 64 MiB.'),
            '415': errorResponse('The body is not application/x-ndjson.'),
            '503': { ...errorResponse('shutting_down.'), headers: retryAfter },
          },
        },
      },
      // Project databases and KV state: mounted by registerProjectDataRoutes where a credential layer
      // names the caller's project.
      ...projectDataPaths(),
      '/healthz': {
        get: {
          operationId: 'healthz',
          summary: 'Liveness: the process answers',
          responses: { '200': { description: 'Alive', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } },
        },
      },
      '/readyz': {
        get: {
          operationId: 'readyz',
          summary: 'Readiness: the engine accepts work, with what each lane and isolation ring reports',
          responses: {
            '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object' } } } },
            '503': { description: 'Draining or no lane available', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      schemas: {
        ExecuteRequest: componentSchema(info.contract.schema, 'input'),
        ExecuteResponse: componentSchema(ExecuteResponseSchema, 'output'),
        ErrorBody: componentSchema(ErrorBodySchema, 'output'),
        ...PROJECT_DATA_SCHEMAS,
      },
    },
  };
}
