/**
 * createEngine: the library face, and the one engine the CLI and the HTTP service wrap. It composes the
 * contract (parse), planning (lane, mode), the scheduler (bounded queue) and the lane worker pools, and
 * turns every accepted request into exactly one response envelope.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IsolaError } from '../contract/errors.js';
import { newExecutionId } from '../contract/ids.js';
import { LIMITS } from '../contract/limits.js';
import { parseExecuteRequest } from '../contract/request.js';
import type { ExecuteResponse, LaneName } from '../contract/response.js';
import { createEgressBridge } from '../egress/index.js';
import type { EgressRequest, EgressResponse, GuestJob } from '../lanes/lane.js';
import { transpileTypeScript } from '../lanes/quickjs/transpile.js';
import { buildEnvelope, resultWithoutRun } from './envelope.js';
import { packageRoot, workerEntryUrl } from './package-root.js';
import { planExecution } from './plan.js';
import { Scheduler } from './scheduler.js';
import type { Engine, EngineEvent, EngineOptions, ExecuteOptions, Readiness } from './types.js';
import { LanePool } from './workers/lane-pool.js';

/** How long after the deadline a worker may take to answer before it is terminated. */
const GRACE_MS: Record<LaneName, number> = { quickjs: 60, pyodide: 300, native: 300 };

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const root = packageRoot();
  const runtimesDir = join(root, 'runtimes');
  const storeDir = resolve(options.storeDir ?? process.env['ISOLA_STORE_DIR'] ?? join(root, 'snapshots'));
  const cores = availableParallelism();
  const sizes: Record<LaneName, number> = {
    quickjs: options.workers?.quickjs ?? Math.max(2, cores),
    pyodide: options.workers?.pyodide ?? Math.min(2, cores),
    native: options.workers?.native ?? 0,
  };
  const streamBytes = options.streamLimitBytes ?? LIMITS.streamBytes;
  const outputBytes = options.outputLimitBytes ?? LIMITS.outputBytes;
  const emit = (event: EngineEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's bug must not fail an execution.
    }
  };
  const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data: Record<string, unknown> = {}) => options.logger?.[level](data, message);

  // Every guest network call lands here, checked against its own job's allow-list and deadline. Private
  // addresses are for the operator to open (tests, on-prem), never for a request.
  const bridgeAllowsPrivate = options.egress?.allowPrivate ?? process.env['ISOLA_EGRESS_ALLOW_PRIVATE'] === '1';
  const bridge = createEgressBridge({
    ...options.egress,
    allowPrivate: bridgeAllowsPrivate,
    ...(options.logger ? { logger: options.logger } : {}),
    onDenied: (host, reason) => emit({ type: 'egress_denied', host, reason }),
  });
  const liveJobs = new Map<string, { allowHosts: string[]; deadline: number }>();
  const egressFetch = async (jobId: string, request: EgressRequest): Promise<EgressResponse> => {
    const job = liveJobs.get(jobId);
    if (!job) return { ok: false, kind: 'denied', message: `${hostOf(request.url)}: the execution has ended` };
    return bridge.fetch(jobId, job.allowHosts, request, job.deadline);
  };

  const scheduler = new Scheduler(options.maxQueue ?? 1024, (depth) => emit({ type: 'queue', depth }));
  const pools = new Map<LaneName, LanePool>();
  const entry = workerEntryUrl();
  for (const lane of ['quickjs', 'pyodide'] as const) {
    if (sizes[lane] <= 0) continue;
    const pool = new LanePool(
      lane,
      sizes[lane],
      { lane, entry, runtimesDir, storeDir, options: {}, graceMs: GRACE_MS[lane], resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 8 } },
      {
        fetch: egressFetch,
        log: (level, message, data) => log(level, message, data),
        onRestart: (restarted, reason) => {
          emit({ type: 'worker_restart', lane: restarted, reason });
          log('warn', 'worker replaced', { lane: restarted, reason });
        },
      },
    );
    pools.set(lane, pool);
    scheduler.register(lane, pool);
  }
  const laneHash = laneHashes(runtimesDir, root);

  if (options.prewarm !== false) {
    for (const pool of pools.values()) pool.start();
    // The library promise resolves once JavaScript can run; slower lanes keep warming in the background.
    await pools.get('quickjs')?.whenReady();
  }

  let draining = false;
  let closed: Promise<void> | undefined;

  async function execute(body: unknown, executeOptions: ExecuteOptions = {}): Promise<ExecuteResponse> {
    if (draining) throw new IsolaError('shutting_down', 'the engine is shutting down and accepts no new executions', { retryAfterS: 5 });
    const startedAt = Date.now();
    const request = parseExecuteRequest(body);
    if (request.packages.length > 0) throw new IsolaError('unsupported', 'packages: installing packages is not available on this engine yet', { issues: [{ field: 'packages', message: 'not supported yet' }] });
    if (request.prebuild !== undefined) throw new IsolaError('unsupported', 'prebuild: requires packages support', { issues: [{ field: 'prebuild', message: 'not supported yet' }] });
    if (request.runtime === 'native') throw new IsolaError('unsupported', 'runtime: the native lane is not available on this engine', { issues: [{ field: 'runtime', message: 'native is not available' }] });

    const plan = await planExecution(request, transpileTypeScript);
    const pool = pools.get(plan.lane);
    if (!pool || pool.unavailable) {
      const reason = pool?.unavailable ?? 'the lane is disabled';
      throw new IsolaError('unsupported', `language: ${request.language} is not available on this engine (${reason})`, { issues: [{ field: 'language', message: `${request.language} is unavailable: ${reason}` }] });
    }
    const id = newExecutionId();
    const context = { id, lane: plan.lane, environmentHash: laneHash[plan.lane], cache: 'hit' as const, startedAt, outputLimitBytes: outputBytes };
    let dispatched;
    if (plan.kind === 'rejected') {
      dispatched = { result: resultWithoutRun(plan.mode, plan.failure, 1, `${plan.failure.message}\n`), queueMs: 0 };
    } else {
      dispatched = await scheduler.submit(plan.lane, (): GuestJob => {
        const deadline = Date.now() + request.timeout_ms;
        liveJobs.set(id, { allowHosts: request.network.allow, deadline });
        return {
        id,
        code: plan.code,
        filename: plan.filename,
        mode: plan.mode,
        ...(plan.sourceType ? { sourceType: plan.sourceType } : {}),
        inputsJson: JSON.stringify(request.inputs),
        deadline,
        timeoutMs: request.timeout_ms,
        memoryBytes: request.memory_mb * 1024 * 1024,
        limits: { stdoutBytes: streamBytes, stderrBytes: streamBytes, outputBytes },
        allowHosts: request.network.allow,
        };
      });
      liveJobs.delete(id);
      bridge.release(id);
    }
    const response = buildEnvelope({ ...context, queueMs: dispatched.queueMs }, dispatched.result);
    emit({ type: 'execution', lane: plan.lane, status: response.status, errorType: response.error?.type ?? null, elapsedMs: response.elapsed_ms, queueMs: response.timings.queue_ms, runMs: response.timings.run_ms });
    log('info', 'execution finished', { executionId: id, requestId: executeOptions.requestId, lane: plan.lane, status: response.status, errorType: response.error?.type, elapsedMs: response.elapsed_ms });
    return response;
  }

  function readiness(): Readiness {
    const lanes: Readiness['lanes'] = {};
    for (const [lane, pool] of pools) lanes[lane] = pool.readiness();
    const anyReady = Object.values(lanes).some((lane) => lane.available && lane.workers.ready + lane.workers.busy > 0);
    return {
      ready: !draining && anyReady,
      draining,
      queue: { depth: scheduler.depth, max: scheduler.capacity },
      lanes,
      rings: { wasm: true, sealed_realm: false, os_sandbox: false, scrubbed_env: true },
      egress: { allow_private: bridgeAllowsPrivate },
    };
  }

  async function close({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    draining = true;
    closed ??= (async () => {
      const until = Date.now() + graceMs;
      while (scheduler.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      await bridge.close();
    })();
    return closed;
  }

  return { execute, readiness, close };
}

function laneHashes(runtimesDir: string, root: string): Record<LaneName, string> {
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
  const bootstrap = readFileSync(join(runtimesDir, 'quickjs', 'bootstrap.js'), 'utf8');
  return {
    quickjs: digest('quickjs', version('quickjs-emscripten-core'), bootstrap),
    pyodide: digest('pyodide', version('pyodide')),
    native: digest('native'),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}
