/**
 * The protocol between the engine and a lane's driver. A driver lives inside a worker (thread or
 * process) and owns one interpreter at a time; the engine hands it one GuestJob at a time.
 *
 * Portable: nothing here, and nothing a driver imports, may come from `node:`. Host services a driver
 * needs (snapshot bytes, egress, runtime files) arrive through `DriverHost`, implemented at the edge.
 *
 * Convention: `src/lanes/<lane>/worker-entry.ts` exports `createDriver: CreateDriver`. In the Wasm lanes
 * it is the only file allowed to import `node:` (it adapts the portable driver to Node: a vm realm); the
 * native lane is a Node edge throughout (subprocesses, bubblewrap), so its files import `node:` freely.
 * The engine loads it inside a worker thread (quickjs, pyodide) or in the host process (native).
 */
import type { ErrorType, LaneName } from '../contract/response.js';

export type { LaneName };

export type EntryMode = 'script' | 'main';

export interface GuestJob {
  id: string;
  /** Code to run, already transpiled to what the lane executes (TS arrives as JS). */
  code: string;
  /** File name the guest sees in stack traces, e.g. "main.js" or "main.py". */
  filename: string;
  /** `auto` only reaches lanes that detect the mode themselves (Python uses `ast` in the guest). */
  mode: EntryMode | 'auto';
  /** JS only: evaluate as an ES module (the code uses import/export or top-level await) or a classic script. */
  sourceType?: 'script' | 'module';
  /** The request's inputs, serialized once on the host. */
  inputsJson: string;
  /** What the guest reads on standard input; without it, inputsJson. */
  stdin?: string;
  /** Absolute deadline in ms since the epoch (Date.now clock). The driver interrupts the guest at it. */
  deadline: number;
  timeoutMs: number;
  memoryBytes: number;
  limits: { stdoutBytes: number; stderrBytes: number; outputBytes: number };
  /** Egress allow-list of the request; empty means no network. */
  allowHosts: string[];
  /**
   * The reserved host the bridge serves in-process (project data, http://isola.internal/) when the
   * engine has it: reachable even with an empty allow-list, so lanes open their path to the bridge.
   */
  internalHost?: string;
  /**
   * Origin of the Isola service's signed library downloads (createDownloadUrl), which the bridge serves
   * in-process like the internal host: lanes let requests to it through even with an empty allow-list.
   */
  downloadOrigin?: string;
  /** Content-addressed environment the job runs in (packages, prebuild); undefined for the bare lane. */
  environment?: GuestEnvironment;
  /**
   * Someone follows this job's output live: the driver hands each stdout/stderr chunk it keeps (after the
   * caps) to DriverHost.output as it is written. Off by default, so plain runs pay nothing for it.
   */
  streamOutput?: boolean;
  /** One item of a batch (request `items`): the guest calls execute(args, ctx) instead of main. */
  batch?: BatchItemJob;
  /**
   * Several items of one batch for one worker (src/engine/items/run-chunk.ts): each runs as this job
   * with its own id and `batch`, and the driver is recycled between them exactly as between two jobs.
   * Each item's result is reported as soon as it is done; the job's own result only ends the chunk.
   */
  chunk?: BatchChunk;
  /** language "wasm" with `module: { id }`: the uploaded module to run instead of base64 in `code`. */
  wasmModule?: WasmModuleBlob;
}

export interface BatchChunk {
  items: { id: string; batch: BatchItemJob }[];
  /** Start no further item after one that failed (the request's continue_on_fail is off). */
  stopOnFailure: boolean;
  /** Start no further item once the items' return values together are over this many bytes. */
  outputBytes: number;
}

/** An uploaded WASI module in the blob store, checked by the engine (src/engine/wasm-module-blob.ts). */
export interface WasmModuleBlob {
  /** Its SHA-256: the same id is the same bytes, so a worker keeps one compiled copy per id. */
  id: string;
  /** Where the bytes are on this host; the lane reads them only when it has no compiled copy. */
  path: string;
  size: number;
}

