/** Content hashes of environments and requests: sha256 over canonical JSON, and of files. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import type { EnvLane, EnvLanguage, EnvRuntime, ResolvedPackage } from './types.js';

/** Bumped whenever the layout of an environment directory or a spec format changes. */
export const ENV_FORMAT_VERSION = 1;

/** JSON with object keys sorted at every level, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface EnvHashInput {
  lane: EnvLane;
  language: EnvLanguage;
  packages: ResolvedPackage[];
  prebuild: string | undefined;
  /** 'bash' for a shell prebuild; absent for code (so environments made before it keep their hash). */
  prebuildLanguage?: 'bash' | undefined;
  /** What else shapes the built artifact (bundler version, target ABI, interpreter version). */
  toolchain: Record<string, string>;
}

/** Hash naming the environment directory: lane, resolved set (names, versions, digests), prebuild. */
export function environmentHash(input: EnvHashInput): string {
  const packages = [...input.packages]
    .map((p) => ({ name: p.name, version: p.version, digest: p.digest }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
  return sha256Hex(
    canonicalJson({
      format: ENV_FORMAT_VERSION,
      lane: input.lane,
      // JS and TS share one environment: TypeScript reaches the lane already transpiled.
      ecosystem: input.language === 'python' ? 'pip' : 'npm',
      packages,
      prebuild: input.prebuild ?? null,
      prebuild_language: input.prebuildLanguage,
      toolchain: input.toolchain,
    }),
  );
}

export interface RequestHashInput {
  language: EnvLanguage;
  runtime: EnvRuntime;
  /** Canonical specs; a set to the resolvers, so they are sorted before hashing. */
  specs: string[];
  prebuild: string | undefined;
  prebuildLanguage?: 'bash' | undefined;
  /** Sources the specs resolve against (registry, index, wheelhouse, mirror). */
  sources: Record<string, string>;
  /** Host interpreter that builds native venvs: a venv is only valid for the interpreter it was made with. */
  python?: string;
}

/** Hash of what the caller asked for, before resolution: the key of the fast in-memory index. */
export function requestHash(input: RequestHashInput): string {
  return sha256Hex(
    canonicalJson({
      format: ENV_FORMAT_VERSION,
      ecosystem: input.language === 'python' ? 'pip' : 'npm',
      runtime: input.runtime,
      specs: [...input.specs].sort(),
      prebuild: input.prebuild ?? null,
      prebuild_language: input.prebuildLanguage,
      sources: input.sources,
      python: input.language === 'python' ? (input.python ?? null) : null,
    }),
  );
}
