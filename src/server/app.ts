/**
 * The HTTP face: a fastify app over an Engine. It validates with the contract, maps every failure to the
 * error catalog, and never lets a request hang: each one ends in a result envelope or an error body.
 */
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Registry } from 'prom-client';
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import { maxBodyBytes } from '../contract/operator-limits.js';
import { createRequestContract } from '../contract/request.js';
import type { Engine } from '../engine/types.js';
import { toErrorReply } from './error-reply.js';
import { registerDifyFace, type DifyFaceOptions } from '../faces/dify/dify-face.js';
import { registerPistonFace } from '../faces/piston/piston-face.js';
import { registerPlayground } from '../playground/route.js';
import { registerJobsRoutes } from './jobs-routes.js';
import { registerJobEventsRoute } from './job-events-route.js';
import { registerJobsMetrics } from './jobs-metrics.js';
import { streamExecution } from './execute-stream.js';
import { wantsEventStream } from './sse-stream.js';
import { createMemoryJobQueue } from '../jobs/memory-job-queue.js';
import { createCallbackSender } from '../jobs/callback-sender.js';
import { resolveJobsOptions, type JobsOptions } from '../jobs/jobs-options.js';
import type { JobQueue } from '../jobs/types.js';
import { OPEN_GATE, ProjectGate, type ExecutionGate } from '../projects/execution-gate.js';
import { KeyVerifier, type KeyVerifierOptions } from '../projects/key-verifier.js';
import { ProjectLimiter } from '../projects/project-limiter.js';
import type { ProjectStore } from '../projects/project-store.js';
import type { DownloadUrls } from '../library/download-urls.js';
import type { Library } from '../library/library.js';
import { registerProjectDataRoutes, type ProjectDatabases, type ProjectKv } from '../project-data/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerLibraryRoutes, registerSignedDownloadRoute } from './library-routes.js';
import { registerBatchRoute } from './batch-route.js';
import { authenticateHook, decoratePrincipal, projectOption } from './execution-auth.js';
import { registerContentDecoding } from './content-decoding.js';
import { registerResponseEncoding } from './response-encoding.js';
import { ownerOf, registerBlobRoutes } from './blob-routes.js';
import { discardRest } from './discard-body.js';
import { readMultipartExecute } from './multipart-execute.js';
import { createRedisJobQueue } from '../jobs/redis-job-queue.js';
import { Redis } from 'ioredis';
import type { ProjectDataHealth } from '../project-data/project-data-options.js';
import type { ResolvedSharedQueueOptions } from '../jobs/shared-queue-options.js';
import { buildOpenApiDocument } from './openapi.js';
import { packageVersion } from './package-version.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';

export interface AppOptions {
  engine: Engine;
  /** A pino logger (or any fastify-compatible one). Without it the app logs nothing. */
  logger?: FastifyBaseLogger;
  /** Registry served at GET /metrics (see createMetrics). Without it /metrics answers 404. */
  metrics?: Registry;
  /** How long drain() lets in-flight executions run before the engine stops them. Default 30 s. */
  drainGraceMs?: number;
  /** Serve Swagger UI at /docs. Default true. */
  docs?: boolean;
  /** Serve the playground page at /playground. Default true. */
  playground?: boolean;
  /** Mount the dify-sandbox face (its /health and /v1/sandbox/* routes). */
  dify?: DifyFaceOptions;
  /** Mount the Piston v2 face (/api/v2/runtimes, /api/v2/execute). */
  piston?: boolean;
  /** The async face (/v1/jobs): its TTL, bounds and callback settings. Default on, with the defaults. */
  jobs?: JobsOptions;
  /**
   * Projects: the admin API under /v1/admin (guarded by adminToken), and every execution route needing a
   * project key. The caller owns the store (and closes it after the app).
   */
  projects?: ProjectsOptions;
  /**
   * Share jobs with other nodes through Redis (see resolveSharedQueueOptions): /v1/jobs and the
   * synchronous /v1/execute then run on whichever node has a free worker. Default: jobs in this process.
   */
  queue?: ResolvedSharedQueueOptions;
}

