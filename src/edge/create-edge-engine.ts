/**
 * `isola/edge`: the engine for browsers and edge workers. Same contract (zod schema, limits), planning,
 * routing, scheduler and envelope as the Node engine, in the same files; only the lane host differs:
 * QuickJS runs in Web Workers (web-worker-lane.ts) instead of worker threads. What the edge does not
 * have answers with the Node engine's own codes: Python, unless `python` is enabled, is `unsupported`
 * like a disabled lane, packages are `package_unavailable`, TypeScript needs a transpiler passed in, and
 * guest network calls are denied. Portable: no `node:` import reaches the bundle.
 */
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import { newExecutionId } from '../contract/ids.js';
import { LIMITS } from '../contract/limits.js';
import { type OperatorLimits, resolveOperatorLimits } from '../contract/operator-limits.js';
import { createRequestContract } from '../contract/request.js';
import type { ExecuteResponse, LaneName } from '../contract/response.js';
import { buildEnvelope, resultWithoutRun } from '../engine/envelope.js';
import { planExecution, type Transpile } from '../engine/plan.js';
import { type EnvironmentPreparer, routeRequest } from '../engine/route.js';
import { type Dispatched, type LaneExecutor, Scheduler } from '../engine/scheduler.js';
import type { GuestJob } from '../lanes/lane.js';
import { fingerprintText } from '../lanes/fingerprint.js';
import { cpythonLane } from '../lanes/cpython/descriptor.js';
import { quickjsLane } from '../lanes/quickjs/descriptor.js';
import { PACKAGE_VERSIONS, RUNTIME_FILES } from 'virtual:isola-runtime-files';
import { InlineLane } from './inline-lane.js';
import { WebWorkerLane } from './web-worker-lane.js';

export interface EdgeEngineOptions {
  /** The QuickJS module: compiled, its bytes, or where to fetch them. Default: quickjs.wasm beside the bundle. */
  wasm?: WebAssembly.Module | BufferSource | URL | string;
  /** The worker script. Default: quickjs-worker.js beside the bundle. */
  workerUrl?: URL | string;
  /** Web Workers running QuickJS. Default 2. */
  workers?: number;
  /**
   * 'worker': QuickJS in Web Workers (browsers; deadlines and cancels can stop a stuck guest).
   * 'inline': in this isolate (hosts without Web Workers, such as workerd). Default: 'worker' where
   * `Worker` exists.
   */
  host?: 'worker' | 'inline';
  /**
   * Python in Web Workers (CPython for WASI, the Node engine's cpython lane). Off by default: it loads
   * ~150 MB (the guarded module and the standard library), and needs a cross-origin isolated page.
   * `true` takes python.wasm and python-stdlib.zip from beside the bundle.
   */
  python?:
    | boolean
    | {
        wasm?: WebAssembly.Module | BufferSource | URL | string;
        stdlib?: BufferSource | URL | string;
        /** The lane's guest files (runtimes/cpython, runtimes/python). Default: python-runtime-files.json beside the bundle. */
        runtimeFiles?: Record<string, string> | URL | string;
        workers?: number;
      };
  maxQueue?: number;
  limits?: Partial<OperatorLimits>;
  /** Type-stripping for `language: "typescript"` (e.g. esbuild-wasm's transform); without it, TypeScript is refused. */
  transpile?: Transpile;
}

export interface EdgeEngine {
  execute(request: unknown, options?: { signal?: AbortSignal }): Promise<ExecuteResponse>;
  readonly limits: ReturnType<typeof resolveOperatorLimits>;
  close(): Promise<void>;
}

