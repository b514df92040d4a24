/**
 * `POST /v1/blobs` and `GET /v1/blobs/:id`: binary attachments in and out of the blob store. The
 * upload is the raw body, whatever its type (the Content-Type is recorded as the blob's mime_type),
 * streamed into the store and capped there; the download streams the file back, with one byte range
 * when asked (`Range: bytes=a-b`, `a-`, `-n`), so a 1 GiB attachment never sits in memory.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import type { Engine } from '../engine/types.js';
import { OPEN_OWNER } from '../blobs/blob-owners.js';
import { mimeTypeOf } from '../blobs/blob-store.js';
import { discardRest } from './discard-body.js';

/** One range of a `Range` header, resolved against `size`; undefined to send the whole blob. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined; // absent, several ranges or another unit: the whole blob (RFC 9110 allows it)
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  if (start >= size) return 'unsatisfiable';
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

/**
 * With projects on, `authenticate` makes both routes need a project key (a blob store open to anyone who
 * reaches the port would be a free file host), and a project sees only its own blobs: another project's
 * id answers 404 exactly as an id nobody stored, so content addressing tells no one what others hold.
 */
export function registerBlobRoutes(app: FastifyInstance, engine: Engine, draining: () => boolean, authenticate?: (request: FastifyRequest) => Promise<void>): void {
  const onRequest = authenticate ? { onRequest: authenticate } : {};
  const blobs = () => {
    if (!engine.blobs) throw new IsolaError('unsupported', 'this engine has no blob store');
    return engine.blobs;
  };

  void app.register(async (scope) => {
    // Raw bytes of any type: the store reads the stream itself (and enforces its own cap).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post('/v1/blobs', onRequest, async (request, reply) => {
      if (draining()) throw shuttingDownError();
      const store = blobs();
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > store.maxBytes) {
        throw new IsolaError('payload_too_large', `the blob is over the limit of ${store.maxBytes} bytes`, { issues: [{ field: '(body)', message: `exceeds the blob limit of ${store.maxBytes} bytes` }] });
      }
      const body = request.body as (Readable & AsyncIterable<Uint8Array>) | undefined;
      try {
        const info = await store.put(ownerOf(request), body ?? (async function* () {})(), mimeTypeOf(request.headers['content-type']));
        return reply.code(201).send(info);
      } catch (error) {
        discardRest(request.raw);
        throw error;
      }
    });
  });

  app.get<{ Params: { id: string } }>('/v1/blobs/:id', onRequest, async (request, reply) => {
    const blob = await blobs().stat(ownerOf(request), request.params.id);
    if (!blob) throw blobNotFound(request.params.id);
    const range = parseRange(request.headers.range, blob.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${blob.size}`);
      throw new IsolaError('range_not_satisfiable', `Range ${request.headers.range} is past the end of the ${blob.size}-byte blob`, { issues: [{ field: '(range)', message: `the blob has ${blob.size} bytes` }] });
    }
    reply.header('accept-ranges', 'bytes').header('etag', `"${blob.id}"`).header('content-type', blob.mime_type);
    if (!range) return reply.header('content-length', blob.size).send(createReadStream(blob.path));
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(blob.path, { start: range.start, end: range.end }));
  });
}

/** Whose blobs a request sees: its project's, or the open owner's on a service without projects. */
export function ownerOf(request: FastifyRequest): string {
  return request.principal?.projectId ?? OPEN_OWNER;
}

/** The one answer for an id the caller's project does not hold, whoever else might. */
function blobNotFound(id: string): IsolaError {
  return new IsolaError('blob_not_found', `No blob ${id.slice(0, 80)}`, { issues: [{ field: 'id', message: "names no blob of this project's" }] });
}
