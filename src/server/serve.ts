/**
 * The long-running service: engine + app + socket + signals. SIGTERM or SIGINT drains (see
 * IsolaControl.drain) and then resolves `closed`, so the caller can exit 0.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { createEngine } from '../engine/create-engine.js';
import type { Engine, EngineEvent, EngineOptions } from '../engine/types.js';
import { difyOptionsFromEnv } from '../faces/dify/dify-face.js';
import { resolveJobsOptions, type JobsOptions } from '../jobs/jobs-options.js';
import { resolveSharedQueueOptions, type SharedQueueOptions } from '../jobs/shared-queue-options.js';
import { DEFAULT_DRAIN_GRACE_MS, buildApp } from './app.js';
import { createMetrics } from './metrics.js';

export interface StartServerOptions {
  /** TCP port; 0 picks a free one (read it from RunningServer.port). Default 8080. */
  port?: number;
  /** Default 127.0.0.1: exposing the service is a deliberate choice. */
  host?: string;
  engineOptions?: EngineOptions;
  drainGraceMs?: number;
  /** Default: pino to stdout at ISOLA_LOG_LEVEL (default info). */
  logger?: Logger;
  /** Drain on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
  /** Mounts the dify-sandbox face with this key (else ISOLA_DIFY_API_KEY, if set). */
  difyApiKey?: string;
  /** Mounts the Piston v2 face (else when ISOLA_PISTON=1). */
  piston?: boolean;
  /** The job queue's settings; each unset one from its environment variable (ISOLA_JOB_TTL_MS, ISOLA_CALLBACK_SECRET...). */
  jobs?: JobsOptions;
  /** Share jobs with other nodes over Redis; each unset setting from its variable (ISOLA_QUEUE_URL...). */
  queue?: Partial<SharedQueueOptions>;
}

export interface RunningServer {
  app: FastifyInstance;
  engine: Engine;
  /** e.g. http://127.0.0.1:8080 */
  address: string;
  port: number;
  /** Drain and close; resolves (or rejects) with `closed`. */
  shutdown(reason?: string): Promise<void>;
  /** Resolves once the server and engine are closed, whatever triggered it; rejects if the drain failed. */
  closed: Promise<void>;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: process.env.ISOLA_LOG_LEVEL ?? 'info' });
  const metrics = createMetrics();
  const userOnEvent = options.engineOptions?.onEvent;
  const onEvent = userOnEvent
    ? (event: EngineEvent) => {
        metrics.onEvent(event);
        userOnEvent(event);
      }
    : metrics.onEvent;
  const engine = await createEngine({
    logger: logger.child({ component: 'engine' }),
    ...options.engineOptions,
    onEvent,
  });
  const drainGraceMs = options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  const dify = difyOptionsFromEnv(process.env, options.difyApiKey, engine.limits);
  const piston = options.piston ?? process.env['ISOLA_PISTON'] === '1';
  let app: FastifyInstance;
  try {
    const jobs = resolveJobsOptions(options.jobs, process.env);
    const queue = resolveSharedQueueOptions(options.queue, process.env);
    app = buildApp({ engine, logger, metrics: metrics.registry, drainGraceMs, ...(dify ? { dify } : {}), piston, jobs, ...(queue ? { queue } : {}) });
  } catch (error) {
    // A face set past the operator's limits (OperatorLimitsError): release the workers before reporting.
    await engine.close({ graceMs: 0 });
    throw error;
  }

  // Settles `closed` whether shutdown() ran or someone closed the app directly (tests).
  let markClosed!: () => void;
  let markFailed!: (error: unknown) => void;
  const closed = new Promise<void>((resolve, reject) => {
    markClosed = resolve;
    markFailed = reject;
  });
  let shuttingDown: Promise<void> | undefined;
  app.addHook('onClose', async () => {
    if (!shuttingDown) markClosed();
  });

  let port: number;
  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST });
    port = (app.server.address() as AddressInfo).port;
  } catch (error) {
    // Address in use, bad host: release the engine's workers before reporting.
    await engine.close({ graceMs: 0 });
    await app.close();
    throw error;
  }
  const address = `http://${formatHost(options.host ?? DEFAULT_HOST)}:${port}`;
  logger.info({ address, port }, 'isola listening');

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      // A second signal means the operator will not wait for the grace period.
      logger.warn({ reason: signal }, 'second signal during drain; exiting now');
      process.exit(1);
    }
    // A failed drain rejects `closed`, which the caller awaits; nothing to do here.
    shutdown(signal).catch(() => undefined);
  };
  const shutdown = (reason = 'shutdown'): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason, grace_ms: drainGraceMs }, 'draining');
      const started = Date.now();
      try {
        await app.isola.drain();
        logger.info({ reason, drain_ms: Date.now() - started }, 'stopped');
        markClosed();
      } catch (error) {
        logger.error({ err: error, reason }, 'drain failed');
        markFailed(error);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    })();
    return closed;
  };
  if (options.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { app, engine, address, port, shutdown, closed };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
