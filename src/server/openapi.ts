/**
 * The OpenAPI 3.1 document, generated from the contract's zod schemas so the docs can never drift from
 * what the server validates. OpenAPI 3.1 uses JSON Schema 2020-12, which is what z.toJSONSchema emits.
 */
import { z } from 'zod';
import { ERROR_CATALOG, type ErrorCode } from '../contract/errors.js';
import type { RequestContract } from '../contract/request.js';
import { BlobInfoSchema } from '../contract/items.js';
import { ExecuteResponseSchema } from '../contract/response.js';
import { JobViewSchema } from '../jobs/job-schema.js';
import { CallbackSchema } from '../jobs/job-request.js';
import { ADMIN_PATHS, ADMIN_SCHEMAS, executionAuthResponses, SECURITY_SCHEMES } from './openapi-admin.js';
import { LIBRARY_PATHS, LIBRARY_SCHEMAS } from './openapi-library.js';
import { MAX_FILE_PARTS } from './multipart-execute.js';
import { PROJECT_DATA_SCHEMAS, projectDataPaths } from '../project-data/openapi-paths.js';

const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];

/** The error body every non-200 answer carries (mirrors ErrorBody in contract/errors.ts). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES).describe('Stable machine code; see the error catalog.'),
    message: z.string().describe('Human message naming the offending fields; do not match on it.'),
    issues: z
      .array(
        z.object({
          field: z.string(),
          message: z.string(),
          pointer: z.string().optional().describe('A value that fails input_schema: its RFC 6901 pointer into inputs.'),
          rule: z.string().optional().describe('The input_schema keyword it fails.'),
        }),
      )
      .optional()
      .describe('One entry per bad field; "(body)" is the body as a whole.'),
    retry_after_s: z.number().optional().describe('Present on 503 and 429: seconds to wait, also in Retry-After.'),
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
  const jobId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const eventStream = {
    schema: {
      type: 'string',
      description:
        'Server-Sent Events, each `event: <name>` with one JSON `data:` line: `status` {status}, `stdout` and `stderr` {data} as the code writes them (after the output caps: joined they are the envelope\'s stdout and stderr), `result` the ExecuteResponse (last), or `error` {error: {code, message}} when the run could not finish.',
    },
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
          security: [{}, { projectKey: [] }],
          requestBody: {
            required: true,
            description:
              'May be sent with Content-Encoding gzip, br or zstd; the limits apply to the decoded body. Answers over 1 KiB come in the best coding Accept-Encoding allows (zstd, br, gzip). As multipart/form-data, the request is the part named `request` (JSON, as a field or a file) and every other part is a file stored as one of the project\'s blobs; an item names it by field name, `binary: { <name>: { part: "<field>" } }`, which becomes the blob\'s `{ id, size, mime_type, filename }`.',
            content: {
              ...json('ExecuteRequest').content,
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['request'],
                  properties: { request: { description: 'The ExecuteRequest as JSON text; item binary entries may be `{ part: "<field name>" }` instead of `{ id }`.', type: 'string' } },
                  additionalProperties: { type: 'string', format: 'binary', description: `A file: streamed into the blob store (at most the blob size limit, and the project's blob_bytes quota); at most ${MAX_FILE_PARTS} files.` },
                },
                encoding: { request: { contentType: 'application/json, text/plain' } },
              },
            },
          },
          responses: {
            '200': {
              description: 'The code ran (its own failures are in status, return_code and error). With `Accept: text/event-stream`: Server-Sent Events while it runs (see eventStream).',
              content: { ...json('ExecuteResponse').content, 'text/event-stream': eventStream },
            },
            ...executionAuthResponses(retryAfter),
            '400': errorResponse('invalid_request: malformed JSON or fields that break the contract; every bad field is named. Multipart: a missing or repeated `request` part (field `request`), a field part other than request (named), an item naming no file part (`items.N.binary.<name>.part`), malformed multipart (`(body)`).'),
            '404': errorResponse("blob_not_found: an item's binary names no blob of the caller's project (`items.N.binary.<name>.id`)."),
            '413': errorResponse(
              `payload_too_large: the body (over ${info.maxBodyBytes} bytes, decoded) or a field is over its limit (code ${info.contract.limits.maxCodeBytes} bytes, inputs and stdin ${info.contract.limits.maxInputsBytes} bytes), or a multipart file part over the blob size limit (named by its field). blob_quota_exceeded: a file part would take the project past quotas.blob_bytes.`,
            ),
            '415': errorResponse('unsupported_media_type: the body is not application/json or multipart/form-data, or its Content-Encoding is not gzip, br or zstd.'),
            '422': errorResponse('unsupported: the request uses a feature this engine does not offer.'),
            '500': errorResponse('internal: an unexpected failure; the request may be retried.'),
            '503': { ...errorResponse('overloaded, shutting_down or engine_closed.'), headers: retryAfter },
          },
        },
      },
      '/v1/jobs': {
        post: {
          operationId: 'submitJob',
          summary: 'Queue code to run; answers at once with the job id (poll GET /v1/jobs/{id}, follow /events, or get a callback)',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 }, description: 'A retried submit with the same key and body returns the same job (200); another body answers 422 idempotency_key_reused.' },
          ],
          requestBody: { required: true, ...json('JobRequest') },
          responses: {
            '202': { description: 'Queued.', ...json('Job') },
            '200': { description: 'The job an earlier submit with this Idempotency-Key made, as it is now.', ...json('Job') },
            '400': errorResponse('invalid_request: the same checks as POST /v1/execute, and callback.url and the Idempotency-Key header.'),
            '413': errorResponse('payload_too_large: as for POST /v1/execute.'),
            '415': errorResponse('The body is not application/json.'),
            '422': errorResponse('idempotency_key_reused, or unsupported (a callback on a server without ISOLA_CALLBACK_SECRET).'),
            '429': { ...errorResponse('too_many_jobs: the queue or the job store is full.'), headers: retryAfter },
            '503': { ...errorResponse('shutting_down.'), headers: retryAfter },
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          operationId: 'getJob',
          summary: 'A job: its status and, once it ended, the result envelope',
          parameters: [jobId],
          responses: { '200': { description: 'The job.', ...json('Job') }, '404': errorResponse('job_not_found: never submitted here, or expired.') },
        },
        delete: {
          operationId: 'cancelJob',
          summary: 'Cancel a job: a queued one never runs, a running one is interrupted (error.type cancelled); a finished one is left as it is',
          parameters: [jobId],
          responses: { '200': { description: 'The job after the cancel (usually already cancelled).', ...json('Job') }, '404': errorResponse('job_not_found.') },
        },
      },
      '/v1/jobs/{id}/events': {
        get: {
          operationId: 'jobEvents',
          summary: 'Follow a job as Server-Sent Events: what already happened first, then live events; ends after `result` (or `error`)',
          parameters: [jobId],
          responses: { '200': { description: 'The event stream.', content: { 'text/event-stream': eventStream } }, '404': errorResponse('job_not_found.') },
        },
      },
      '/v1/batch': {
        post: {
          operationId: 'batch',
          summary: 'Run many independent executions; NDJSON in (one ExecuteRequest per line, optional "id"), NDJSON out as they finish',
          parameters: [{ name: 'concurrency', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 64, default: 8 } }],
          security: [{}, { projectKey: [] }],
          requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
          responses: {
            ...executionAuthResponses(retryAfter),
            '200': { description: 'One line per request line, in finishing order: {"id", "result": ExecuteResponse} or {"id", "error": {code, message, issues?}}.', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
            '400': errorResponse('invalid_request: an empty batch or a bad concurrency.'),
            '413': errorResponse('payload_too_large: more than 10,000 lines or 64 MiB.'),
            '415': errorResponse('The body is not application/x-ndjson.'),
            '503': { ...errorResponse('shutting_down.'), headers: retryAfter },
          },
        },
      },
      ...ADMIN_PATHS,
      ...LIBRARY_PATHS,
      '/v1/blobs': {
        post: {
          operationId: 'putBlob',
          summary: "Store bytes (the raw body, any Content-Type) as one of the caller's project's blobs; items name them by id. A blob nobody referenced for the blob TTL (ISOLA_BLOB_TTL_MS, default 7 days) is deleted",
          security: [{}, { projectKey: [] }],
          requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            '201': { description: "Stored: its id is the SHA-256 of the bytes, the same whether or not anyone (another project included) stored them before; mime_type is this project's.", ...json('BlobInfo') },
            '401': errorResponse('unauthorized: with projects on, a project key is needed.'),
            '413': errorResponse("payload_too_large: over the blob size limit. blob_quota_exceeded: the project's blobs would exceed quotas.blob_bytes; nothing is kept."),
            '503': { ...errorResponse('shutting_down.'), headers: retryAfter },
          },
        },
      },
      '/v1/blobs/{id}': {
        get: {
          operationId: 'getBlob',
          summary: "Stream one of the caller's project's blobs back (a reference: its TTL starts again); one byte range with Range: bytes=a-b",
          security: [{}, { projectKey: [] }],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            { name: 'Range', in: 'header', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The whole blob, with its mime_type as Content-Type.', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
            '206': { description: 'The requested range (Content-Range).', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
            '404': errorResponse("blob_not_found: the project holds no blob with this id (never uploaded, expired, or another project's: answered alike)."),
            '416': errorResponse('range_not_satisfiable: the range starts past the end.'),
          },
        },
      },
      // Project databases and KV state (with projects on).
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
            '503': { description: "Draining, no lane available, or (when configured) the shared queue's Redis or the project data's PostgreSQL not answering", content: { 'application/json': { schema: { type: 'object' } } } },
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
      securitySchemes: SECURITY_SCHEMES,
      schemas: {
        ExecuteRequest: componentSchema(info.contract.schema, 'input'),
        ExecuteResponse: componentSchema(ExecuteResponseSchema, 'output'),
        ErrorBody: componentSchema(ErrorBodySchema, 'output'),
        JobRequest: componentSchema(info.contract.schema.extend({ callback: CallbackSchema.optional() }), 'input'),
        Job: componentSchema(JobViewSchema, 'output'),
        ...ADMIN_SCHEMAS,
        ...LIBRARY_SCHEMAS,
        BlobInfo: componentSchema(BlobInfoSchema, 'output'),
        ...PROJECT_DATA_SCHEMAS,
      },
    },
  };
}
