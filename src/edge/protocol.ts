/** Messages between the edge engine (page or edge worker) and its lane Web Workers. Plain data only. */
import type { GuestJob, GuestResult } from '../lanes/lane.js';

/** What a worker needs to start its driver; each lane's worker reads its own kind. */
export type LaneInit =
  | { lane: 'quickjs'; wasm: WebAssembly.Module; files: Record<string, string> }
  | {
      lane: 'cpython';
      /** CPython for WASI as rewritten by the module guard (scripts/build-web.mjs does it once). */
      wasm: WebAssembly.Module;
      /** The standard library zip: shared between workers when it is a SharedArrayBuffer. */
      stdlib: ArrayBuffer | SharedArrayBuffer;
      files: Record<string, string>;
    };

export type ToWorker =
  | { type: 'init'; init: LaneInit; interruptMemory?: WebAssembly.Memory }
  | { type: 'run'; job: GuestJob };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; jobId: string; result: GuestResult }
  | { type: 'crashed'; jobId: string; message: string };
