/**
 * Resolves and downloads pip requirements as wheels for one target with the host's pip:
 * `pip download --only-binary=:all:` either for the host interpreter (native lane) or, with
 * --platform/--python-version/--abi, for a Wasm lane's interpreter (the CPython lane: wasm32-wasi and
 * pure `none-any` wheels). Only wheels: no sdist ever builds (and runs setup.py) on the host.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { sha256File } from './hashing.js';
import { summarizePipError } from './installer-errors.js';
import { normalizePipName, type ParsedSpec } from './package-specs.js';
import { installerEnv, outcomeSummary, runProcess } from './run-process.js';
import type { ResolvedPackage } from './types.js';

export interface PipTarget {
  /** e.g. "wasi_0_0_0_wasm32" */
  platform: string;
  /** e.g. "3.15" */
  pythonVersion: string;
  /** e.g. "cp315" */
  abi: string;
  /** How messages name the target, e.g. "the CPython lane (Python 3.15, wasm32-wasi)". */
  label: string;
}

export interface PipSources {
  indexUrl?: string;
  offline: boolean;
  /** Local directories of wheels (wheelhouse, the CPython lane's built-in stubs). */
  findLinks: string[];
}

export interface PipDownloadOptions {
  python: string;
  sources: PipSources;
  /** undefined: the host interpreter. */
  target?: PipTarget;
  /** A pip constraints file (`-c`). */
  constraints?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface WheelName {
  name: string;
  version: string;
  python: string;
  abi: string;
  platform: string;
}

/** PEP 427 file name: {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl */
export function parseWheelName(file: string): WheelName | undefined {
  if (!file.endsWith('.whl')) return undefined;
  const parts = file.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts;
  const [python, abi, platform] = parts.slice(-3);
  if (!name || !version || !python || !abi || !platform) return undefined;
  return { name: normalizePipName(name), version, python, abi, platform };
}

export function wheelKind(wheel: WheelName): 'pure' | 'wasm' | 'compiled' {
  if (wheel.platform === 'any') return 'pure';
  if (/(?:^|\.)wasi_/.test(wheel.platform)) return 'wasm';
  return 'compiled';
}

export type PipDownloadResult =
  | { ok: true; packages: ResolvedPackage[]; elapsedMs: number }
  | { ok: false; message: string; unsatisfied: string[]; versionNotFound: boolean; detail: string };

function targetArgs(target: PipTarget | undefined): string[] {
  if (!target) return [];
  return [
    '--platform', target.platform,
    '--python-version', target.pythonVersion,
    '--implementation', 'cp',
    '--abi', target.abi,
    '--abi', 'abi3',
    '--abi', 'none',
  ];
}

function sourceArgs(sources: PipSources): string[] {
  const args: string[] = [];
  if (sources.offline) args.push('--no-index');
  else if (sources.indexUrl) args.push('--index-url', sources.indexUrl);
  for (const dir of sources.findLinks) args.push('--find-links', dir);
  return args;
}

/** Download the resolved closure of `specs` into `dest`; packages carry wheel sha256s and kinds. */
export async function pipDownload(dest: string, specs: ParsedSpec[], options: PipDownloadOptions): Promise<PipDownloadResult> {
  const args = [
    '-m', 'pip', 'download',
    '--disable-pip-version-check',
    '--no-input',
    '--progress-bar', 'off',
    '--only-binary=:all:',
    '--dest', dest,
    ...sourceArgs(options.sources),
    ...targetArgs(options.target),
    ...(options.constraints ? ['--constraint', options.constraints] : []),
    // Specs were validated as name[extras][specifiers]; `--` keeps any of them from reading as an option.
    '--',
    ...specs.map((spec) => spec.raw),
  ];
  const outcome = await runProcess(options.python, args, {
    cwd: dest,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    env: installerEnv(process.env, { PIP_NO_INPUT: '1', PYTHONDONTWRITEBYTECODE: '1' }),
  });
  if (outcome.code !== 0 || outcome.timedOut || outcome.aborted) {
    const clean = outcome.code !== null && !outcome.timedOut && !outcome.aborted && !outcome.spawnError;
    const targetName = options.target ? options.target.label : 'this host';
    const failure = clean
      ? summarizePipError(outcome.stderr, targetName)
      : { message: outcomeSummary('pip download', outcome, options.timeoutMs), unsatisfied: [], versionNotFound: false };
    return { ok: false, ...failure, detail: outcome.stderr.slice(-4000) };
  }
  const packages: ResolvedPackage[] = [];
  for (const file of (await readdir(dest)).sort()) {
    const wheel = parseWheelName(file);
    if (!wheel) continue;
    packages.push({ name: wheel.name, version: wheel.version, digest: await sha256File(join(dest, file)), kind: wheelKind(wheel), file });
  }
  return { ok: true, packages, elapsedMs: outcome.elapsedMs };
}