export type OutputStream = 'stdout' | 'stderr';

/**
 * What a guest needs to call `execute(args, ctx)` for one item. Its result is `returnJson`:
 * `{"value": <what execute returned, null for nothing>, "ports": {<port>: [...]} | null}` (what
 * ctx.emitPorts collected); the engine turns it into output items (src/engine/items/item-output.ts).
 */
export interface BatchItemJob {
  index: number;
  /** `{json, binary?}` of this item. */
  itemJson: string;
  /**
   * UTF-8 JSON of the whole batch (args.items): one buffer for every job of the batch, shared with
   * worker threads rather than copied (a SharedArrayBuffer where there is one). The guest decodes it
   * only when the code reads args.items.
   */
  itemsBytes: Uint8Array;
  /**
   * The item's attachments, resolved in the blob store by the engine: the guest sees each as the file
   * `/data/binary/<index>/<name>` and through ctx.binary.get(name).
   */
  binary?: BatchAttachment[];
}

export interface BatchAttachment {
  name: string;
  /** Path of the blob's bytes relative to the store dir (DriverHost.readArtifact). */
  storePath: string;
  /** The same, absolute (lanes that run in the engine's process). */
  path: string;
  size: number;
}

/**
 * Where a guest's ctx.binary.attach writes the bytes of a new attachment (its own file system); the
 * lane hands what is there back as GuestResult.attachments, and the reference the guest got,
 * `{id: "outbox:<name>"}`, is replaced by the blob's id once the engine stored it.
 */
export const OUTBOX_DIR = '/tmp/isola-outbox';
export const OUTBOX_ID_PREFIX = 'outbox:';

export interface GuestEnvironment {
  hash: string;
  /** Lane-specific description of what to mount/load (paths of bundles, wheels, venvs...). */
  spec: Record<string, unknown>;
}

export interface GuestFailure {
  type: ErrorType;
  message: string;
  traceback?: string;
}

export interface GuestResult {
  /** Process-style exit code: 0 ok, 1 uncaught exception, n for exit(n). */
  exitCode: number;
  mode: EntryMode;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** JSON text of main()'s return value, in function mode. */
  returnJson?: string;
  /** Raw text of ./output.json if the code wrote one. */
  outputFileText?: string;
  failure?: GuestFailure;
  /** A chunk's end (GuestJob.chunk): how many of its items ran and were reported. */
  chunkItems?: number;
  /** A batch item's new attachments (what it wrote to OUTBOX_DIR), by name: bytes, never JSON. */
  attachments?: { name: string; bytes: Uint8Array }[];
  /**
   * 'miss' when this execution paid for preparing something that later executions reuse (a prebuild,
   * an environment's first load in this worker); 'hit' otherwise. The envelope adds the environment
   * build (routing) to it: one meaning in every lane.
   */
  cache: 'hit' | 'miss';
  setupMs: number;
  runMs: number;
}

/** A request the guest made through its fetch/requests/urllib, serialised as plain data. */
export interface EgressRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body?: Uint8Array;
  timeoutMs?: number;
  /** Redirect handling, as in fetch(): the bridge follows (re-checking every hop) unless told otherwise. */
  redirect?: 'follow' | 'manual' | 'error';
}

export type EgressResponse =
  | { ok: true; status: number; statusText: string; url: string; headers: [string, string][]; body: Uint8Array }
  | { ok: false; kind: 'denied' | 'network' | 'timeout' | 'too_large'; message: string };

/** Services the edge gives a driver. Every method takes and returns plain data. */
/**
 * Word of the interrupt memory a driver raises (Atomics.add +1, then -1) while its guest waits without
 * using a core: a sleep, a blocking read. The engine reads it to tell a blocked worker from a busy one,
 * and grows the pool only for the former (more workers than cores only slow CPU-bound work down).
 */
export const INTERRUPT_BLOCKED_WORD = 2;

