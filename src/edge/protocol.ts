/** Messages between the edge engine (page or edge worker) and its QuickJS Web Workers. Plain data only. */
import type { GuestJob, GuestResult } from '../lanes/lane.js';

export type ToWorker =
  | { type: 'init'; wasm: WebAssembly.Module; files: Record<string, string>; interrupt?: SharedArrayBuffer }
  | { type: 'run'; job: GuestJob };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; jobId: string; result: GuestResult }
  | { type: 'crashed'; jobId: string; message: string };
