/**
 * The long-running service: engine + app + socket + signals. SIGTERM or SIGINT drains (see
 * IsolaControl.drain) and then resolves `closed`, so the caller can exit 0.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { join } from 'node:path';
import { OperatorLimitsError } from '../contract/operator-limits.js';
import { createEngine } from '../engine/create-engine.js';
import { storeDirOf } from '../engine/package-root.js';
import type { Engine, EngineEvent, EngineOptions } from '../engine/types.js';
import { difyOptionsFromEnv } from '../faces/dify/dify-face.js';
import { resolveJobsOptions, type JobsOptions } from '../jobs/jobs-options.js';
import { resolveSharedQueueOptions, type SharedQueueOptions } from '../jobs/shared-queue-options.js';
import { DEFAULT_DRAIN_GRACE_MS, buildApp } from './app.js';
import { DiskStorage } from '../library/disk-storage.js';
import { DownloadUrls, MAX_URL_TTL_S } from '../library/download-urls.js';
import { LibraryIndex } from '../library/library-index.js';
import { DEFAULT_MAX_FILE_BYTES, Library } from '../library/library.js';
import { ProjectStore } from '../projects/project-store.js';
import { openProjectData, type ProjectDataBackend } from '../project-data/open-project-data.js';
import { ProjectDataOptionsError, resolveProjectDataSetting } from '../project-data/project-data-options.js';
import { projectsEnabled, type AuthSetting } from './auth-policy.js';
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
  /**
   * Turns projects on: the admin API with this token, and a project key on every execution (else
   * ISOLA_ADMIN_TOKEN). Projects and keys persist in <storeDir>/projects/projects.sqlite.
   */
  adminToken?: string;
  /**
   * `off`: run without keys even on a non-loopback host; `on`: insist on the admin token. Default: keys
   * when a token is given; without one, a non-loopback host refuses to start (AuthPolicyError).
   */
  auth?: AuthSetting;
  /** Share jobs with other nodes over Redis; each unset setting from its variable (ISOLA_QUEUE_URL...). */
  queue?: Partial<SharedQueueOptions>;
  /**
   * Where projects keep databases and KV state: `sqlite` (default: files under the store dir) or a
   * postgres:// URL (else ISOLA_PROJECT_DATA_URL; PostgreSQL also needs ISOLA_PROJECT_DATA_SECRET).
   * A bad value throws ProjectDataOptionsError before anything starts.
   */
  projectData?: string;
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
  // First, before any worker starts: an exposed service without keys is refused.
  const adminToken = options.adminToken ?? (process.env['ISOLA_ADMIN_TOKEN'] || undefined);
  const withProjects = projectsEnabled({ host: options.host ?? DEFAULT_HOST, adminToken, auth: options.auth });
  const dataSetting = resolveProjectDataSetting(options.projectData, process.env);
  const dataNamed = (options.projectData ?? process.env['ISOLA_PROJECT_DATA_URL'] ?? '') !== '';
  if (!withProjects || !adminToken) {
    if (dataNamed) throw new ProjectDataOptionsError('--project-data (or ISOLA_PROJECT_DATA_URL) needs projects: set ISOLA_ADMIN_TOKEN');
    return start(options, undefined);
  }
  const storeDir = storeDirOf(options.engineOptions?.storeDir);
  const store = new ProjectStore(join(storeDir, 'projects'));
  let index: LibraryIndex | undefined;
  try {
    index = new LibraryIndex(join(storeDir, 'library'));
    const maxFileBytes = Number(process.env['ISOLA_LIBRARY_MAX_FILE_BYTES'] ?? DEFAULT_MAX_FILE_BYTES);
    if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 1) throw new OperatorLimitsError('ISOLA_LIBRARY_MAX_FILE_BYTES', `ISOLA_LIBRARY_MAX_FILE_BYTES must be a positive integer, got ${JSON.stringify(process.env['ISOLA_LIBRARY_MAX_FILE_BYTES'])}`);
    const library = new Library({ index, storage: new DiskStorage(join(storeDir, 'library', 'files')), maxFileBytes });
    const downloadUrls = downloadUrlsFromEnv();
    // Project databases and KV state: SQLite files under the store (one per database) by default, or
    // one PostgreSQL for every node.
    const projectData = openProjectData(dataSetting, storeDir);
    const close = () => {
      index?.close();
      store.close();
      void projectData.close();
    };
    return await start(options, { store, adminToken, library, downloadUrls, projectData, close });
  } catch (error) {
    index?.close();
    store.close();
    throw error;
  }
}