export interface ProjectsOptions {
  adminToken: string;
  store: ProjectStore;
  /** The files library under /v1/library (absent: no library routes). The caller owns it too. */
  library?: Library;
  /**
   * Signs library download URLs (`POST /v1/library/files/:id/download-url`) and serves them with no key
   * (`GET /v1/library/download/<token>`); absent: neither route. The engine's guest gateway uses the same one.
   */
  downloadUrls?: DownloadUrls;
  /** The cache of keys that passed the KDF (default 60 s, 10,000 keys). */
  keyCache?: KeyVerifierOptions;
  /** Project databases and KV state under /v1/databases and /v1/kv (absent: no such routes). The caller owns them. */
  projectData?: { databases: ProjectDatabases; kv: ProjectKv; health?: () => Promise<ProjectDataHealth> };
}

export interface IsolaControl {
  readonly draining: boolean;
  /**
   * Graceful shutdown: new executions get 503 shutting_down at once while the server keeps listening;
   * in-flight executions finish (up to drainGraceMs); then the engine and the server close. Idempotent.
   */
  drain(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    isola: IsolaControl;
  }
}

export const DEFAULT_DRAIN_GRACE_MS = 30_000;

/**
 * One info line per request is enough at thousands of requests per second: "request completed" (status,
 * time) stays at info, "incoming request" moves to debug.
 */