export interface DriverHost {
  /** Guest-side runtime files (e.g. "quickjs/prelude.js"), read by the edge from runtimes/. */
  runtimeFile(path: string): string;
  /** Fetch through the host's egress bridge, under the job's allow-list. */
  fetch(jobId: string, request: EgressRequest): Promise<EgressResponse>;
  /**
   * Synchronous fetch for guests that cannot await (Python `requests`): blocks the worker, not the host.
   * Undefined where the transport cannot block.
   */
  fetchSync?(jobId: string, request: EgressRequest): EgressResponse;
  /**
   * Interrupt flag shared with the edge (SharedArrayBuffer-backed, one Int32). The edge stores 2 (SIGINT)
   * at index 0 when the running job's deadline passes; the driver hands it to the interpreter
   * (Pyodide setInterruptBuffer, QuickJS interrupt handler) and resets it to 0 before each job.
   */
  interrupt?: Int32Array;
  /** The shared one-page Wasm memory `interrupt` views, for guests that import it (the CPython lane). */
  interruptMemory?: WebAssembly.Memory;
  /** Bytes of an environment artifact (wheel, bundle) named in GuestEnvironment.spec. */
  readArtifact?(path: string): Promise<Uint8Array>;
  /**
   * The host's HTTP(S) forward proxy for lanes whose guests make their own connections (native): it
   * applies the same egress policy as fetch(), per job, through the token in the URL it hands out.
   */
  egressProxy?: { readonly address: string; url(jobId: string, allowHosts: readonly string[], deadline?: number): string; release(jobId: string): void };
  /**
   * Compiled modules shared by the workers of a lane: compiling CPython's 100 MB module costs each
   * worker half a second, a shared Module nothing. Undefined where workers cannot share (tests).
   */
  sharedModule?(key: string): WebAssembly.Module | undefined;
  shareModule?(key: string, module: WebAssembly.Module): void;
  /**
   * Read-only bytes shared the same way (the standard library's archive, a boot image): one copy per
   * process instead of one per worker. Whoever shares them must never write to them again.
   */
  sharedBuffer?(key: string): SharedArrayBuffer | undefined;
  shareBuffer?(key: string, buffer: SharedArrayBuffer): void;
  /** Snapshot store, keyed by content hash; undefined where there is no persistent store. */
  snapshots?: SnapshotStore;
  /**
   * A chunk the guest of a job with `streamOutput` wrote, as the envelope will keep it (already capped).
   * Called synchronously from the write; the edge forwards it (a worker posts it to the engine).
   */
  output?(jobId: string, stream: OutputStream, text: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
}

export interface SnapshotStore {
  /** `shared`: the bytes in a SharedArrayBuffer (to hand to sibling workers without another copy). */
  get(key: string, options?: { shared?: boolean }): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Removes every entry whose key starts with `prefix` except `keep` (what a new version replaced). */
  prune?(prefix: string, keep: string): Promise<void>;
}

export interface LaneDriver {
  readonly lane: LaneName;
  /**
   * Run one job to its end. Expected failures come back in the result; a throw means a driver bug.
   * `signal` is given only where the driver runs in the engine's thread (inline lanes): aborting it
   * must stop the run as its deadline would. Worker lanes are stopped through the interrupt flag.
   */
  run(job: GuestJob, signal?: AbortSignal): Promise<GuestResult>;
  /** Called while idle after each run: reset interpreter state so the next job starts clean. */
  recycle?(): Promise<void>;
  /**
   * The next recycle() will take long (it builds an image): the worker then takes no job until it is
   * done, so that no job's deadline runs while it waits for the recycle.
   */
  recycleIsLong?(): boolean;
  /** What the driver reports for /readyz (versions, rings, snapshot state). */
  describe(): Record<string, unknown>;
  dispose(): Promise<void>;
}

export interface DriverConfig {
  /** Operator options for the lane (e.g. extra preloaded modules), from EngineOptions. */
  options: Record<string, unknown>;
}

export type CreateDriver = (host: DriverHost, config: DriverConfig) => Promise<LaneDriver>;
