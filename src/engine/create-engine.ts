/**
 * createEngine: the library face, and the one engine the CLI and the HTTP service wrap. It composes the
 * contract (parse), planning (mode, transpile), routing (lane, environment), the scheduler (bounded
 * queue) and the lanes, and turns every accepted request into exactly one response envelope.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OPEN_OWNER } from '../blobs/blob-owners.js';
import { BlobStore } from '../blobs/blob-store.js';
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import { newExecutionId } from '../contract/ids.js';
import { LIMITS } from '../contract/limits.js';
import { defaultTimeoutMs, resolveOperatorLimits } from '../contract/operator-limits.js';
import { createRequestContract } from '../contract/request.js';
import type { ExecuteResponse, LaneName } from '../contract/response.js';
import type { EgressBridge } from '../egress/index.js';
import type { EnvironmentManager } from '../environments/index.js';
import type { BatchAttachment, EgressRequest, EgressResponse, GuestEnvironment, GuestJob } from '../lanes/lane.js';
import type { Item } from '../contract/items.js';
import { CANCELLED_EXIT_CODE, cancelledFailure } from '../lanes/failures.js';
import { INTERNAL_HOST } from '../project-data/internal-host.js';
import { fingerprintText } from '../lanes/fingerprint.js';
import { laneDescriptor, LANES } from '../lanes/registry.js';
import { buildEnvelope, resultWithoutRun } from './envelope.js';
import { runBatch, type BatchOutcome } from './items/run-batch.js';
import { setUpLanes } from './lanes-setup.js';
import { createWasmModuleResolver } from './wasm-module-blob.js';
import { packageRoot, storeDirOf, workerEntryUrl } from './package-root.js';
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
  const storeDir = storeDirOf(options.storeDir);
  const blobs = new BlobStore(join(storeDir, 'blobs'), {
    ...(options.maxBlobBytes !== undefined ? { maxBytes: options.maxBlobBytes } : {}),
    ...blobTimes(options),
  });
  const wasmModule = createWasmModuleResolver(blobs);
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
        ? (await import('../project-data/guest-gateway.js')).createProjectDataGateway({
            ...projectData,
            projectOfJob: (jobId) => liveJobs.get(jobId)?.project,
            ...(options.egress?.maxResponseBytes !== undefined ? { maxResponseBytes: options.egress.maxResponseBytes } : {}),
          })
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
  const liveJobs = new Map<string, { allowHosts: string[]; deadline: number; onOutput?: ExecuteOptions['onOutput']; project?: string }>();
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
    output: (jobId, stream, text) => {
      try {
        liveJobs.get(jobId)?.onOutput?.(stream, text);
      } catch {
        // An observer's bug must not fail the execution.
      }
    },
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
    const { request, inputsJson, outputCheck, batch } = contract.accept(body);
    // An uploaded module is the request's to name rightly: no blob, or not a module, is a 4xx, not a run.
    // Blobs are the project's own: another project's module id is as absent as one nobody uploaded.
    const moduleBlob = request.module ? await wasmModule(executeOptions.project ?? OPEN_OWNER, request.module.id) : undefined;
    const face = executeOptions.face ?? 'isola';
    const plan = await planExecution(request, transpile);
    const signal = executeOptions.signal;
    let route: Awaited<ReturnType<typeof routeRequest>>;
    try {
      // Cancelled before it started (a queued job): not even its environment is built.
      route = signal?.aborted
        ? { kind: 'failed', lane: plan.lane, failure: cancelledFailure('before it started').failure, buildMs: 0 }
        : await routeRequest(request, plan.lane, lanes.handles, environments, signal);
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
      // A batch holds each output item to the checks (runBatch); its `output` is null by design.
      ...(outputCheck && !batch ? { outputCheck } : {}),
    };
    const mode = plan.mode === 'main' ? 'main' : 'script';
    const affinity = plan.kind === 'run' ? laneDescriptor(lane).affinity?.({ code: plan.code, ...(route.kind === 'lane' && route.environment ? { environmentHash: route.environment.hash } : {}) }) : undefined;
    /** The lane job of this request, or of one of its items (its own id: egress and the native sandbox are per job). */
    const jobOf = (run: Extract<typeof plan, { kind: 'run' }>, environment: GuestEnvironment | undefined, jobId: string, deadline: number, extra: Partial<GuestJob> = {}): GuestJob => {
      const onOutput = executeOptions.onOutput;
      liveJobs.set(jobId, { allowHosts: request.network.allow, deadline, ...(onOutput ? { onOutput } : {}), ...(executeOptions.project !== undefined ? { project: executeOptions.project } : {}) });
      return {
        id: jobId,
        code: run.code,
        filename: run.filename,
        mode: run.mode,
        ...(run.sourceType ? { sourceType: run.sourceType } : {}),
        inputsJson,
        ...(request.stdin !== undefined ? { stdin: request.stdin } : {}),
        deadline,
        timeoutMs: request.timeout_ms,
        memoryBytes: request.memory_mb * 1024 * 1024,
        limits: { stdoutBytes: streamBytes, stderrBytes: streamBytes, outputBytes },
        allowHosts: request.network.allow,
        ...(environment ? { environment } : {}),
        ...(executeOptions.onOutput ? { streamOutput: true } : {}),
        ...(options.projectData ? { internalHost: INTERNAL_HOST } : {}),
        // Known once the service listens, so read per job.
        ...(options.projectData?.library?.downloadUrls?.origin ? { downloadOrigin: options.projectData.library.downloadUrls.origin } : {}),
        ...(moduleBlob ? { wasmModule: moduleBlob } : {}),
        ...extra,
      };
    };
    const finished = (jobId: string) => {
      liveJobs.delete(jobId);
      bridgeCreated?.release(jobId);
    };
    let dispatched: Dispatched;
    let batchOutcome: BatchOutcome | undefined;
    if (route.kind === 'failed') {
      dispatched = { result: resultWithoutRun(mode, route.failure, route.failure.type === 'cancelled' ? CANCELLED_EXIT_CODE : 1), queueMs: 0 };
    } else if (plan.kind === 'rejected') {
      dispatched = { result: resultWithoutRun(plan.mode, plan.failure, 1, `${plan.failure.message}\n`), queueMs: 0 };
    } else if (batch && request.items) {
      // Planned and routed once above; each item is its own lane job under the batch's one deadline.
      let deadline: number | undefined;
      // The batch starts running when its first item does (jobs show `running` from then on).
      let started = false;
      const onStart = () => {
        if (started) return;
        started = true;
        executeOptions.onStart?.();
      };
      const owner = executeOptions.project ?? OPEN_OWNER;
      const inputBinary = await resolveAttachments(request.items, blobs, owner, storeDir);
      batchOutcome = await runBatch({
        ...batch,
        items: request.items,
        inputBinary,
        ...(outputCheck ? { outputCheck } : {}),
        storeAttachment: (bytes, mimeType) => blobs.putBytes(owner, bytes, mimeType),
        continueOnFail: request.continue_on_fail ?? false,
        emptyBatch: request.empty_batch ?? 'skip',
        concurrency: sizes[lane],
        streamBytes,
        outputBytes,
        chunked: scheduler.runsChunks(lane),
        runItems: async (items, budget, onItem) => {
          // Each item is a job of its own id (egress, live output and the native sandbox are per job), also inside a chunk.
          const ids = items.map((item) => `${id}.${item.index}`);
          const chunkId = `${id}.${items[0]?.index}-${items.at(-1)?.index}`;
          const streams = { stdoutBytes: budget.stdoutBytes, stderrBytes: budget.stderrBytes };
          const jobFor = (): GuestJob => {
            const at = (deadline ??= Date.now() + request.timeout_ms);
            if (items.length === 1) return withStreams(jobOf(plan, route.environment, ids[0]!, at, { batch: items[0]! }), streams);
            for (const itemId of ids) jobOf(plan, route.environment, itemId, at);
            const chunk = { items: items.map((batch, k) => ({ id: ids[k]!, batch })), stopOnFailure: !(request.continue_on_fail ?? false), outputBytes: budget.outputBytes };
            return withStreams(jobOf(plan, route.environment, chunkId, at, { chunk }), streams);
          };
          try {
            if (items.length > 1) return await scheduler.submit(lane, jobFor, signal, affinity, onStart, onItem);
            const dispatched = await scheduler.submit(lane, jobFor, signal, affinity, onStart);
            onItem(0, dispatched.result);
            return dispatched;
          } finally {
            for (const itemId of ids) finished(itemId);
            finished(chunkId);
          }
        },
      });
      dispatched = { result: batchOutcome.result, queueMs: batchOutcome.queueMs };
    } else {
      dispatched = await scheduler.submit(lane, () => jobOf(plan, route.environment, id, Date.now() + request.timeout_ms), signal, affinity, executeOptions.onStart);
      finished(id);
    }
    const envelope = buildEnvelope({ ...context, queueMs: dispatched.queueMs }, dispatched.result);
    const response: ExecuteResponse = request.items === undefined ? envelope : batchResponse(envelope, batchOutcome);
    const project = executeOptions.project;
    emit({ type: 'execution', face, lane, status: response.status, errorType: response.error?.type ?? null, elapsedMs: response.elapsed_ms, queueMs: response.timings.queue_ms, runMs: response.timings.run_ms, ...(project ? { project } : {}) });
    log('info', 'execution finished', { executionId: id, requestId: executeOptions.requestId, face, lane, ...(project ? { project } : {}), status: response.status, errorType: response.error?.type, elapsedMs: response.elapsed_ms });
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
      blobs.close();
    })();
    return closed;
  }

  function destroy(): Promise<void> {
    forced = true;
    return close({ graceMs: 0 });
  }

  return { execute, readiness, limits, blobs, close, destroy, [Symbol.asyncDispose]: () => close() };
}

