/**
 * Project data for guest code without keys: the egress bridge hands requests to the reserved host
 * (http://isola.internal/v1/databases/..., /v1/kv/..., /v1/library/...) to this gateway with the job id,
 * and the gateway serves them through the very same routes, as the project the host says the job belongs
 * to. The project comes from `projectOfJob` (host-side facts); a header the guest sends cannot name one.
 *
 * With a library and download URLs, the gateway also claims the service's own signed-download URLs
 * (`<public base>/v1/library/download/<token>`, GET/HEAD, nothing else of that origin) and answers them
 * from a second app that has only that route: the token, not the job, decides what it may read.
 */
import fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { EgressRequest, EgressResponse } from '../lanes/lane.js';
import { DEFAULT_MAX_RESPONSE_BYTES, type InternalService } from '../egress/bridge.js';
import { DOWNLOAD_PATH_PREFIX, DownloadUrls } from '../library/download-urls.js';
import { Library } from '../library/library.js';
import { registerLibraryRoutes, registerSignedDownloadRoute } from '../server/library-routes.js';
import { toErrorReply } from '../server/error-reply.js';
import type { GuestLibraryAccess } from './guest-library.js';
import { INTERNAL_HOST } from './internal-host.js';
import { registerProjectDataRoutes } from './routes.js';
import type { ProjectDatabases, ProjectKv } from './types.js';

export { INTERNAL_HOST };
/** The gateway's own header to its private app; any copy the guest sent is dropped first. */
const PROJECT_HEADER = 'x-isola-gateway-project';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** GuestLibraryAccess, checked: what the gateway serves LibraryClient's calls with. */
interface LibraryAccess {
  library: Library;
  downloadUrls?: DownloadUrls;
  quotaOf?(project: string): number | undefined;
}

function checkedAccess(access: GuestLibraryAccess | undefined): LibraryAccess | undefined {
  if (!access) return undefined;
  const { library, downloadUrls } = access;
  if (!(library instanceof Library)) throw new TypeError('projectData.library.library must be a Library');
  if (downloadUrls !== undefined && !(downloadUrls instanceof DownloadUrls)) throw new TypeError('projectData.library.downloadUrls must be a DownloadUrls');
  return { library, ...(downloadUrls ? { downloadUrls } : {}), ...(access.quotaOf ? { quotaOf: access.quotaOf } : {}) };
}

export interface ProjectDataGatewayOptions {
  databases: ProjectDatabases;
  kv: ProjectKv;
  library?: GuestLibraryAccess;
  /** Largest library file a guest may download (the bridge's response cap, since answers are buffered); default 10 MiB. */
  maxResponseBytes?: number;
  /** The project of a running job, from the engine's own records; undefined answers 401. */
  projectOfJob(jobId: string): string | undefined;
}

export interface ProjectDataGateway extends InternalService {
  close(): Promise<void>;
}

export function createProjectDataGateway(given: ProjectDataGatewayOptions): ProjectDataGateway {
  const library = checkedAccess(given.library);
  const options = { ...given, library };
  const maxResponseBytes = given.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let app: Promise<FastifyInstance> | undefined;
  const appOf = () =>
    (app ??= (async () => {
      const inner = fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });
      inner.removeContentTypeParser('text/plain');
      inner.setErrorHandler((error, request, reply) => {
        const out = toErrorReply(error, request.id, MAX_BODY_BYTES);
        return reply.code(out.status).send(out.body);
      });
      const projectOf = (request: FastifyRequest) => {
        const value = request.headers[PROJECT_HEADER];
        return typeof value === 'string' && value.length > 0 ? value : undefined;
      };
      registerProjectDataRoutes(inner, { databases: options.databases, kv: options.kv, projectOf });
      const access = options.library;
      if (access) {
        registerLibraryRoutes(inner, {
          library: access.library,
          projectOf,
          quotaOf: (_request, project) => access.quotaOf?.(project),
          ...(access.downloadUrls ? { downloadUrls: access.downloadUrls } : {}),
          maxDownloadBytes: maxResponseBytes,
        });
      }
      await inner.ready();
      return inner;
    })());
  // The signed-download route alone: whatever the bridge claims can reach nothing else.
  let downloads: Promise<FastifyInstance> | undefined;
  const downloadsOf = (library: Library, urls: DownloadUrls) =>
    (downloads ??= (async () => {
      const inner = fastify({ logger: false });
      inner.setErrorHandler((error, request, reply) => {
        const out = toErrorReply(error, request.id, MAX_BODY_BYTES);
        return reply.code(out.status).send(out.body);
      });
      registerSignedDownloadRoute(inner, { library, urls, maxBytes: maxResponseBytes });
      await inner.ready();
      return inner;
    })());
  const tokenOf = (url: URL, method: string): string | undefined => {
    const urls = options.library?.downloadUrls;
    const upper = method.toUpperCase();
    return urls && (upper === 'GET' || upper === 'HEAD') ? urls.tokenOf(url) : undefined;
  };

  return {
    host: INTERNAL_HOST,
    claims: (url, method) => tokenOf(url, method) !== undefined,
    claimsOrigin: (origin) => options.library?.downloadUrls?.origin === origin,
    async handle(jobId: string, request: EgressRequest): Promise<EgressResponse> {
      const url = new URL(request.url);
      if (url.hostname !== INTERNAL_HOST) {
        const token = tokenOf(url, request.method);
        const access = options.library;
        if (token === undefined || !access?.downloadUrls) return { ok: false, kind: 'denied', message: `${url.host}: not served in-process` };
        const inner = await downloadsOf(access.library, access.downloadUrls);
        // No guest header is passed on: the token is the whole request.
        const res = await inner.inject({ method: request.method.toUpperCase() as 'GET', url: `${DOWNLOAD_PATH_PREFIX}${token}` });
        return responseOf(request.url, res);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) {
        const lower = name.toLowerCase();
        if (lower === PROJECT_HEADER || lower === 'host' || lower === 'authorization') continue;
        headers[lower] = value;
      }
      const project = options.projectOfJob(jobId);
      if (project !== undefined) headers[PROJECT_HEADER] = project;
      const inner = await appOf();
      let res: Awaited<ReturnType<FastifyInstance['inject']>>;
      try {
        res = await inner.inject({
          method: request.method.toUpperCase() as 'GET',
          url: `${url.pathname}${url.search}`,
          headers,
          ...(request.body ? { payload: Buffer.from(request.body) } : {}),
        });
      } catch (error) {
        // A method light-my-request cannot send (PROPFIND, ...): the guest sees a network error, not a crash.
        return { ok: false, kind: 'network', message: `${INTERNAL_HOST}: ${error instanceof Error ? error.message : String(error)}` };
      }
      return responseOf(request.url, res);
    },
    async close() {
      if (app) await (await app).close();
      if (downloads) await (await downloads).close();
    },
  };
}

function responseOf(url: string, res: Awaited<ReturnType<FastifyInstance['inject']>>): EgressResponse {
  return {
    ok: true,
    status: res.statusCode,
    statusText: res.statusMessage,
    url,
    headers: Object.entries(res.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : String(value)] as [string, string]],
    ),
    body: new Uint8Array(res.rawPayload),
  };
}
