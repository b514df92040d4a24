/**
 * `/v1/library/files`: a project's files, over HTTP. Uploads are the raw body (any Content-Type, kept as
 * the file's type) streamed to storage with `?name=`; downloads stream back with the stored type, as an
 * attachment, never sniffed. The same routes serve the service (the project from the caller's key) and
 * guest code through the project-data gateway (the project from the host's job records).
 *
 * `/v1/library/download/<token>` is the one route with no key: the signed, expiring URL is the credential.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import type { DownloadUrls } from '../library/download-urls.js';
import type { LibraryFile } from '../library/library-index.js';
import { isContentType, type Library } from '../library/library.js';
import { discardRest } from './discard-body.js';

export interface LibraryRoutesOptions {
  library: Library;
  /** The caller's project, or undefined (answered 401): from its key, or from the host's job records. */
  projectOf(request: FastifyRequest): string | undefined;
  /** The project's `library_bytes` quota as it is now (a key revoked since the request began throws). */
  quotaOf(request: FastifyRequest, project: string): number | undefined;
  /** Runs before every route of the scope (the service's key check). */
  authenticate?: (request: FastifyRequest) => Promise<void>;
  /** Signs `POST /v1/library/files/:id/download-url`; absent: no such route. */
  downloadUrls?: DownloadUrls;
  /** Largest file `/content` sends (guest code: what the bridge lets a response carry); default no cap. */
  maxDownloadBytes?: number;
}

/** A file bigger than the reader may receive: refused before a byte is read (the gateway buffers answers). */
function checkSize(file: LibraryFile, maxBytes: number | undefined): void {
  if (maxBytes !== undefined && file.size > maxBytes) {
    throw new IsolaError('payload_too_large', `Too large: the file is ${file.size} bytes, over the ${maxBytes} bytes guest code may receive in one response`, { issues: [{ field: '(response)', message: `exceeds ${maxBytes} bytes` }] });
  }
}

/** RFC 6266 / 5987: a UTF-8 file name in Content-Disposition, with an ASCII fallback. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerLibraryRoutes(app: FastifyInstance, options: LibraryRoutesOptions): void {
  const { library } = options;
  void app.register(async (scope) => {
    // Bytes are the file, whatever their type: no parser may read (or JSON-parse) an upload.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const authenticate = options.authenticate;
    if (authenticate) scope.addHook('onRequest', async (request) => authenticate(request));
    // A type fastify cannot parse (or none) would be refused as 415; a file's type is only metadata, and
    // anything unusual is stored as application/octet-stream anyway.
    scope.addHook('onRequest', async (request) => {
      if (request.method === 'POST' && !isContentType(request.headers['content-type'])) request.headers['content-type'] = 'application/octet-stream';
    });
    const projectOf = (request: FastifyRequest): string => {
      const project = options.projectOf(request);
      if (project === undefined) throw new IsolaError('unauthorized', 'The files library needs a project credential (Authorization: Bearer <project key>)');
      return project;
    };

    scope.post('/v1/library/files', async (request, reply) => {
      const project = projectOf(request);
      const quota = options.quotaOf(request, project);
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
          quota,
        );
        request.log.info({ project, file: file.id, size: file.size, replaced }, 'library file stored');
        return reply.code(replaced ? 200 : 201).send(file);
      } catch (error) {
        discardRest(request.raw);
        throw error;
      }
    });

    scope.get('/v1/library/files', async (request) => library.list(projectOf(request)));

    scope.get<{ Params: { id: string } }>('/v1/library/files/:id', async (request) => library.get(projectOf(request), request.params.id));

    scope.get<{ Params: { id: string } }>('/v1/library/files/:id/content', async (request, reply: FastifyReply) => {
      const project = projectOf(request);
      checkSize(library.get(project, request.params.id), options.maxDownloadBytes);
      const { file, stream } = await library.open(project, request.params.id);
      return sendFile(reply, file).send(stream);
    });

    scope.delete<{ Params: { id: string } }>('/v1/library/files/:id', async (request, reply) => {
      await library.delete(projectOf(request), request.params.id);
      return reply.code(204).send();
    });

    const urls = options.downloadUrls;
    if (urls) {
      scope.post<{ Params: { id: string }; Querystring: { expires_in?: string } }>('/v1/library/files/:id/download-url', async (request) => {
        const project = projectOf(request);
        // Only a file of the caller's own project gets a URL: an id of another project is 404 here.
        const file = library.get(project, request.params.id);
        const raw = request.query.expires_in;
        const ttl = raw === undefined ? undefined : Number(raw);
        if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 1)) {
          throw new IsolaError('invalid_request', 'Invalid request: expires_in', { issues: [{ field: 'expires_in', message: 'a whole number of seconds, at least 1' }] });
        }
        return { file_id: file.id, ...(ttl === undefined ? urls.sign(project, file.id) : urls.sign(project, file.id, ttl)) };
      });
    }
  });
}

function sendFile(reply: FastifyReply, file: LibraryFile): FastifyReply {
  return reply
    .type(file.content_type)
    .header('content-length', String(file.size))
    .header('content-disposition', disposition(file.name))
    .header('x-content-type-options', 'nosniff')
    .header('etag', `"${file.sha256}"`);
}

/**
 * `GET /v1/library/download/<token>`: the file a signed URL names, with no key. The token is checked
 * (signature, then expiry) before the library is asked anything, and it names the project itself.
 */
export function registerSignedDownloadRoute(app: FastifyInstance, options: { library: Library; urls: DownloadUrls; maxBytes?: number }): void {
  // A wildcard, not `:token`: a token is longer than the router's 100-character limit on a parameter.
  app.get<{ Params: { '*': string } }>('/v1/library/download/*', async (request, reply) => {
    const { project, file: id } = options.urls.verify(request.params['*']);
    checkSize(options.library.get(project, id), options.maxBytes);
    const { file, stream } = await options.library.open(project, id);
    // A URL is shared by whoever holds it: no cache beyond the holder, and never past its expiry.
    return sendFile(reply, file).header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').send(stream);
  });
}