interface ServerProjects {
  store: ProjectStore;
  adminToken: string;
  library: Library;
  downloadUrls: DownloadUrls;
  projectData: ProjectDataBackend;
  close: () => void;
}

async function start(options: StartServerOptions, projects: ServerProjects | undefined): Promise<RunningServer> {
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
    // Guest code reaches the library as its job's project too; upload quotas are read from the store each time.
    ...(projects
      ? {
          projectData: {
            databases: projects.projectData.databases,
            kv: projects.projectData.kv,
            library: { library: projects.library, downloadUrls: projects.downloadUrls, quotaOf: (id: string) => projects.store.getProject(id)?.quotas.library_bytes },
          },
        }
      : {}),
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
    app = buildApp({ engine, logger, metrics: metrics.registry, drainGraceMs, ...(dify ? { dify } : {}), piston, jobs, ...(queue ? { queue } : {}), ...(projects ? { projects: { adminToken: projects.adminToken, store: projects.store, library: projects.library, downloadUrls: projects.downloadUrls, projectData: projects.projectData } } : {}) });
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
    // After the routes stopped: no request reads the store any more.
    projects?.close();
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
  // Signed download URLs name the service as outsiders reach it: ISOLA_PUBLIC_URL behind a proxy or TLS
  // terminator, else the address it listens on (a wildcard one is reached at loopback from this machine).
  if (projects && !process.env['ISOLA_PUBLIC_URL']) projects.downloadUrls.setBaseUrl(publicAddressOf(options.host ?? DEFAULT_HOST, port));
  logger.info({ address, port, projects: projects !== undefined }, 'isola listening');
  if (projects) {
    // Said once at start, so an operator sees a wrong URL or password without polling /readyz.
    void projects.projectData.health().then((data) => {
      if (data.ready) logger.info({ project_data: data }, 'project data');
      else logger.error({ project_data: data }, 'project data does not answer');
    });
  }

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

function publicAddressOf(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  return `http://${wildcard ? '127.0.0.1' : formatHost(host)}:${port}`;
}

/** ISOLA_URL_SIGNING_KEY (shared by every node of a cluster), else a random key for this process. */
function downloadUrlsFromEnv(): DownloadUrls {
  const key = process.env['ISOLA_URL_SIGNING_KEY'] || undefined;
  const baseUrl = process.env['ISOLA_PUBLIC_URL'] || undefined;
  const ttl = process.env['ISOLA_DOWNLOAD_URL_TTL_S'];
  const ttlSeconds = ttl === undefined || ttl === '' ? undefined : Number(ttl);
  if (ttlSeconds !== undefined && (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL_S)) {
    throw new OperatorLimitsError('ISOLA_DOWNLOAD_URL_TTL_S', `ISOLA_DOWNLOAD_URL_TTL_S must be a whole number of seconds from 1 to ${MAX_URL_TTL_S}, got ${JSON.stringify(ttl)}`);
  }
  try {
    return new DownloadUrls({ ...(key ? { key } : {}), ...(baseUrl ? { baseUrl } : {}), ...(ttlSeconds ? { ttlSeconds } : {}) });
  } catch (error) {
    // The message names the setting (ISOLA_URL_SIGNING_KEY or ISOLA_PUBLIC_URL); an unparsable URL is the latter's.
    const message = error instanceof Error ? error.message : String(error);
    const setting = message.startsWith('ISOLA_URL_SIGNING_KEY') ? 'ISOLA_URL_SIGNING_KEY' : 'ISOLA_PUBLIC_URL';
    throw new OperatorLimitsError(setting, message.startsWith('ISOLA_') ? message : `ISOLA_PUBLIC_URL is not a URL: ${JSON.stringify(baseUrl)}`);
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
