/**
 * Pyodide's own package set: the target ABI comes from the shipped pyodide-lock.json, and the packages it
 * lists (numpy, pandas... built for Wasm) come from a mirror the operator configures: a directory (used
 * by pip as --find-links directly) or an http(s) URL (the needed files are fetched into a local cache,
 * checked against the lock's sha256, then used the same way). Shared libraries some packages need
 * (package_type "shared_library", unpacked to a lib dir rather than site-packages) are reported apart.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { normalizePipName } from './package-specs.js';
import type { PyodideTarget } from './pip-download.js';

export interface LockEntry {
  name: string;
  version: string;
  file_name: string;
  sha256: string;
  depends: string[];
  package_type?: string;
}

export interface PyodideLock {
  target: PyodideTarget;
  /** By normalized name. */
  packages: Map<string, LockEntry>;
}

export function defaultPyodideLockPath(): string {
  return createRequire(import.meta.url).resolve('pyodide/pyodide-lock.json');
}

export async function loadPyodideLock(path: string): Promise<PyodideLock> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as {
    info: { abi_version: string; arch: string; python: string };
    packages: Record<string, LockEntry>;
  };
  const [major, minor] = raw.info.python.split('.');
  const target: PyodideTarget = {
    platform: `pyemscripten_${raw.info.abi_version}_${raw.info.arch}`,
    pythonVersion: `${major}.${minor}`,
    abi: `cp${major}${minor}`,
  };
  const packages = new Map<string, LockEntry>();
  for (const entry of Object.values(raw.packages)) packages.set(normalizePipName(entry.name), entry);
  return { target, packages };
}

/** The lock entries needed by `names` (normalized), dependencies included. */
export function lockClosure(lock: PyodideLock, names: Iterable<string>): LockEntry[] {
  const seen = new Map<string, LockEntry>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = normalizePipName(stack.pop() ?? '');
    if (seen.has(name)) continue;
    const entry = lock.packages.get(name);
    if (!entry) continue;
    seen.set(name, entry);
    stack.push(...entry.depends);
  }
  return [...seen.values()];
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * A local directory holding the mirror's files for `entries`: the mirror itself when it is a directory,
 * else a cache under `cacheDir` filled from the URL (sha256-checked, written atomically).
 */
export async function mirrorDirFor(source: string, entries: LockEntry[], cacheDir: string, signal?: AbortSignal): Promise<{ dir: string; missing: string[] }> {
  if (!isUrl(source)) {
    return { dir: source, missing: entries.filter((e) => !existsSync(join(source, e.file_name))).map((e) => e.name) };
  }
  await mkdir(cacheDir, { recursive: true });
  const missing: string[] = [];
  const base = source.endsWith('/') ? source : `${source}/`;
  for (const entry of entries) {
    const path = join(cacheDir, entry.file_name);
    if (existsSync(path)) continue;
    try {
      const response = await fetch(new URL(encodeURIComponent(entry.file_name), base), signal ? { signal } : {});
      if (!response.ok) {
        missing.push(entry.name);
        continue;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== entry.sha256) {
        missing.push(`${entry.name} (sha256 mismatch)`);
        continue;
      }
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (error) {
      if (signal?.aborted) throw error;
      missing.push(entry.name);
    }
  }
  return { dir: cacheDir, missing };
}
