/** The files library's part of /openapi.json (routes under /v1/library; mounted only when projects are on). */
import { z } from 'zod';

const LibraryFileSchema = z.object({
  id: z.string().describe('file_<32 hex>'),
  name: z.string().describe('Unique within the project; uploading the same name replaces the file.'),
  size: z.int(),
  content_type: z.string().describe('As uploaded, or application/octet-stream.'),
  sha256: z.string(),
  created_at: z.string(),
});

function schema(zod: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(zod, { io: 'output' }) as Record<string, unknown>;
  return rest;
}

const SignedUrlSchema = z.object({
  file_id: z.string(),
  url: z.string().describe('<public base>/v1/library/download/<token>: reads the file with no key until expires_at.'),
  expires_at: z.string().describe('ISO 8601'),
});

export const LIBRARY_SCHEMAS = { LibraryFile: schema(LibraryFileSchema), SignedDownloadUrl: schema(SignedUrlSchema) };

const ref = { $ref: '#/components/schemas/LibraryFile' };
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } });
const security = [{ projectKey: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const note = ' (Mounted only when ISOLA_ADMIN_TOKEN is set.)';
const auth = { '401': error('unauthorized: no project key or an unknown one.'), '403': error('key_revoked.') };
const notFound = error("not_found: no such file in the caller's project.");

export const LIBRARY_PATHS: Record<string, unknown> = {
  '/v1/library/files': {
    post: {
      operationId: 'uploadLibraryFile',
      summary: `Upload a file: the raw body, streamed, any Content-Type${note}`,
      security,
      parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } }],
      requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '201': { description: 'Stored', content: { 'application/json': { schema: ref } } },
        '200': { description: 'Stored, replacing the file of the same name', content: { 'application/json': { schema: ref } } },
        '400': error('invalid_request: a bad or missing name (field name).'),
        ...auth,
        '413': error("payload_too_large: over the per-file limit (field (body)) or the project's library_bytes quota (field quotas.library_bytes)."),
      },
    },
    get: {
      operationId: 'listLibraryFiles',
      summary: `The project's files and the bytes they use${note}`,
      security,
      responses: { '200': { description: 'Files by name', content: { 'application/json': { schema: { type: 'object', properties: { files: { type: 'array', items: ref }, used_bytes: { type: 'integer' } } } } } }, ...auth },
    },
  },
  '/v1/library/files/{id}': {
    get: { operationId: 'getLibraryFile', summary: `A file's metadata${note}`, security, parameters: [idParam], responses: { '200': { description: 'The file', content: { 'application/json': { schema: ref } } }, ...auth, '404': notFound } },
    delete: { operationId: 'deleteLibraryFile', summary: `Delete a file${note}`, security, parameters: [idParam], responses: { '204': { description: 'Deleted' }, ...auth, '404': notFound } },
  },
  '/v1/library/files/{id}/download-url': {
    post: {
      operationId: 'createLibraryDownloadUrl',
      summary: `A signed, expiring URL that reads the file with no key (what createDownloadUrl returns in guest code)${note}`,
      security,
      parameters: [idParam, { name: 'expires_in', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 604800 }, description: 'Seconds (default ISOLA_DOWNLOAD_URL_TTL_S, 3600; at most 7 days).' }],
      responses: {
        '200': { description: 'The URL', content: { 'application/json': { schema: { $ref: '#/components/schemas/SignedDownloadUrl' } } } },
        '400': error('invalid_request: expires_in is not a whole number of seconds (field expires_in).'),
        ...auth,
        '404': notFound,
      },
    },
  },
  '/v1/library/download/{token}': {
    get: {
      operationId: 'downloadSignedLibraryFile',
      summary: `A file's bytes through a signed URL: no key, the token is the credential (HMAC-SHA256 over project, file and expiry with ISOLA_URL_SIGNING_KEY)${note}`,
      security: [],
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The bytes, as an attachment, Cache-Control: private, no-store', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        '403': error('download_url_invalid: the token is malformed, altered, or signed with another key.'),
        '404': error('not_found: the file was deleted (or replaced) since the URL was made.'),
        '410': error('download_url_expired: the URL is past its expiry.'),
      },
    },
  },
  '/v1/library/files/{id}/content': {
    get: {
      operationId: 'downloadLibraryFile',
      summary: `A file's bytes, with its type, as an attachment${note}`,
      security,
      parameters: [idParam],
      responses: { '200': { description: 'The bytes', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }, ...auth, '404': notFound },
    },
  },
};
