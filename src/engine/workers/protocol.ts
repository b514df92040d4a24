/** Messages between the engine and a lane worker (thread today, process later). Plain data only. */
import type { LaneName } from '../../contract/response.js';
import type { EgressRequest, EgressResponse, GuestJob, GuestResult } from '../../lanes/lane.js';

export interface WorkerInit {
  lane: LaneName;
  runtimesDir: string;
  storeDir: string;
  /**
   * A shared one-page Wasm memory whose first Int32 the engine sets to 2 at a job's deadline; the
   * driver polls it, hands it to the interpreter, or (CPython) imports it so guest loops check it.
   */
  interrupt: WebAssembly.Memory;
  /** One Int32 the engine sets to 1 when a synchronous fetch answer is waiting on `syncPort`. */
  syncFlag: SharedArrayBuffer;
  options: Record<string, unknown>;
  /** Compiled Wasm modules and read-only bytes other workers of the lane already made (shared, not copied). */
  shared: Record<string, WebAssembly.Module | SharedArrayBuffer>;
}

export type ToWorker =
  | { type: 'run'; job: GuestJob }
  | { type: 'fetch-result'; callId: number; response: EgressResponse };

export type FromWorker =
  | { type: 'ready'; details: Record<string, unknown> }
  | { type: 'init-error'; message: string }
  /** `preparing`: the recycle after it is long (LaneDriver.recycleIsLong); send no job until `recycled`. */
  | { type: 'result'; jobId: string; result: GuestResult; preparing?: boolean }
  /** The worker finished recycling after its last job: the next job starts without waiting. */
  | { type: 'recycled'; details: Record<string, unknown> }
  | { type: 'failed'; jobId: string; message: string }
  /** One item of a chunk job (GuestJob.chunk) is done; the chunk's own `result` comes after its last item. */
  | { type: 'item-result'; jobId: string; at: number; result: GuestResult }
  /** A chunk of a streaming job's stdout/stderr, as it is written (see GuestJob.streamOutput). */
  | { type: 'output'; jobId: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'fetch'; callId: number; jobId: string; request: EgressRequest; sync: boolean }
  /** A compiled module the next workers of the lane can reuse (see DriverHost.shareModule). */
  | { type: 'share'; key: string; value: WebAssembly.Module | SharedArrayBuffer }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; data?: Record<string, unknown> };
