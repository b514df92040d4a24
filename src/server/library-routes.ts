/**
 * `/v1/library/files`: the caller's project's files, over HTTP, with the project key. Uploads are the raw
 * body (any Content-Type, kept as the file's type) streamed to storage with `?name=`; downloads stream
 * back with the stored type, as an attachment, never sniffed. Mounted only when projects are on.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isContentType, type Library } from '../library/library.js';
import type { ExecutionGate, Principal } from '../projects/execution-gate.js';
import type { KeyVerifier } from '../projects/key-verifier.js';
import { authenticateHook } from './execution-auth.js';

export interface LibraryRoutesOptions {
  library: Library;
  gate: ExecutionGate;
  verifier: KeyVerifier;
}

/** RFC 6266 / 5987: a UTF-8 file name in Content-Disposition, with an ASCII fallback. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** How long, and how many bytes, a refused upload is still read (and dropped) so its answer arrives. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * A refused upload's unread body: closing the socket with bytes unread makes the kernel send a reset,
 * which can destroy the 413 on its way to the client. So the rest is read and dropped, for a bounded
 * time and size (a lingering close), and only then is the socket cut.
 */
function discardRest(raw: IncomingMessage): void {
  if (raw.readableEnded || raw.destroyed) return;
  let dropped = 0;
  const cut = () => raw.socket?.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
}

export function registerLibraryRoutes(app: FastifyInstance, options: LibraryRoutesOptions): void {
  const { library, verifier } = options;
  void app.register(async (scope) => {
    // Bytes are the file, whatever their type: no parser may read (or JSON-parse) an upload.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.addHook('onRequest', authenticateHook(options.gate));
    // A type fastify cannot parse (or none) would be refused as 415; a file's type is only metadata, and
    // anything unusual is stored as application/octet-stream anyway.
    scope.addHook('onRequest', async (request) => {
      if (request.method === 'POST' && !isContentType(request.headers['content-type'])) request.headers['content-type'] = 'application/octet-stream';
    });
    const projectOf = (principal: Principal | undefined): string => {
      if (!principal) throw new Error('library routes are mounted only with projects on');
      return principal.projectId;
    };

    scope.post('/v1/library/files', async (request, reply) => {
      const project = projectOf(request.principal);
      // The row again: the quota as it is now, and a key revoked since the request began stops here.
      const quotas = verifier.recheck(request.principal!.keyId).quotas ?? {};
      const length = request.headers['content-length'];
      try {
        const { file, replaced } = await library.upload(
          project,
          {
            name: (request.query as Record<string, unknown>)['name'],
            contentType: request.headers['content-type'],
            contentLength: length === undefined ? undefined : Number(length),
            body: request.raw,
          },
          quotas.library_bytes,
        );
        request.log.info({ project, file: file.id, size: file.size, replaced }, 'library file stored');
        return reply.code(replaced ? 200 : 201).send(file);
      } catch (error) {
        discardRest(request.raw);
        throw error;
      }
    });

    scope.get('/v1/library/files', async (request) => library.list(projectOf(request.principal)));

    scope.get<{ Params: { id: string } }>('/v1/library/files/:id', async (request) => library.get(projectOf(request.principal), request.params.id));

    scope.get<{ Params: { id: string } }>('/v1/library/files/:id/content', async (request, reply: FastifyReply) => {
      const { file, stream } = await library.open(projectOf(request.principal), request.params.id);
      return reply
        .type(file.content_type)
        .header('content-length', String(file.size))
        .header('content-disposition', disposition(file.name))
        .header('x-content-type-options', 'nosniff')
        .header('etag', `"${file.sha256}"`)
        .send(stream);
    });

    scope.delete<{ Params: { id: string } }>('/v1/library/files/:id', async (request, reply) => {
      await library.delete(projectOf(request.principal), request.params.id);
      return reply.code(204).send();
    });
  });
}
