import type { LaneDescriptor } from '../descriptor.js';

/** The guest-side Ruby the lane runs around every Ruby execution (under runtimes/); also its fingerprint. */
export const WASI_RUNTIME_FILES = ['ruby/isola_runner.rb'];

export const wasiLane: LaneDescriptor = {
  name: 'wasi',
  languages: ['wasm', 'ruby'],
  host: 'worker',
  // A worker holds only compiled code until its first Ruby job: one is enough until a host says more.
  defaultWorkers: (cores) => Math.max(1, Math.floor(cores / 2)),
  // A sleeping guest (poll_oneoff) blocks its worker's thread without using a core: grow while jobs wait.
  maxWorkers: (workers) => workers * 4,
  // Every loop and function entry checks the deadline flag; only a long host call can run past it.
  graceMs: 300,
  boundaries: ['wasm', 'no_host_realm', 'scrubbed_env'],
  fingerprint: { packages: ['@ruby/4.0-wasm-wasi'], runtimeFiles: WASI_RUNTIME_FILES },
};
