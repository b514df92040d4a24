import type { LaneDescriptor } from '../descriptor.js';

export const cpythonLane: LaneDescriptor = {
  name: 'cpython',
  languages: ['python'],
  host: 'worker',
  // Each worker holds a 40 MB image and ~150 MB of compiled code: two per core is plenty, since a
  // sleeping guest yields no CPU (its sleep waits on the deadline flag).
  defaultWorkers: (cores) => Math.max(2, cores * 2),
  // Every loop checks the deadline flag; only a long host call (a big regex, a huge copy) can run past it.
  graceMs: 300,
  boundaries: ['wasm', 'no_host_realm', 'scrubbed_env'],
  fingerprint: { packages: [], runtimeFiles: ['cpython/isola_lane.py', 'python/isola_runner.py', 'python/isola_egress.py'] },
};
