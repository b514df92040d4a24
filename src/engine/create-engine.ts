/**
 * createEngine: the library face, and the one engine the CLI and the HTTP service wrap. It composes the
 * contract (parse), planning (mode, transpile), routing (lane, environment), the scheduler (bounded
 * queue) and the lanes, and turns every accepted request into exactly one response envelope.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import { newExecutionId } from '../contract/ids.js';
import { LIMITS } from '../contract/limits.js';
import { defaultTimeoutMs, resolveOperatorLimits } from '../contract/operator-limits.js';
import { createRequestContract } from '../contract/request.js';
import type { ExecuteResponse, LaneName } from '../contract/response.js';
import type { EgressBridge } from '../egress/index.js';
import type { EnvironmentManager } from '../environments/index.js';
import type { EgressRequest, EgressResponse, GuestJob } from '../lanes/lane.js';
import { cancelledFailure } from '../lanes/failures.js';
import { INTERNAL_HOST } from '../project-data/internal-host.js';
import { fingerprintText } from '../lanes/fingerprint.js';
import { laneDescriptor, LANES } from '../lanes/registry.js';
import { buildEnvelope, resultWithoutRun } from './envelope.js';
import { setUpLanes } from './lanes-setup.js';
import { packageRoot, workerEntryUrl } from './package-root.js';
import { planExecution, type Transpile } from './plan.js';
import { routeRequest, type EnvironmentPreparer } from './route.js';
import { Scheduler, type Dispatched } from './scheduler.js';
import type { Engine, EngineEvent, EngineOptions, ExecuteOptions, Readiness } from './types.js';

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  // First: a limit out of range is the operator's mistake, reported before any worker starts.
  const limits = resolveOperatorLimits(options.limits);
  const contract = createRequestContract(limits);
  const root = packageRoot();
  const runtimesDir = join(root, 'runtimes');
  const storeDir = resolve(options.storeDir ?? process.env['ISOLA_STORE_DIR'] ?? join(root, 'snapshots'));
  const cores = availableParallelism();
  const sizes = Object.fromEntries(LANES.map((lane) => [lane.name, options.workers?.[lane.name] ?? lane.defaultWorkers(cores)])) as Record<LaneName, number>;
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
  const allowPrivate = options.egress?.allowPrivate ?? process.env['ISOLA_EGRESS_ALLOW_PRIVATE'] === '1';
  // Loaded on first use, like the environment manager and esbuild below: `isola run` on plain code
  // should not pay for undici, npm/pip plumbing or a TypeScript compiler it never touches.
  let bridgeCreated: EgressBridge | undefined;
  let bridgePromise: Promise<EgressBridge> | undefined;
  let gatewayCreated: { close(): Promise<void> } | undefined;
  const bridge = () =>
    (bridgePromise ??= import('../egress/index.js').then(async ({ createEgressBridge }) => {
      // The job's project is the engine's own record (liveJobs), set from ExecuteOptions, never from the guest.
      const projectData = options.projectData;
      const internal = projectData
        ? (await import('../project-data/guest-gateway.js')).createProjectDataGateway({ ...projectData, projectOfJob: (jobId) => liveJobs.get(jobId)?.projectId })
        : undefined;
      gatewayCreated = internal;
      bridgeCreated = createEgressBridge({
        ...options.egress,
        ...(internal ? { internal } : {}),
        allowPrivate,
        ...(options.logger ? { logger: options.logger } : {}),
        onDenied: (host, reason) => emit({ type: 'egress_denied', host, reason }),
      });
      return bridgeCreated;
    }));
  const liveJobs = new Map<string, { allowHosts: string[]; deadline: number; projectId?: string }>();
  const egressFetch = async (jobId: string, request: EgressRequest): Promise<EgressResponse> => {
    const job = liveJobs.get(jobId);
    if (!job) return { ok: false, kind: 'denied', message: `${hostOf(request.url)}: the execution has ended` };
    return (await bridge()).fetch(jobId, job.allowHosts, request, job.deadline);
  };

  const python = options.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  let environmentsCreated: EnvironmentManager | undefined;
  let environmentsPromise: Promise<EnvironmentManager> | undefined;
  const environments: EnvironmentPreparer = {
    async prepare(request, signal) {
      environmentsPromise ??= import('../environments/index.js').then(({ createEnvironmentManager }) => {
        environmentsCreated = createEnvironmentManager({
          storeDir,
          python,
          maxStoreBytes: options.maxStoreBytes ?? 20 * 1024 ** 3,
          ...(options.logger ? { logger: options.logger } : {}),
        });
        return environmentsCreated;
      });
      return (await environmentsPromise).prepare(request, signal);
    },
  };
  const transpile: Transpile = async (code, filename) => (await import('../languages/javascript/transpile.js')).transpileTypeScript(code, filename);
  const lanes = await setUpLanes({
    sizes,
    ...(options.maxWorkers ? { maxSizes: options.maxWorkers } : {}),
    entry: workerEntryUrl(),
    runtimesDir,
    storeDir,
    laneOptions: { ...options.laneOptions, native: { ...options.laneOptions?.native, python } },
    bridge,
    fetch: egressFetch,
    log,
    onRestart: (lane, reason) => {
      emit({ type: 'worker_restart', lane, reason });
      log('warn', 'worker replaced', { lane, reason });
    },
    onAffinity: (lane, hit) => emit({ type: 'affinity', lane, hit }),
  });
  const scheduler = new Scheduler(options.maxQueue ?? 1024, (depth) => emit({ type: 'queue', depth }));
  for (const [lane, handle] of lanes.handles) scheduler.register(lane, handle);
  const laneHash = laneHashes(runtimesDir, root);

  if (options.prewarm !== false) {
    for (const handle of lanes.handles.values()) handle.start?.();
    // The library promise resolves once JavaScript can run; slower lanes keep warming in the background.
    await lanes.handles.get('quickjs')?.whenReady?.();
  }

  let draining = false;
  let closed: Promise<void> | undefined;

  async function execute(body: unknown, executeOptions: ExecuteOptions = {}): Promise<ExecuteResponse> {
    // The one draining check: the HTTP face's drain() closes the engine first thing, so it lands here too.
    if (draining) throw shuttingDownError();
    const startedAt = Date.now();
    // A request a contract under these limits already accepted (the HTTP faces, the CLI) is not parsed again.
    const { request, inputsJson } = contract.accept(body);
    const face = executeOptions.face ?? 'isola';
    const plan = await planExecution(request, transpile);
    const signal = executeOptions.signal;
    let route: Awaited<ReturnType<typeof routeRequest>>;
    try {
      route = await routeRequest(request, plan.lane, lanes.handles, environments, signal);
    } catch (error) {
      // An environment build stopped by the caller: a cancelled result, like a cancelled run.
      if (!signal?.aborted || error instanceof IsolaError) throw error;
      route = { kind: 'failed', lane: plan.lane, failure: cancelledFailure('while its environment was built').failure, buildMs: 0 };
    }
    const id = newExecutionId();
    const lane = route.lane;
    const context = {
      id,
      lane,
      environmentHash: route.kind === 'lane' && route.environment ? route.environment.hash : laneHash[lane],
      cache: route.kind === 'lane' ? route.cache : ('miss' as const),
      ...(route.kind === 'lane' && route.reason ? { reason: route.reason } : {}),
      startedAt,
      outputLimitBytes: outputBytes,
      buildMs: route.buildMs,
    };
    const mode = plan.mode === 'main' ? 'main' : 'script';
    let dispatched: Dispatched;
    if (route.kind === 'failed') {
      dispatched = { result: resultWithoutRun(mode, route.failure, 1), queueMs: 0 };
    } else if (plan.kind === 'rejected') {
      dispatched = { result: resultWithoutRun(plan.mode, plan.failure, 1, `${plan.failure.message}\n`), queueMs: 0 };
    } else {
      dispatched = await scheduler.submit(lane, (): GuestJob => {
        const deadline = Date.now() + request.timeout_ms;
        liveJobs.set(id, { allowHosts: request.network.allow, deadline, ...(executeOptions.projectId !== undefined ? { projectId: executeOptions.projectId } : {}) });
        return {
          id,
          code: plan.code,
          filename: plan.filename,
          mode: plan.mode,
          ...(plan.sourceType ? { sourceType: plan.sourceType } : {}),
          inputsJson,
          ...(request.stdin !== undefined ? { stdin: request.stdin } : {}),
          deadline,
          timeoutMs: request.timeout_ms,
          memoryBytes: request.memory_mb * 1024 * 1024,
          limits: { stdoutBytes: streamBytes, stderrBytes: streamBytes, outputBytes },
          allowHosts: request.network.allow,
          ...(options.projectData ? { internalHost: INTERNAL_HOST } : {}),
          ...(route.environment ? { environment: route.environment } : {}),
        };
      }, signal, laneDescriptor(lane).affinity?.({ code: plan.code, ...(route.environment ? { environmentHash: route.environment.hash } : {}) }));
      liveJobs.delete(id);
      bridgeCreated?.release(id);
    }
    const response = buildEnvelope({ ...context, queueMs: dispatched.queueMs }, dispatched.result);
    emit({ type: 'execution', face, lane, status: response.status, errorType: response.error?.type ?? null, elapsedMs: response.elapsed_ms, queueMs: response.timings.queue_ms, runMs: response.timings.run_ms });
    log('info', 'execution finished', { executionId: id, requestId: executeOptions.requestId, face, lane, status: response.status, errorType: response.error?.type, elapsedMs: response.elapsed_ms });
    return response;
  }

  function readiness(): Readiness {
    const states: Readiness['lanes'] = {};
    for (const [lane, handle] of lanes.handles) states[lane] = handle.readiness();
    const anyReady = Object.values(states).some((lane) => lane.available && lane.workers.ready + lane.workers.busy > 0);
    // A boundary counts when a lane that provides it is up.
    const up = (boundary: (typeof LANES)[number]['boundaries'][number]) =>
      LANES.some((lane) => lane.boundaries.includes(boundary) && states[lane.name]?.available === true);
    return {
      ready: !draining && anyReady,
      draining,
      queue: { depth: scheduler.depth, max: scheduler.capacity },
      lanes: states,
      rings: {
        wasm: up('wasm'),
        no_host_realm: up('no_host_realm'),
        os_sandbox: up('os_sandbox'),
        scrubbed_env: true,
      },
      egress: { allow_private: allowPrivate },
      limits: {
        max_timeout_ms: limits.maxTimeoutMs,
        default_timeout_ms: defaultTimeoutMs(limits),
        max_code_bytes: limits.maxCodeBytes,
        max_inputs_bytes: limits.maxInputsBytes,
        max_memory_mb: LIMITS.memoryMb.max,
        stream_bytes: streamBytes,
        output_bytes: outputBytes,
      },
    };
  }

  let forced = false;
  async function close({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    draining = true;
    closed ??= (async () => {
      const until = Date.now() + graceMs;
      while (scheduler.inFlight > 0 && Date.now() < until && !forced) await new Promise((r) => setTimeout(r, 20));
      await lanes.close();
      await environmentsCreated?.close();
      await bridgeCreated?.close();
      await gatewayCreated?.close();
    })();
    return closed;
  }

  function destroy(): Promise<void> {
    forced = true;
    return close({ graceMs: 0 });
  }

  return { execute, readiness, limits, close, destroy, [Symbol.asyncDispose]: () => close() };
}

/** Per lane, the hash of what its descriptor says makes two engines run the same code the same way. */
function laneHashes(runtimesDir: string, root: string): Record<LaneName, string> {
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  const file = (path: string) => {
    try {
      return readFileSync(join(runtimesDir, path), 'utf8');
    } catch {
      return 'missing';
    }
  };
  const hashes = LANES.map((lane) => [lane.name, createHash('sha256').update(fingerprintText(lane, version, file)).digest('hex').slice(0, 16)]);
  return Object.fromEntries(hashes) as Record<LaneName, string>;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}
