/** The environment layer's public types: what the engine asks for and what the lanes receive. */
import type { EnvironmentHash } from '../contract/ids.js';

export type EnvLanguage = 'javascript' | 'typescript' | 'python';
export type EnvRuntime = 'auto' | 'wasm' | 'native';
export type EnvLane = 'quickjs' | 'cpython' | 'native';

export interface PrepareRequest {
  language: EnvLanguage;
  /** npm specs ("lodash@4.17.21", "@scope/pkg@^1") or pip requirements ("six==1.16.0", "pandas>=2"). */
  packages: string[];
  runtime: EnvRuntime;
  /** Code run once by the lane after install, before the snapshot. Only carried here, never run. */
  prebuild?: string;
  /**
   * 'bash': `prebuild` is a shell script, which runs only in the native lane (it is the lane's job; the
   * environment records it and sends the request there). Absent: code in the request's language.
   */
  prebuildLanguage?: 'bash';
}

/**
 * What a lane consumes. `spec` formats, fixed per lane:
 * - quickjs: { bundlePath, prebuild? } — an IIFE script setting globalThis.__isolaPackages.
 * - cpython: { wheels, prebuild? } — pure wheels (paths relative to the environment) for sys.path.
 * - native:  { venv, prebuild? } for Python; { nodeModules, prebuild? } for JavaScript; with a shell
 *   prebuild also { prebuildLanguage: 'bash', pipIndexUrl? } (the index pip in the script should use).
 */
export interface PreparedEnvironment {
  lane: EnvLane;
  /** Hex sha256 naming <storeDir>/envs/<hash>/. */
  hash: EnvironmentHash;
  cache: 'hit' | 'miss';
  /** Time spent in prepare() (resolution + install + bundle on a miss; ~0 on a hit). */
  buildMs: number;
  /** Why this lane, when it is not the language's default Wasm lane. */
  reason?: string;
  spec: Record<string, unknown>;
}

export interface EnvironmentFailure {
  error: { type: 'package_install' | 'package_unavailable'; message: string };
}

export type PrepareResult = PreparedEnvironment | EnvironmentFailure;

export function isEnvironmentFailure(result: PrepareResult): result is EnvironmentFailure {
  return 'error' in result;
}

/** One distribution or npm package pinned in an environment. */
export interface ResolvedPackage {
  name: string;
  version: string;
  /** sha256 hex of the wheel, or npm's SRI integrity string. */
  digest: string;
  /** For Python: 'pure' (py3-none-any), 'wasm' (wasm32-wasi build) or 'compiled' (host build). */
  kind?: 'pure' | 'wasm' | 'compiled';
  file?: string;
}

export interface EnvManifest {
  formatVersion: number;
  hash: string;
  lane: EnvLane;
  language: EnvLanguage;
  requested: string[];
  packages: ResolvedPackage[];
  prebuild?: string;
  prebuildLanguage?: 'bash';
  reason?: string;
  /** Paths in `spec` are relative to the environment directory here; absolute ones are made at load. */
  spec: Record<string, unknown>;
  sizeBytes: number;
  createdAt: string;
  lastUsedAt: string;
}

export interface EnvInfo {
  hash: string;
  lane: EnvLane;
  language: EnvLanguage;
  packages: { name: string; version: string }[];
  sizeBytes: number;
  createdAt: string;
  lastUsedAt: string;
  path: string;
}

export interface PruneResult {
  removed: string[];
  freedBytes: number;
  remainingBytes: number;
}

export interface EnvLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EnvironmentManagerOptions {
  /** Root of the store; environments live in <storeDir>/envs/<hash>/. */
  storeDir: string;
  /** npm registry URL (default: ISOLA_NPM_REGISTRY, else npm's own configuration). */
  npmRegistry?: string;
  /** pip index URL (default: ISOLA_PIP_INDEX_URL, else pip's default index). */
  pipIndexUrl?: string;
  /** Local directory of wheels searched before the index (default: ISOLA_PIP_WHEELHOUSE). */
  wheelhouse?: string;
  /** Resolve Python packages from the wheelhouse/mirror only (default: ISOLA_PIP_OFFLINE=1). */
  pipOffline?: boolean;
  logger?: EnvLogger;
  /** Store size cap; least recently used environments are evicted after a build (default: no cap). */
  maxStoreBytes?: number;
  /** Environments handed out this recently are never evicted by the size cap: a lane may be using
   *  them (default 60 000 ms). */
  evictionGraceMs?: number;
  /** Kill an installer that runs longer (default 300 000 ms); reported as package_install. */
  installTimeoutMs?: number;
  /** Requests with version ranges are re-resolved after this long (default 24 h). Pins never are. */
  rangeTtlMs?: number;
  /** Interval of "still building" progress logs (default 10 000 ms). */
  progressIntervalMs?: number;
  /** Python interpreter used for pip and native venvs (default "python3"). */
  python?: string;
  /** npm executable (default "npm"). */
  npm?: string;
}

export interface EnvironmentManager {
  /** Resolve, install and bundle (on a miss) the environment of a request. Rejects only on abort or bug. */
  prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult>;
  list(): Promise<EnvInfo[]>;
  remove(hash: string): Promise<boolean>;
  prune(options?: { maxBytes?: number; olderThanMs?: number }): Promise<PruneResult>;
  close(): Promise<void>;
}
