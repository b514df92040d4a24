/**
 * Installs npm specs into a build directory: `npm install --ignore-scripts` (no package code runs on
 * the host), lockfile kept, resolved set read back from package-lock.json (name, version, integrity).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { summarizeNpmError } from './installer-errors.js';
import type { ParsedSpec } from './package-specs.js';
import { installerEnv, outcomeSummary, runProcess } from './run-process.js';
import type { ResolvedPackage } from './types.js';

export interface NpmInstallOptions {
  npm: string;
  registry?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type NpmInstallResult =
  | { ok: true; packages: ResolvedPackage[]; lockText: string; elapsedMs: number }
  | { ok: false; message: string; detail: string };

interface LockFile {
  packages?: Record<string, { version?: string; integrity?: string; link?: boolean; name?: string }>;
}

/** Resolved packages of a v2/v3 lockfile, every copy in the tree (nested duplicates included). */
export function packagesFromLock(lockText: string): ResolvedPackage[] {
  const lock = JSON.parse(lockText) as LockFile;
  const out: ResolvedPackage[] = [];
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key === '' || entry.link) continue;
    const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version ?? '', digest: entry.integrity ?? '', file: key });
  }
  return out;
}

export async function npmInstall(dir: string, specs: ParsedSpec[], options: NpmInstallOptions): Promise<NpmInstallResult> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'isola-env', private: true }));
  const args = [
    'install',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--no-bin-links',
    '--no-update-notifier',
    '--loglevel=error',
    '--save',
    '--package-lock',
    ...(options.registry ? [`--registry=${options.registry}`] : []),
    // Every spec was validated as name[@range]; `--` makes sure none can be read as an option anyway.
    '--',
    ...specs.map((spec) => spec.raw),
  ];
  const outcome = await runProcess(options.npm, args, {
    cwd: dir,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    env: installerEnv(process.env, { npm_config_update_notifier: 'false' }),
  });
  if (outcome.code !== 0 || outcome.timedOut || outcome.aborted) {
    const clean = outcome.code !== null && !outcome.timedOut && !outcome.aborted && !outcome.spawnError;
    return {
      ok: false,
      message: clean ? summarizeNpmError(outcome.stderr) : outcomeSummary('npm install', outcome, options.timeoutMs),
      detail: outcome.stderr.slice(-4000),
    };
  }
  const lockText = await readFile(join(dir, 'package-lock.json'), 'utf8');
  return { ok: true, packages: packagesFromLock(lockText), lockText, elapsedMs: outcome.elapsedMs };
}
