/**
 * Packages and content-addressed environments: the layer between a request's `packages`, `runtime` and
 * `prebuild` and the lanes. The engine calls `createEnvironmentManager(...).prepare(...)` while planning.
 * See manager.ts for the cache and locking, build-js.ts / build-python.ts for what each language builds.
 */
export { createEnvironmentManager } from './manager.js';
export { checkPackageSpecs, type ParsedSpec, type SpecCheck } from './package-specs.js';
export { ENV_FORMAT_VERSION } from './hashing.js';
export {
  isEnvironmentFailure,
  type EnvironmentFailure,
  type EnvironmentManager,
  type EnvironmentManagerOptions,
  type EnvInfo,
  type EnvLane,
  type EnvLanguage,
  type EnvLogger,
  type EnvManifest,
  type EnvRuntime,
  type PrepareRequest,
  type PrepareResult,
  type PreparedEnvironment,
  type PruneResult,
  type ResolvedPackage,
} from './types.js';
