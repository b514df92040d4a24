/** The engine's public surface: what the library, CLI and HTTP faces program against. Portable. */
import type { BlobInfo } from '../contract/items.js';
import type { OperatorLimits } from '../contract/operator-limits.js';
import type { ExecuteRequestInput, ParsedExecuteRequest } from '../contract/request.js';
import type { ExecuteResponse, LaneName } from '../contract/response.js';
import type { EgressOptions, EngineLogger } from '../egress/options.js';
import type { ProjectDatabases, ProjectKv } from '../project-data/types.js';
import type { GuestLibraryAccess } from '../project-data/guest-library.js';

export type { EgressOptions, EngineLogger };

export interface EngineOptions {
  /** Worker count per lane (defaults in each lane's descriptor). 0 disables a lane. */
  workers?: Partial<Record<LaneName, number>>;
  /** Operator options per lane, handed to its driver (e.g. cpython: { preload, rebootEvery }). */
  laneOptions?: Partial<Record<LaneName, Record<string, unknown>>>;
  /** How far a lane's pool may grow while all its workers are busy (default in its descriptor). */
  maxWorkers?: Partial<Record<LaneName, number>>;
  /** Executions waiting for a worker, all lanes together, before execute() rejects with `overloaded`. */
  maxQueue?: number;
  /** Directory of the snapshot and environment store (default: ./snapshots). */
  storeDir?: string;
  /** Size cap of the environment store; least recently used environments are evicted past it (default 20 GiB). */
  maxStoreBytes?: number;
  /**
   * The operator's limits: the longest timeout a request may ask for (default 1,000,000 ms) and the
   * largest code (2 MiB) and inputs (10 MiB; stdin too). Out of range: createEngine throws
   * OperatorLimitsError naming the setting.
   */
  limits?: Partial<OperatorLimits>;
  /** Caps of captured stdout/stderr per stream, in bytes (default 1 MiB). */
  streamLimitBytes?: number;
  /** Cap of the output value in bytes (default 10 MiB). */
  outputLimitBytes?: number;
  /**
   * Host CPython for the native lane and for building its environments (default /usr/bin/python3 when
   * present). It must be readable by the sandbox's unprivileged user, so not a pyenv under /root.
   */
  python?: string;
  /** Start lane workers at createEngine() rather than on first use (default true). */
  prewarm?: boolean;
  /** Egress policy of the operator; requests can only narrow it. */
  egress?: EgressOptions;
  /**
   * Project databases and KV for guest code: served at http://isola.internal/ through the egress bridge,
   * as the project execute() was given (`ExecuteOptions.project`), with no key in the guest.
   */
  projectData?: { databases: ProjectDatabases; kv: ProjectKv; library?: GuestLibraryAccess };
  /** Receives engine events (metrics, logs). Must not throw. */
  onEvent?: (event: EngineEvent) => void;
  /** Structured logger (pino-compatible subset). */
  logger?: EngineLogger;
  /** Largest blob POST /v1/blobs (and a guest's ctx.binary.attach) may store, in bytes (default 256 MiB). */
  maxBlobBytes?: number;
  /**
   * A blob nobody referenced (uploaded, downloaded, named by an item, attached) for this long is deleted
   * by the blob sweeper (default 7 days, or ISOLA_BLOB_TTL_MS).
   */
  blobTtlMs?: number;
  /** How often the blob sweeper runs (default a tenth of the TTL, 1 s to 1 h; or ISOLA_BLOB_SWEEP_MS); 0: never. */
  blobSweepMs?: number;
}

/**
 * The blob store of binary attachments (src/blobs/blob-store.ts), under the store dir. Every call names
 * the owner (a project id, or OPEN_OWNER without projects): an owner sees only its own blobs.
 */
export interface EngineBlobs {
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** Stream bytes in (hashed and capped on the way); payload_too_large past maxBytes, blob_quota_exceeded past the owner's quota. */
  put(owner: string, source: AsyncIterable<Uint8Array>, mimeType?: string): Promise<BlobInfo>;
  putBytes(owner: string, bytes: Uint8Array, mimeType?: string): Promise<BlobInfo>;
  /** The owner's blob: its facts and the path of its bytes, or undefined (also for another owner's). A lookup renews its TTL. */
  stat(owner: string, id: string): Promise<(BlobInfo & { path: string }) | undefined>;
  /** Bytes the owner holds, all its blobs together. */
  usage(owner: string): Promise<number>;
  /** Sets the per-owner byte quota (the projects' blob_bytes). */
  limitOwners(quotaOf: (owner: string) => number | undefined): void;
  /** Deletes what expired now (the sweeper does this on its own every sweep interval). */
  sweep(now?: number): Promise<{ records: number; blobs: number }>;
}

