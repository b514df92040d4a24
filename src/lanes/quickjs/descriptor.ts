import type { LaneDescriptor } from '../descriptor.js';

export const quickjsLane: LaneDescriptor = {
  name: 'quickjs',
  languages: ['javascript', 'typescript'],
  host: 'worker',
  defaultWorkers: (cores) => Math.max(2, cores),
  // A waiting JavaScript guest (timers, fetch) does not hold its worker's thread: no need to grow.
  maxWorkers: (workers) => workers,
  // QuickJS checks its interrupt handler often, so a worker that misses its deadline is stuck, but on a
  // loaded host a thread can wait that long just to be scheduled: 60 ms killed healthy workers (and cost
  // a respawn) under load, seen in the heap-image residue test. 250 ms still stops a stuck one promptly.
  graceMs: 250,
  boundaries: ['wasm', 'no_host_realm', 'scrubbed_env'],
  fingerprint: { packages: ['quickjs-emscripten-core'], runtimeFiles: ['quickjs/bootstrap.js', 'shared/explain-json.js', 'shared/batch-item.js'] },
};
