/**
 * The HTTP face: a fastify app over an Engine. It validates with the contract, maps every failure to the
 * error catalog, and never lets a request hang: each one ends in a result envelope or an error body.
 */
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
import { registerBatchRoute } from './batch-route.js';
import { registerBlobRoutes } from './blob-routes.js';
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
  /** Mount the dify-sandbox face (its /health and /v1/sandbox/* routes). */
  dify?: DifyFaceOptions;
  /** Mount the Piston v2 face (/api/v2/runtimes, /api/v2/execute). */
  piston?: boolean;
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
          await engine.close({ graceMs });
        } finally {
          await app.close();
        }
      })();
      return drained;
    },
  };
  app.decorate('isola', control);

  // Only JSON bodies: without this, fastify would parse text/plain into a string and answer 400, not 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

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

  app.post('/v1/execute', async (request, reply) => {
    // The engine checks draining (drain() closes it at once); here only for an app whose engine is
    // shared and still open, with the very same error.
    if (draining) throw shuttingDownError();
    const parsed = contract.accept(request.body);
    // A client that hangs up should not keep a worker busy: abort the execution when the socket closes
    // before the answer was written.
    const controller = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.once('close', onClose);
    try {
      // The engine logs the run with both ids; nothing here logs the code or the inputs.
      return await engine.execute(parsed, { requestId: request.id, signal: controller.signal, face: 'isola' });
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  registerBatchRoute(app, engine, contract, () => draining);
  registerBlobRoutes(app, engine, () => draining);
  if (options.dify) registerDifyFace(app, engine, options.dify);
  if (options.piston) registerPistonFace(app, engine);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = engine.readiness();
    const laneAvailable = Object.values(readiness.lanes).some((lane) => lane?.available === true);
    const isDraining = draining || readiness.draining;
    const ready = readiness.ready && laneAvailable && !isDraining;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', ...readiness, draining: isDraining, limits: { ...readiness.limits, max_body_bytes: bodyLimit } });
  });

  const document = buildOpenApiDocument({ version: packageVersion(), contract, maxBodyBytes: bodyLimit });
  app.get('/openapi.json', async () => document);
  if (options.docs !== false) {
    // The document is built by hand from zod output; swagger's OpenAPI typings cannot check it anyway.
    void app.register(swagger, { mode: 'static', specification: { document: document as never } });
    void app.register(swaggerUi, { routePrefix: '/docs' });
  }

  const registry = options.metrics;
  if (registry) {
    app.get('/metrics', async (_request, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }

  return app;
}