/** Which API a request came in through: the native one (HTTP /v1, the CLI, the library) or an emulated one. */
export type FaceName = 'isola' | 'dify' | 'piston';

export type EngineEvent =
  | { type: 'execution'; face: FaceName; lane: LaneName; status: ExecuteResponse['status']; errorType: string | null; elapsedMs: number; queueMs: number; runMs: number; project?: string }
  | { type: 'worker_restart'; lane: LaneName; reason: string }
  | { type: 'queue'; depth: number }
  | { type: 'egress_denied'; host: string; reason: string }
  /** A job that prefers a worker which kept something for it (LaneDescriptor.affinity) found one, or not. */
  | { type: 'affinity'; lane: LaneName; hit: boolean };

export interface ExecuteOptions {
  /** Correlates logs with the caller's request id. */
  requestId?: string;
  /**
   * Aborting it stops the execution wherever it is: an environment build, the queue, or the running
   * guest (interrupted like at its deadline). execute() still resolves, with error.type `cancelled`.
   */
  signal?: AbortSignal;
  /** The face the request came in through, for metrics and logs (default `isola`). */
  face?: FaceName;
  /** Called once, when a worker takes the execution (it leaves the queue and starts running). Must not throw. */
  onStart?: () => void;
  /**
   * Live output: each stdout/stderr chunk as the guest writes it, after the output caps (joined, the
   * chunks of a stream are exactly the envelope's text). Only given, the lane forwards output. Must not throw.
   */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /**
   * The project the execution runs for (its id, never a key, decided by the credential layer, never by the
   * request body): metrics and logs carry it, and guest calls to http://isola.internal/ act as this project
   * (without it they answer 401).
   */
  project?: string;
}

export interface LaneReadiness {
  available: boolean;
  reason?: string;
  workers: { ready: number; busy: number; starting: number };
  details?: Record<string, unknown>;
}

export interface Readiness {
  ready: boolean;
  draining: boolean;
  queue: { depth: number; max: number };
  lanes: Partial<Record<LaneName, LaneReadiness>>;
  /** Which of the three isolation rings are active (see DESIGN.md). */
  rings: { wasm: boolean; no_host_realm: boolean; os_sandbox: boolean; scrubbed_env: boolean };
  egress: { allow_private: boolean };
  /** The limits every request is held to (the operator's, and the fixed ones that bound the same fields). */
  limits: ReadinessLimits;
}

export interface ReadinessLimits {
  max_timeout_ms: number;
  default_timeout_ms: number;
  max_code_bytes: number;
  max_inputs_bytes: number;
  max_memory_mb: number;
  stream_bytes: number;
  output_bytes: number;
}

export interface Engine {
  /**
   * Validate and run one request. Rejects with IsolaError for request-level failures only. A
   * ParsedExecuteRequest accepted under the same limits (createRequestContract(engine.limits)) is run as accepted, without parsing it again,
   * with the inputs serialised when it was accepted.
   */
  execute(request: ParsedExecuteRequest | ExecuteRequestInput | unknown, options?: ExecuteOptions): Promise<ExecuteResponse>;
  readiness(): Readiness;
  /** The blob store attachments live in (undefined on engines without one). */
  readonly blobs?: EngineBlobs;
  /** The operator's limits this engine holds every request to (its options' with the defaults filled in). */
  readonly limits: OperatorLimits;
  /** Stop accepting work; wait for in-flight executions up to graceMs, then stop workers. Idempotent. */
  close(options?: { graceMs?: number }): Promise<void>;
  /**
   * Stop now: executions still running end as `internal` ("the engine shut down"), queued ones too.
   * Cuts short a close() that is still waiting out its grace period. Idempotent.
   */
  destroy(): Promise<void>;
  /** `await using engine = await createEngine()`: close() with its default grace period. */
  [Symbol.asyncDispose](): Promise<void>;
}
