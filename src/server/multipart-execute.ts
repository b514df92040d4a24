/**
 * `POST /v1/execute` as `multipart/form-data`: the request is the part named `request` (JSON text, as a
 * field or a file), and every other part is a file that streams into the blob store as the caller's
 * project's blob, never held whole in memory. An item names a part by its field name instead of a blob
 * id, `binary: { photo: { part: "photo" } }`; the reference becomes `{ id, size, mime_type, filename }`
 * of the stored blob before the contract sees the request, so everything after is the JSON request.
 *
 * Read with @fastify/multipart (busboy underneath): its limits bound the parts, each file is capped by
 * the blob store (and the project's blob quota), and every refusal names the part or field it is about.
 */
import type { FastifyRequest } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import type { BlobInfo } from '../contract/items.js';
import type { EngineBlobs } from '../engine/types.js';
import { mimeTypeOf } from '../blobs/blob-store.js';

/** The field of the request part. */
export const REQUEST_PART = 'request';
/** File parts per request: as many attachments as one item may have. */
export const MAX_FILE_PARTS = 64;
/** Field parts the parser reads before refusing: enough to name a stray or repeated field in the answer. */
const MAX_FIELD_PARTS = 8;

interface StoredPart extends BlobInfo {
  filename?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(field: string, message: string): IsolaError {
  return new IsolaError('invalid_request', `Invalid request: ${field}`, { issues: [{ field, message }] });
}

/** Busboy's and the plugin's refusals, as the catalog's errors naming what they are about. */
function fromParserError(error: unknown, field: string): IsolaError {
  if (error instanceof IsolaError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new IsolaError('payload_too_large', `Too large: part ${field}`, { issues: [{ field, message: 'exceeds the blob size limit' }] });
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new IsolaError('payload_too_large', 'Too large: (body) has too many parts', { issues: [{ field: '(body)', message: `at most ${MAX_FILE_PARTS} file parts and one ${REQUEST_PART} part` }] });
  }
  if (code === 'FST_PROTO_VIOLATION') return invalid('(body)', 'a part is named after an Object.prototype property');
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') return invalid(REQUEST_PART, 'is declared application/json but is not valid JSON');
  return invalid('(body)', `not valid multipart/form-data: ${message}`);
}

/** JSON.parse, refusing what fastify's own JSON parser refuses (a prototype-poisoning key). */
function parseRequestText(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && isObject(value) && Object.hasOwn(value, 'prototype'))) throw new SyntaxError(`the key "${key}" is not allowed`);
      return value;
    });
  } catch (error) {
    throw invalid(REQUEST_PART, `is not JSON: ${(error as Error).message}`);
  }
}

async function readText(file: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of file) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new IsolaError('payload_too_large', `Too large: ${REQUEST_PART}`, { issues: [{ field: REQUEST_PART, message: `exceeds the body limit of ${maxBytes} bytes` }] });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface MultipartOptions {
  blobs: EngineBlobs;
  owner: string;
  /** Largest request part, in bytes (the JSON body limit). */
  maxRequestBytes: number;
}

/** The request body a multipart /v1/execute carried, with its items' part references turned into blob references. */
export async function readMultipartExecute(request: FastifyRequest, options: MultipartOptions): Promise<unknown> {
  let body: unknown;
  let sawRequest = false;
  const parts = new Map<string, StoredPart>();
  let field = '(body)';
  try {
    for await (const part of request.parts({ limits: { fileSize: options.blobs.maxBytes, files: MAX_FILE_PARTS + 1, fields: MAX_FIELD_PARTS, fieldSize: options.maxRequestBytes, parts: MAX_FILE_PARTS + MAX_FIELD_PARTS } })) {
      field = part.fieldname;
      if (field === REQUEST_PART) {
        if (sawRequest) throw invalid(REQUEST_PART, 'is given twice');
        sawRequest = true;
        if (part.type === 'file') body = parseRequestText(await readText(part.file, options.maxRequestBytes));
        else if (part.valueTruncated) throw new IsolaError('payload_too_large', `Too large: ${REQUEST_PART}`, { issues: [{ field: REQUEST_PART, message: `exceeds the body limit of ${options.maxRequestBytes} bytes` }] });
        else body = typeof part.value === 'string' ? parseRequestText(part.value) : part.value;
        continue;
      }
      if (part.type !== 'file') throw invalid(field, `a field other than ${REQUEST_PART}: files go in file parts, the request in ${REQUEST_PART}`);
      if (parts.has(field)) throw invalid(field, 'two parts have this name');
      let stored: BlobInfo;
      try {
        stored = await options.blobs.put(options.owner, part.file, mimeTypeOf(part.mimetype));
      } catch (error) {
        // The blob store's own size refusal names the body; here the body is this part.
        if (error instanceof IsolaError && error.code === 'payload_too_large') throw new IsolaError('payload_too_large', `Too large: part ${field}`, { issues: [{ field, message: error.issues?.[0]?.message ?? 'exceeds the blob size limit' }] });
        throw error;
      }
      // A truncated file (busboy's fileSize limit) already failed above; this is the whole part.
      parts.set(field, { ...stored, ...(part.filename ? { filename: part.filename } : {}) });
    }
  } catch (error) {
    throw fromParserError(error, field);
  }
  if (!sawRequest) throw invalid(REQUEST_PART, `missing: a multipart /v1/execute carries the request as JSON in a part named "${REQUEST_PART}"`);
  return resolvePartReferences(body, parts);
}

/** Replaces every `{ part: <field> }` binary reference of the request's items by the blob that part became. */
function resolvePartReferences(body: unknown, parts: ReadonlyMap<string, StoredPart>): unknown {
  if (!isObject(body) || !Array.isArray(body['items'])) return body;
  const items = body['items'].map((item: unknown, index) => {
    if (!isObject(item) || !isObject(item['binary'])) return item;
    const binary: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(item['binary'])) {
      if (!isObject(ref) || !Object.hasOwn(ref, 'part')) {
        binary[name] = ref;
        continue;
      }
      const path = `items.${index}.binary.${name}`;
      const { part, ...rest } = ref;
      if (Object.hasOwn(rest, 'id')) throw invalid(`${path}.part`, 'names a part and an id: give one of them');
      const stored = typeof part === 'string' ? parts.get(part) : undefined;
      if (!stored) throw invalid(`${path}.part`, `names no file part of this request (parts: ${[...parts.keys()].join(', ') || 'none'})`);
      binary[name] = { id: stored.id, size: stored.size, mime_type: stored.mime_type, ...(stored.filename !== undefined ? { filename: stored.filename } : {}), ...rest };
    }
    return { ...item, binary };
  });
  return { ...body, items };
}
