import type { LaneDescriptor } from '../descriptor.js';

export const nativeLane: LaneDescriptor = {
  name: 'native',
  languages: [],
  host: 'inline',
  defaultWorkers: (cores) => Math.max(2, cores),
  maxWorkers: (workers) => workers,
  graceMs: 300,
  boundaries: ['os_sandbox', 'scrubbed_env'],
  fingerprint: { packages: [], runtimeFiles: ['native/runner.mjs', 'shared/explain-json.js', 'shared/batch-item.js', 'python/isola_native.py', 'python/isola_runner.py', 'python/isola_items.py', 'python/isola_typed_args.py', 'python/isola_import_hooks.py', 'python/isola.py', 'python/intellectible_execution.py', 'quickjs/lib/project_data.js', 'quickjs/lib/intellectible_sdk.js'] },
};
