/** What a language builder gets from the manager, and what it hands back. */
import type { EnvStore } from './env-store.js';
import { environmentHash, type EnvHashInput } from './hashing.js';
import type { ParsedSpec } from './package-specs.js';
import type { PipSources } from './pip-download.js';
import type { EnvironmentFailure, EnvLane, EnvLanguage, EnvManifest, EnvRuntime, ResolvedPackage } from './types.js';
import { ENV_FORMAT_VERSION } from './hashing.js';
import { treeSize } from './env-store.js';

export interface BuildRequest {
  language: EnvLanguage;
  runtime: EnvRuntime;
  specs: ParsedSpec[];
  prebuild: string | undefined;
  /** 'bash': the prebuild is a shell script and the environment goes to the native lane. */
  prebuildLanguage?: 'bash' | undefined;
}

/** Why a request with a shell prebuild is in the native lane (the only lane that runs one). */
export const SHELL_PREBUILD_REASON = 'a shell prebuild (prebuild_language "bash") runs in the native lane';

export interface BuildContext {
  store: EnvStore;
  npm: string;
  npmRegistry: string | undefined;
  python: string;
  pipSources: PipSources;
  /** Host interpreter identity (version, platform, prefix); undefined when python3 is missing. */
  pythonIdentity(): Promise<string | undefined>;
  timeoutMs: number;
  signal: AbortSignal;
  log(level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
}

/** A built (or found) environment; spec paths are relative to its directory. */
export interface BuiltEnvironment {
  hash: string;
  lane: EnvLane;
  reason?: string;
  spec: Record<string, unknown>;
  /** True when the environment already existed in the store (another request resolved to it). */
  existed: boolean;
}

export type BuildOutcome = BuiltEnvironment | EnvironmentFailure;

export function failure(type: 'package_install' | 'package_unavailable', message: string): EnvironmentFailure {
  return { error: { type, message } };
}

/**
 * The shared tail of every builder: hash the resolved set; if that environment exists, drop the build
 * dir; else let `finish` complete it (bundle, venv...), write the manifest and publish atomically.
 * The build dir is removed on every path that does not publish it.
 */
export async function completeBuild(
  ctx: BuildContext,
  buildDir: string,
  req: BuildRequest,
  resolved: { lane: EnvLane; packages: ResolvedPackage[]; toolchain: Record<string, string>; reason?: string },
  finish: (hash: string) => Promise<{ spec: Record<string, unknown> } | EnvironmentFailure>,
): Promise<BuildOutcome> {
  const hashInput: EnvHashInput = {
    lane: resolved.lane,
    language: req.language,
    packages: resolved.packages,
    prebuild: req.prebuild,
    prebuildLanguage: req.prebuildLanguage,
    toolchain: resolved.toolchain,
  };
  const hash = environmentHash(hashInput);
  let published = false;
  try {
    let existing = await ctx.store.readManifest(hash);
    if (existing && !ctx.store.isComplete(hash, existing.spec)) {
      ctx.log('warn', 'environment is missing files; rebuilding it', { hash });
      await ctx.store.remove(hash);
      existing = undefined;
    }
    if (existing) {
      // The reason belongs to this request (two requests may reach one environment for different reasons).
      return { hash, lane: existing.lane, spec: existing.spec, existed: true, ...(resolved.reason ? { reason: resolved.reason } : {}) };
    }
    const finished = await finish(hash);
    if ('error' in finished) return finished;
    const spec = req.prebuild !== undefined ? { ...finished.spec, prebuild: req.prebuild, ...(req.prebuildLanguage ? { prebuildLanguage: req.prebuildLanguage } : {}) } : finished.spec;
    const now = new Date().toISOString();
    const manifest: EnvManifest = {
      formatVersion: ENV_FORMAT_VERSION,
      hash,
      lane: resolved.lane,
      language: req.language,
      requested: req.specs.map((s) => s.raw),
      packages: resolved.packages,
      ...(req.prebuild !== undefined ? { prebuild: req.prebuild } : {}),
      ...(req.prebuildLanguage ? { prebuildLanguage: req.prebuildLanguage } : {}),
      ...(resolved.reason ? { reason: resolved.reason } : {}),
      spec,
      sizeBytes: await treeSize(buildDir),
      createdAt: now,
      lastUsedAt: now,
    };
    published = await ctx.store.publish(buildDir, manifest);
    // Not published: an equal environment won the rename race; it is just as good.
    return { hash, lane: resolved.lane, spec, existed: !published, ...(resolved.reason ? { reason: resolved.reason } : {}) };
  } finally {
    if (!published) await ctx.store.discard(buildDir);
  }
}