/** The job with its captured streams capped at what the batch has left. */
function withStreams(job: GuestJob, streams: { stdoutBytes: number; stderrBytes: number }): GuestJob {
  return { ...job, limits: { ...job.limits, ...streams } };
}

/**
 * A batch answers on its ports; `output` stays null (stdout is still offered as stdout_json). When an
 * item's output failed output_schema and so failed the execution, the error names its pointer and rule
 * as a single execution's would.
 */
function batchResponse(envelope: ExecuteResponse, outcome: BatchOutcome | undefined): ExecuteResponse {
  const errors = outcome?.errors ?? [];
  const by = outcome?.failedBy;
  const error = envelope.error && by?.pointer !== undefined ? { ...envelope.error, pointer: by.pointer, ...(by.rule !== undefined ? { rule: by.rule } : {}) } : envelope.error;
  return { ...envelope, error, output: null, items: outcome?.items ?? {}, ...(errors.length > 0 ? { errors } : {}) };
}

/**
 * Every item's attachments, looked up in the blob store before anything runs: a reference to no blob is
 * the request's mistake (blob_not_found naming the field), not one item's failure.
 */
async function resolveAttachments(items: readonly Item[], blobs: BlobStore, owner: string, storeDir: string): Promise<(BatchAttachment[] | undefined)[]> {
  const resolved: (BatchAttachment[] | undefined)[] = [];
  for (const [index, item] of items.entries()) {
    if (!item.binary) continue;
    const attachments: BatchAttachment[] = [];
    for (const [name, ref] of Object.entries(item.binary)) {
      const blob = await blobs.stat(owner, ref.id);
      if (!blob) {
        const field = `items.${index}.binary.${name}.id`;
        throw new IsolaError('blob_not_found', `No blob ${ref.id.slice(0, 80)} (${field})`, { issues: [{ field, message: 'names no blob in the store; upload it with POST /v1/blobs' }] });
      }
      attachments.push({ name, path: blob.path, storePath: relative(storeDir, blob.path), size: blob.size });
    }
    resolved[index] = attachments;
  }
  return resolved;
}

/** The blob TTL and sweep interval: the engine's options, else ISOLA_BLOB_TTL_MS and ISOLA_BLOB_SWEEP_MS. */
function blobTimes(options: EngineOptions): { ttlMs?: number; sweepEveryMs?: number } {
  const fromEnv = (name: string, min: number): number | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) throw new IsolaError('invalid_request', `${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const ttlMs = options.blobTtlMs ?? fromEnv('ISOLA_BLOB_TTL_MS', 1);
  const sweepEveryMs = options.blobSweepMs ?? fromEnv('ISOLA_BLOB_SWEEP_MS', 0);
  return { ...(ttlMs !== undefined ? { ttlMs } : {}), ...(sweepEveryMs !== undefined ? { sweepEveryMs } : {}) };
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