async function compileWasm(source: EdgeEngineOptions['wasm']): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source !== undefined && typeof source !== 'string' && !(source instanceof URL)) return WebAssembly.compile(source);
  const url = source ?? new URL('./quickjs.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`isola/edge: fetching the QuickJS module from ${String(url)} answered ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

async function fetchBytes(source: BufferSource | URL | string, what: string): Promise<ArrayBuffer> {
  if (source instanceof ArrayBuffer) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice().buffer;
  if (typeof source !== 'string' && !(source instanceof URL)) throw new Error(`isola/edge: ${what} must be bytes or a URL`);
  const response = await fetch(source);
  if (!response.ok) throw new Error(`isola/edge: fetching ${what} from ${String(source)} answered ${response.status}`);
  return response.arrayBuffer();
}

async function fetchRuntimeFiles(source: Record<string, string> | URL | string): Promise<Record<string, string>> {
  if (typeof source !== 'string' && !(source instanceof URL)) return source;
  const text = new TextDecoder().decode(await fetchBytes(source, "Python's guest runtime files"));
  return JSON.parse(text) as Record<string, string>;
}

/** The standard library once per page: shared by every Python worker where memory can be shared. */
function shareable(bytes: ArrayBuffer): ArrayBuffer | SharedArrayBuffer {
  if (globalThis.crossOriginIsolated !== true) return bytes;
  const shared = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(shared).set(new Uint8Array(bytes));
  return shared;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export async function createEngine(options: EdgeEngineOptions = {}): Promise<EdgeEngine> {
  const limits = resolveOperatorLimits(options.limits);
  const contract = createRequestContract(limits);
  const wasm = await compileWasm(options.wasm);
  const host = options.host ?? (typeof Worker === 'function' ? 'worker' : 'inline');
  // The bundle holds QuickJS's guest files; Python's join them when Python is asked for.
  const files: Record<string, string> = { ...RUNTIME_FILES };
  const lane =
    host === 'inline'
      ? new InlineLane(wasm, RUNTIME_FILES)
      : new WebWorkerLane(
          {
            workerUrl: options.workerUrl ?? new URL('./quickjs-worker.js', import.meta.url),
            init: { lane: 'quickjs', wasm, files: RUNTIME_FILES },
            graceMs: quickjsLane.graceMs,
          },
          options.workers ?? 2,
        );
  const lanes = new Map<LaneName, LaneExecutor & { start(): Promise<void>; close(): void }>([['quickjs', lane]]);
  if (options.python) {
    if (host === 'inline') throw new Error('isola/edge: Python runs in Web Workers only (host "worker")');
    const python = options.python === true ? {} : options.python;
    const [pythonWasm, stdlib, pythonFiles] = await Promise.all([
      compileWasm(python.wasm ?? new URL('./python.wasm', import.meta.url)),
      fetchBytes(python.stdlib ?? new URL('./python-stdlib.zip', import.meta.url), 'the Python standard library'),
      fetchRuntimeFiles(python.runtimeFiles ?? new URL('./python-runtime-files.json', import.meta.url)),
    ]);
    Object.assign(files, pythonFiles);
    const init = { lane: 'cpython' as const, wasm: pythonWasm, stdlib: shareable(stdlib), files };
    lanes.set('cpython', new WebWorkerLane({ workerUrl: new URL('./cpython-worker.js', import.meta.url), init, graceMs: cpythonLane.graceMs }, python.workers ?? 1));
  }
  await Promise.all([...lanes.values()].map((each) => each.start()));
  const scheduler = new Scheduler(options.maxQueue ?? 256);
  for (const [name, executor] of lanes) scheduler.register(name, executor);
  const file = (path: string) => files[path] ?? 'missing';
  const version = (pkg: string) => PACKAGE_VERSIONS[pkg] ?? 'unknown';
  const laneHash: Partial<Record<LaneName, string>> = {};
  for (const descriptor of [quickjsLane, cpythonLane]) laneHash[descriptor.name] = (await sha256Hex(fingerprintText(descriptor, version, file))).slice(0, 16);
  const transpile: Transpile =
    options.transpile ?? (async () => ({ ok: false, message: 'TypeScript needs a transpiler in the edge engine: pass createEngine({ transpile })' }));
  const environments: EnvironmentPreparer = {
    async prepare() {
      return { error: { type: 'package_unavailable', message: 'packages need an environment build (npm or pip), which the edge engine does not do' } };
    },
  };
  const streamBytes = LIMITS.streamBytes;
  const outputBytes = LIMITS.outputBytes;
  let closed = false;

  async function execute(body: unknown, executeOptions: { signal?: AbortSignal } = {}): Promise<ExecuteResponse> {
    if (closed) throw shuttingDownError();
    const startedAt = Date.now();
    const { request, inputsJson, outputCheck } = contract.accept(body);
    const plan = await planExecution(request, transpile);
    const route = await routeRequest(request, plan.lane, lanes, environments, executeOptions.signal);
    const id = newExecutionId();
    const mode = plan.mode === 'main' ? 'main' : 'script';
    let dispatched: Dispatched;
    if (route.kind === 'failed') dispatched = { result: resultWithoutRun(mode, route.failure, 1), queueMs: 0 };
    else if (plan.kind === 'rejected') dispatched = { result: resultWithoutRun(plan.mode, plan.failure, 1, `${plan.failure.message}\n`), queueMs: 0 };
    else {
      dispatched = await scheduler.submit(route.lane, (): GuestJob => ({
        id,
        code: plan.code,
        filename: plan.filename,
        mode: plan.mode,
        ...(plan.sourceType ? { sourceType: plan.sourceType } : {}),
        inputsJson,
        ...(request.stdin !== undefined ? { stdin: request.stdin } : {}),
        deadline: Date.now() + request.timeout_ms,
        timeoutMs: request.timeout_ms,
        memoryBytes: request.memory_mb * 1024 * 1024,
        limits: { stdoutBytes: streamBytes, stderrBytes: streamBytes, outputBytes },
        allowHosts: request.network.allow,
      }), executeOptions.signal);
    }
    return buildEnvelope(
      { id, lane: route.lane, environmentHash: laneHash[route.lane] ?? 'unknown', cache: route.kind === 'lane' ? route.cache : 'miss', startedAt, queueMs: dispatched.queueMs, outputLimitBytes: outputBytes, buildMs: route.buildMs, ...(outputCheck ? { outputCheck } : {}) },
      dispatched.result,
    );
  }

  return {
    execute,
    limits,
    async close() {
      closed = true;
      for (const each of lanes.values()) each.close();
    },
  };
}

export { IsolaError };