class QuietLogController extends LogController {
  override incomingRequest(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { engine } = options;
  const graceMs = options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  // The engine's limits, so that what this face accepts is exactly what the engine runs unparsed.
  const contract = createRequestContract(engine.limits);
  const bodyLimit = maxBodyBytes(engine.limits);
  const app = fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit,
    // Time to receive a whole request (not to answer it): a client trickling a body cannot hold a socket
    // forever. Long executions are unaffected.
    requestTimeout: 60_000,
    // While closing, let requests reach our routes, which answer 503 shutting_down in the catalog's shape,
    // rather than fastify's own 503 body.
    return503OnClosing: false,
    genReqId: requestIdOf,
    requestIdHeader: false,
    logController: new QuietLogController({ requestIdLogLabel: 'request_id' }),
  });

  const jobsOptions = resolveJobsOptions(options.jobs);
  const callbacks = jobsOptions.callbackSecret
    ? createCallbackSender({
        secret: jobsOptions.callbackSecret,
        allowPrivate: jobsOptions.callbackAllowPrivate,
        allowAddresses: jobsOptions.callbackAllowAddresses,
        attempts: jobsOptions.callbackAttempts,
        backoffMs: jobsOptions.callbackBackoffMs,
      })
    : undefined;
  const runJob = (request: Parameters<Engine['execute']>[0], hooks: { signal: AbortSignal; onStart(): void; onOutput(stream: 'stdout' | 'stderr', text: string): void; project?: string }) =>
    engine.execute(request, { signal: hooks.signal, onStart: hooks.onStart, onOutput: hooks.onOutput, face: 'isola', ...projectOption(hooks.project) });
  const onQueueError = (error: unknown) => app.log.error({ err: error }, 'job queue error');
  // As many shared jobs at once as this node has workers: a node with none free takes none.
  const capacity = Object.values(engine.readiness().lanes).reduce((sum, lane) => sum + (lane ? lane.workers.ready + lane.workers.busy + lane.workers.starting : 0), 0);
  if (options.queue) app.log.info({ prefix: options.queue.prefix, concurrency: capacity, lock_ms: options.queue.lockMs }, 'shared job queue');
  const jobs: JobQueue = options.queue
    ? createRedisJobQueue({
        ...options.queue,
        ttlMs: jobsOptions.ttlMs,
        maxQueued: jobsOptions.maxQueued,
        contract,
        concurrency: capacity,
        ...(callbacks ? { sendCallback: callbacks.send } : {}),
        run: runJob,
        onError: onQueueError,
      })
    : createMemoryJobQueue({
        ...jobsOptions,
        ...(callbacks ? { sendCallback: callbacks.send } : {}),
        run: runJob,
        onError: onQueueError,
      });

  let draining = false;
  let drained: Promise<void> | undefined;
  const control: IsolaControl = {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
      drained ??= (async () => {
        try {
          // Accepted jobs run to their end (and their callbacks go out) within the same grace.
          await jobs.close({ graceMs });
          await engine.close({ graceMs });
        } finally {
          await app.close();
        }
      })();
      return drained;
    },
  };
  app.decorate('isola', control);
  decoratePrincipal(app);

  let gate: ExecutionGate = OPEN_GATE;
  if (options.projects) {
    const verifier = new KeyVerifier(options.projects.store, options.projects.keyCache);
    // With a shared queue the quotas are the cluster's: counted in the same Redis, under the same prefix.
    const queue = options.queue;
    const limiterRedis = queue ? new Redis(queue.url, { maxRetriesPerRequest: 1 }) : undefined;
    if (limiterRedis) {
      limiterRedis.on('error', onQueueError);
      app.addHook('onClose', async () => {
        await limiterRedis.quit().catch(() => limiterRedis.disconnect());
      });
    }
    const limiter = new ProjectLimiter(
      queue && limiterRedis ? { redis: limiterRedis, prefix: queue.prefix, leaseMs: queue.lockMs, onError: (error) => app.log.error({ err: error }, 'quota store error') } : undefined,
    );
    gate = new ProjectGate(verifier, limiter);
    // Each project's blob_bytes quota, as its row says now (a PATCH applies to the next upload).
    const projectStore = options.projects.store;
    engine.blobs?.limitOwners((owner) => projectStore.getProject(owner)?.quotas.blob_bytes);
    const library = options.projects.library;
    registerAdminRoutes(app, { adminToken: options.projects.adminToken, store: options.projects.store, verifier, limiter, ...(library ? { onProjectDeleted: (id: string) => library.deleteProject(id) } : {}) });
    if (library) {
      const downloadUrls = options.projects.downloadUrls;
      registerLibraryRoutes(app, {
        library,
        authenticate: authenticateHook(gate),
        projectOf: (request) => request.principal?.projectId,
        // The row again: the quota as it is now, and a key revoked since the request began stops here.
        quotaOf: (request) => (request.principal ? verifier.recheck(request.principal.keyId).quotas?.library_bytes : undefined),
        ...(downloadUrls ? { downloadUrls } : {}),
      });
      if (downloadUrls) registerSignedDownloadRoute(app, { library, urls: downloadUrls });
    }
  }
  const authenticate = authenticateHook(gate);
  const projectData = options.projects?.projectData;
  if (projectData) {
    // The project comes from the caller's key, never from the request: the routes read request.principal.
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/v1/databases') || request.url.startsWith('/v1/kv')) await authenticate(request);
    });
    registerProjectDataRoutes(app, { ...projectData, projectOf: (request) => request.principal?.projectId });
  }

  // Only JSON bodies: without this, fastify would parse text/plain into a string and answer 400, not 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  // Bodies may arrive gzip, br or zstd (decoded under the route's body limit), and answers go out in the
  // best coding the client accepts: on every route, the faces' too.
  registerContentDecoding(app, bodyLimit);
  registerResponseEncoding(app);

  app.setErrorHandler((error, request, reply) => {
    // A route's own body limit (the batch route's) is the one it broke.
    const out = toErrorReply(error, request.id, request.routeOptions.bodyLimit ?? bodyLimit);
    if (out.internal) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: out.body.error.code, status: out.status }, 'request refused');
    if (out.retryAfterS !== undefined) reply.header('retry-after', String(out.retryAfterS));
    return reply.code(out.status).send(out.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new IsolaError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(error.status).send(error.toBody());
  });

  const executeRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    // The engine checks draining (drain() closes it at once); here only for an app whose engine is
    // shared and still open, with the very same error.
    if (draining) throw shuttingDownError();
    const parsed = contract.accept(request.isMultipart() ? await multipartBody(request) : request.body);
    // Held until the answer is ready: the project's concurrency slot.
    using admission = await gate.admit(request.principal, parsed.request.network.allow);
    // A client that hangs up should not keep a worker busy: abort the execution when the socket closes
    // before the answer was written.
    const controller = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.once('close', onClose);
    try {
      if (wantsEventStream(request.headers.accept)) return await streamExecution(engine, parsed, request, reply, controller.signal);
      // A shared queue: the run goes to whichever node has a free worker, and this one waits for it.
      if (jobs.execute) return await jobs.execute(parsed, { signal: controller.signal, ...projectOption(admission.project) });
      // The engine logs the run with both ids; nothing here logs the code or the inputs.
      return await engine.execute(parsed, { requestId: request.id, signal: controller.signal, face: 'isola', ...projectOption(admission.project) });
    } finally {
      reply.raw.off('close', onClose);
    }
  };
  /** A multipart execute: the request part, its files streamed into the caller's project's blobs. */
  const multipartBody = async (request: FastifyRequest): Promise<unknown> => {
    if (!engine.blobs) throw new IsolaError('unsupported', 'this engine has no blob store for the files of a multipart request');
    try {
      return await readMultipartExecute(request, { blobs: engine.blobs, owner: ownerOf(request), maxRequestBytes: bodyLimit });
    } catch (error) {
      // Answer the refusal on this connection: stop feeding the parser and drop the rest of the body.
      request.raw.unpipe();
      discardRest(request.raw);
      throw error;
    }
  };
  // In a scope of its own: only /v1/execute takes multipart/form-data; every other route still answers 415.
  void app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });
    scope.post('/v1/execute', { onRequest: authenticate }, executeRoute);
  });

  registerBatchRoute(app, engine, contract, () => draining, gate);
  registerBlobRoutes(app, engine, () => draining, authenticate);
  registerJobEventsRoute(app, jobs, authenticate);
  registerJobsRoutes(app, { queue: jobs, contract, draining: () => draining, callbacks, gate, authenticate });
  app.addHook('onClose', async () => {
    // A test or embedder that closes the app without drain(): stop the jobs' timers, cancel what runs.
    await jobs.close({ graceMs: 0 });
    await callbacks?.close();
  });
  if (options.dify) registerDifyFace(app, engine, options.dify, gate);
  if (options.piston) registerPistonFace(app, engine, gate);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = engine.readiness();
    const laneAvailable = Object.values(readiness.lanes).some((lane) => lane?.available === true);
    const isDraining = draining || readiness.draining;
    // With a shared queue, a node whose Redis does not answer cannot run or accept work: not ready.
    const queue = (await jobs.health?.()) ?? { kind: 'memory', ready: true };
    // Likewise a node whose PostgreSQL does not answer would fail every project-data call.
    const data = await options.projects?.projectData?.health?.();
    const ready = readiness.ready && laneAvailable && !isDraining && queue.ready && data?.ready !== false;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      ...readiness,
      draining: isDraining,
      job_queue: queue,
      ...(data ? { project_data: data } : {}),
      limits: { ...readiness.limits, max_body_bytes: bodyLimit },
    });
  });

  const document = buildOpenApiDocument({ version: packageVersion(), contract, maxBodyBytes: bodyLimit });
  app.get('/openapi.json', async () => document);
  if (options.docs !== false) {
    // The document is built by hand from zod output; swagger's OpenAPI typings cannot check it anyway.
    void app.register(swagger, { mode: 'static', specification: { document: document as never } });
    void app.register(swaggerUi, { routePrefix: '/docs' });
  }

  if (options.playground !== false) registerPlayground(app, packageVersion());

  const registry = options.metrics;
  if (registry) {
    registerJobsMetrics(registry, jobs, onQueueError);
    app.get('/metrics', async (_request, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }

  return app;
}
