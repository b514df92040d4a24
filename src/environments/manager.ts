/**
 * The environment manager: the one entry the engine calls while planning a request with packages.
 * Hot path (a request seen before): validate specs, hash, one Map lookup, one existsSync; no installer.
 * Cold path: disk index, then a cross-process lock per request hash, then the language builder. One
 * build per request hash at a time in this process (promise map) and across processes (lock file).
 */
import { CPYTHON_RESOLUTION } from './cpython-target.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { asEnvironmentHash } from '../contract/ids.js';
import { failure, type BuildContext, type BuildOutcome, type BuildRequest } from './build-context.js';
import { buildJsEnvironment } from './build-js.js';
import { buildPythonEnvironment } from './build-python.js';
import { EnvStore } from './env-store.js';
import { requestHash } from './hashing.js';
import { pythonIdentity } from './native-venv.js';
import { checkPackageSpecs, type ParsedSpec } from './package-specs.js';
import { RequestIndex, type IndexEntry } from './request-index.js';
import { acquireLock } from './store-lock.js';
import type { EnvironmentManager, EnvironmentManagerOptions, EnvLogger, PrepareRequest, PrepareResult, PreparedEnvironment } from './types.js';

const noopLogger: EnvLogger = { debug() {}, info() {}, warn() {}, error() {} };
const TOUCH_EVERY_MS = 60_000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function createEnvironmentManager(options: EnvironmentManagerOptions): EnvironmentManager {
  const env = process.env;
  const logger = options.logger ?? noopLogger;
  const store = new EnvStore(options.storeDir);
  const ready = store.init();
  ready.catch(() => undefined); // Reported by the first prepare() that awaits it.
  const timeoutMs = options.installTimeoutMs ?? 300_000;
  const progressMs = options.progressIntervalMs ?? 10_000;
  const wheelhouse = options.wheelhouse ?? env.ISOLA_PIP_WHEELHOUSE;
  const pipIndexUrl = options.pipIndexUrl ?? env.ISOLA_PIP_INDEX_URL;
  const npmRegistry = options.npmRegistry ?? env.ISOLA_NPM_REGISTRY;
  const pipOffline = options.pipOffline ?? env.ISOLA_PIP_OFFLINE === '1';
  const python = options.python ?? 'python3';
  const sources = {
    npm: npmRegistry ?? '',
    pip: pipOffline ? 'offline' : pipIndexUrl ?? '',
    wheelhouse: wheelhouse ?? '',
    // What Python requests resolve against: another interpreter (or resolution rule) is another answer.
    cpython: CPYTHON_RESOLUTION,
  };
  const index = new RequestIndex(store.requestsDir, options.rangeTtlMs ?? 24 * 3600 * 1000);
  const inflight = new Map<string, Promise<PrepareResult>>();
  /** When each environment was last handed out (grace against eviction) and last touched on disk. */
  const lastHanded = new Map<string, number>();
  const lastTouch = new Map<string, number>();
  const closing = new AbortController();
  let closed = false;

  let pythonPromise: Promise<string | undefined> | undefined;
  const context = (): BuildContext => ({
    store,
    npm: options.npm ?? 'npm',
    npmRegistry,
    python,
    pipSources: { ...(pipIndexUrl ? { indexUrl: pipIndexUrl } : {}), offline: pipOffline, findLinks: wheelhouse ? [wheelhouse] : [] },
    pythonIdentity: () => (pythonPromise ??= pythonIdentity(python, 30_000)),
    timeoutMs,
    signal: closing.signal,
    log: (level, msg, data) => logger[level]({ component: 'environments', ...data }, msg),
  });

  const touch = (hash: string, now: number): void => {
    lastHanded.set(hash, now);
    if (now - (lastTouch.get(hash) ?? 0) < TOUCH_EVERY_MS) return;
    lastTouch.set(hash, now);
    void store.touch(hash);
  };

  const fromEntry = (entry: IndexEntry, cache: 'hit' | 'miss', started: number): PreparedEnvironment => ({
    lane: entry.lane,
    hash: asEnvironmentHash(entry.envHash),
    cache,
    buildMs: performance.now() - started,
    ...(entry.reason ? { reason: entry.reason } : {}),
    spec: entry.spec,
  });

  const usable = (entry: IndexEntry): boolean => existsSync(join(store.envsDir, entry.envHash, 'manifest.json'));

  /**
   * A request resolved earlier (by any process): its environment, with the spec rebuilt from the
   * manifest so paths follow the store wherever it now lives. Undefined if evicted, or stale when
   * `acceptStale` is false (a re-resolution must not be satisfied by the entry it replaces).
   */
  async function loadIndexed(key: string, acceptStale: boolean): Promise<IndexEntry | undefined> {
    const found = await index.getDisk(key, Date.now());
    if (!found || (!found.fresh && !acceptStale)) return undefined;
    const entry = found.entry;
    const manifest = await store.readManifest(entry.envHash);
    if (!manifest) return undefined;
    if (!store.isComplete(entry.envHash, manifest.spec)) {
      logger.warn({ component: 'environments', hash: entry.envHash }, 'environment is missing files; removing it to rebuild');
      await store.remove(entry.envHash);
      return undefined;
    }
    const fresh = deepFreeze({ ...entry, spec: store.absoluteSpec(entry.envHash, manifest.spec) });
    index.remember(key, fresh);
    touch(entry.envHash, Date.now());
    return fresh;
  }

  async function build(key: string, req: BuildRequest, started: number, revalidating = false): Promise<PrepareResult> {
    await ready;
    // A stale entry is served too: the next prepare() finds it stale in memory and re-resolves in the background.
    const fromDisk = await loadIndexed(key, !revalidating);
    if (fromDisk) return fromEntry(fromDisk, 'hit', started);
    const lock = await acquireLock(join(store.locksDir, `${key}.lock`), { staleMs: timeoutMs * 2 + 60_000, signal: closing.signal }, () =>
      logger.info({ component: 'environments', request: key }, 'waiting for another process building this environment'),
    );
    const progress = setInterval(() => {
      logger.info(
        { component: 'environments', request: key, specs: req.specs.map((s) => s.raw), elapsedMs: Math.round(performance.now() - started) },
        'environment build still running',
      );
    }, progressMs);
    progress.unref();
    try {
      // Another process may have finished it while we waited for the lock.
      const built = await loadIndexed(key, false);
      if (built) return fromEntry(built, 'hit', started);
      logger.info({ component: 'environments', request: key, language: req.language, specs: req.specs.map((s) => s.raw) }, 'building environment');
      let outcome: BuildOutcome;
      try {
        outcome = req.language === 'python' ? await buildPythonEnvironment(context(), req) : await buildJsEnvironment(context(), req);
      } catch (error) {
        // Filesystem trouble (ENOSPC, EACCES...) is an install failure the caller can see; anything
        // without an errno code is a bug and propagates.
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code !== 'string') throw error;
        logger.error({ component: 'environments', err: error }, 'environment build failed');
        return failure('package_install', `environment build failed: ${code}`);
      }
      if ('error' in outcome) {
        logger.info({ component: 'environments', request: key, error: outcome.error }, 'environment build failed');
        return outcome;
      }
      const entry: IndexEntry = deepFreeze({
        envHash: outcome.hash,
        lane: outcome.lane,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        spec: store.absoluteSpec(outcome.hash, outcome.spec),
        resolvedAt: Date.now(),
        pinned: req.specs.every((s) => s.pinned),
      });
      await index.put(key, entry);
      lastTouch.set(outcome.hash, Date.now());
      lastHanded.set(outcome.hash, Date.now());
      const result = fromEntry(entry, outcome.existed ? 'hit' : 'miss', started);
      logger.info(
        { component: 'environments', hash: outcome.hash, lane: outcome.lane, cache: result.cache, buildMs: Math.round(result.buildMs) },
        'environment ready',
      );
      if (!outcome.existed && options.maxStoreBytes !== undefined) await evict(outcome.hash);
      return result;
    } finally {
      clearInterval(progress);
      await lock.release();
    }
  }

  /**
   * Re-resolve a stale request (version ranges past the TTL) without making anyone wait: callers keep
   * getting the previous environment until the new resolution is recorded. One at a time per request;
   * a failure (registry down) keeps the old environment and retries a minute later.
   */
  function revalidate(key: string, req: BuildRequest): void {
    if (inflight.has(key) || closed) return;
    logger.info({ component: 'environments', request: key }, 're-resolving a stale request in the background');
    const pending = build(key, req, performance.now(), true).finally(() => inflight.delete(key));
    inflight.set(key, pending);
    pending.then(
      (result) => {
        if ('error' in result) {
          logger.warn({ component: 'environments', request: key, error: result.error }, 're-resolution failed; keeping the previous environment');
          index.postpone(key, 60_000, Date.now());
        }
      },
      (error: unknown) => {
        logger.error({ component: 'environments', request: key, err: error }, 're-resolution crashed; keeping the previous environment');
        index.postpone(key, 60_000, Date.now());
      },
    );
  }

  async function evict(justBuilt: string): Promise<void> {
    const now = Date.now();
    // Environments handed out in the last minute may be in use by a lane right now.
    const grace = options.evictionGraceMs ?? 60_000;
    const keep = new Set([justBuilt, ...[...lastHanded].filter(([, at]) => now - at < grace).map(([hash]) => hash)]);
    const pruned = await store.prune({ ...(options.maxStoreBytes !== undefined ? { maxBytes: options.maxStoreBytes } : {}), keep });
    for (const hash of pruned.removed) await index.forgetEnv(hash);
    if (pruned.removed.length > 0) {
      logger.info({ component: 'environments', removed: pruned.removed, freedBytes: pruned.freedBytes }, 'evicted least recently used environments');
    }
  }

  return {
    prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult> {
      const started = performance.now();
      if (closed) return Promise.reject(new Error('environment manager is closed'));
      const check = checkPackageSpecs(req.language === 'python' ? 'pip' : 'npm', req.packages);
      if (!check.ok) return Promise.resolve(failure('package_install', check.message));
      const specs: ParsedSpec[] = check.specs;
      const key = requestHash({ language: req.language, runtime: req.runtime, specs: specs.map((s) => s.raw), prebuild: req.prebuild, prebuildLanguage: req.prebuildLanguage, sources, python });
      const buildRequest: BuildRequest = { language: req.language, runtime: req.runtime, specs, prebuild: req.prebuild, ...(req.prebuildLanguage ? { prebuildLanguage: req.prebuildLanguage } : {}) };
      const now = Date.now();
      const known = index.getMemory(key, now);
      if (known && usable(known.entry)) {
        touch(known.entry.envHash, now);
        if (!known.fresh) revalidate(key, buildRequest);
        return Promise.resolve(fromEntry(known.entry, 'hit', started));
      }
      let pending = inflight.get(key);
      if (!pending) {
        pending = build(key, buildRequest, started).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      // Each caller's own wait; a caller that gives up does not cancel the build others wait for.
      return raceAbort(
        pending.then((result) => ('error' in result ? result : { ...result, buildMs: performance.now() - started })),
        signal,
      );
    },

    async list() {
      await ready;
      return store.list();
    },

    async remove(hash: string) {
      await ready;
      const removed = await store.remove(hash);
      if (removed) await index.forgetEnv(hash);
      return removed;
    },

    async prune(pruneOptions = {}) {
      await ready;
      const maxBytes = pruneOptions.maxBytes ?? options.maxStoreBytes;
      const result = await store.prune({
        ...(maxBytes !== undefined ? { maxBytes } : {}),
        ...(pruneOptions.olderThanMs !== undefined ? { olderThanMs: pruneOptions.olderThanMs } : {}),
      });
      for (const hash of result.removed) await index.forgetEnv(hash);
      return result;
    },

    async close() {
      if (closed) return;
      closed = true;
      closing.abort(new Error('environment manager closed'));
      await Promise.allSettled([...inflight.values()]);
    },
  };
}
