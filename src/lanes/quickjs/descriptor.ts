import type { LaneDescriptor } from '../descriptor.js';

export const quickjsLane: LaneDescriptor = {
  name: 'quickjs',
  languages: ['javascript', 'typescript'],
  host: 'worker',
  defaultWorkers: (cores) => Math.max(2, cores),
  // A waiting JavaScript guest (timers, fetch) does not hold its worker's thread: no need to grow.
  maxWorkers: (workers) => workers,
  // QuickJS checks its interrupt handler often; a worker that misses the deadline by 60 ms is stuck.
  graceMs: 60,
  boundaries: ['wasm', 'no_host_realm', 'scrubbed_env'],
  fingerprint: { packages: ['quickjs-emscripten-core'], runtimeFiles: ['quickjs/bootstrap.js', 'shared/explain-json.js', 'shared/batch-item.js'] },
};
