import type { LaneDescriptor } from '../descriptor.js';
import { importsScientific } from './scientific.js';

/** The guest-side Python the lane loads into every interpreter (under runtimes/); also its fingerprint. */
export const CPYTHON_RUNTIME_FILES = [
  'cpython/isola_lane.py',
  'python/isola_runner.py',
  'python/isola_typed_args.py',
  'python/isola_items.py',
  'python/isola_egress.py',
  'python/isola_import_hooks.py',
  'python/isola_http_libs.py',
  'python/isola_aiohttp.py',
  'python/isola.py',
  'python/intellectible_execution.py',
];

export const cpythonLane: LaneDescriptor = {
  name: 'cpython',
  languages: ['python'],
  host: 'worker',
  defaultWorkers: (cores) => Math.max(2, cores),
  // A sleeping or fetching guest blocks its worker's thread (Python's calls are synchronous) but uses
  // no core: the pool grows while jobs wait, so sleepers cannot starve the lane.
  maxWorkers: (workers) => workers * 4,
  // Every loop checks the deadline flag; only a long host call (a big regex, a huge copy) can run past it.
  graceMs: 300,
  boundaries: ['wasm', 'no_host_realm', 'scrubbed_env'],
  fingerprint: { packages: [], runtimeFiles: CPYTHON_RUNTIME_FILES },
  // A worker prepares an environment once (wheels precompiled) and makes its scientific image once.
  affinity: (job) => job.environmentHash ?? (importsScientific(job.code) ? 'scientific' : undefined),
};
