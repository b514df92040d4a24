/**
 * Python environments. Resolution order, per request:
 * 1. unless runtime is "native": resolve for Pyodide's ABI (pure wheels, PEP 783 pyemscripten wheels
 *    from the index, Pyodide's own builds from the mirror) -> pyodide lane, { wheels, dynlibs? };
 * 2. else resolve for the host: a failure there is the package's fault (unknown, version not found)
 *    -> package_install; success means some distribution has no Wasm build -> package_unavailable when
 *    runtime is "wasm", else the native lane with a venv built from those wheels, { venv }.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { completeBuild, failure, type BuildContext, type BuildOutcome, type BuildRequest } from './build-context.js';
import { buildVenv } from './native-venv.js';
import type { ParsedSpec } from './package-specs.js';
import { pipDownload, type PipDownloadResult, type PyodideTarget } from './pip-download.js';
import { lockClosure, mirrorDirFor, type PyodideLock } from './pyodide-packages.js';
import type { ResolvedPackage } from './types.js';

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

interface WasmResolution {
  result: PipDownloadResult;
  /** Local directory of the Pyodide mirror's files, when one is configured. */
  mirrorDir: string | undefined;
}

async function resolveForPyodide(ctx: BuildContext, lock: PyodideLock, specs: ParsedSpec[], wheelsDir: string): Promise<WasmResolution> {
  const findLinks = [...ctx.pipSources.findLinks];
  const mirror = ctx.pyodidePackages;
  let mirrorDir: string | undefined;
  const fetched = new Set<string>();
  const fetchFromMirror = async (names: string[]): Promise<boolean> => {
    if (!mirror) return false;
    const entries = lockClosure(lock, names).filter((entry) => !fetched.has(entry.name));
    if (entries.length === 0) return false;
    for (const entry of entries) fetched.add(entry.name);
    const found = await mirrorDirFor(mirror, entries, join(ctx.store.root, 'pyodide-mirror-cache'), ctx.signal);
    if (found.missing.length > 0) ctx.log('warn', 'files missing from the Pyodide mirror', { missing: found.missing });
    mirrorDir = found.dir;
    return true;
  };
  if (mirror && !isUrl(mirror)) mirrorDir = mirror;
  else await fetchFromMirror(specs.map((s) => s.name));
  // A URL mirror is fetched lazily: a dependency pip could not satisfy may be in the lock; retry then.
  for (let attempt = 0; ; attempt += 1) {
    const sources = { ...ctx.pipSources, findLinks: mirrorDir ? [...findLinks, mirrorDir] : findLinks };
    const result = await pipDownload(wheelsDir, specs, { python: ctx.python, sources, target: lock.target, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (result.ok || attempt >= 3 || !mirror || !isUrl(mirror) || !(await fetchFromMirror(result.unsatisfied))) {
      return { result, mirrorDir };
    }
  }
}

/** Why a resolved host set cannot run in Pyodide, naming the package(s). */
function whyNotWasm(host: ResolvedPackage[], unsatisfied: string[], wasmMessage: string, target: PyodideTarget): string {
  const compiled = host.filter((p) => p.kind === 'compiled');
  const named = compiled.filter((p) => unsatisfied.includes(p.name));
  const culprits = named.length > 0 ? named : compiled;
  if (culprits.length > 0) {
    const list = culprits.map((p) => `${p.name} ${p.version}`).join(', ');
    return `${list} ${culprits.length === 1 ? 'has' : 'have'} compiled extensions and no wasm build for Pyodide (${target.platform})`;
  }
  return `no build for Pyodide (Python ${target.pythonVersion}): ${wasmMessage}`;
}

async function copyDynlibs(lock: PyodideLock, mirrorDir: string | undefined, packages: ResolvedPackage[], buildDir: string): Promise<string[]> {
  const wasmNames = packages.filter((p) => p.kind === 'wasm').map((p) => p.name);
  const libs = lockClosure(lock, wasmNames).filter((entry) => entry.package_type === 'shared_library');
  if (libs.length === 0 || !mirrorDir) return [];
  await mkdir(join(buildDir, 'dynlibs'), { recursive: true });
  const out: string[] = [];
  for (const lib of libs) {
    await copyFile(join(mirrorDir, lib.file_name), join(buildDir, 'dynlibs', lib.file_name));
    out.push(join('dynlibs', lib.file_name));
  }
  return out;
}

export async function buildPythonEnvironment(ctx: BuildContext, req: BuildRequest): Promise<BuildOutcome> {
  const lock = await ctx.pyodideLock();
  const buildDir = await ctx.store.newBuildDir();
  const wheelsDir = join(buildDir, 'wheels');
  let handedOver = false;
  try {
    await mkdir(wheelsDir);
    let wasmFailure: { message: string; unsatisfied: string[] } | undefined;
    if (req.runtime !== 'native') {
      const wasm = req.specs.length === 0
        ? { result: { ok: true as const, packages: [], elapsedMs: 0 }, mirrorDir: undefined }
        : await resolveForPyodide(ctx, lock, req.specs, wheelsDir);
      if (wasm.result.ok) {
        const packages = wasm.result.packages;
        ctx.log('debug', 'resolved for pyodide', { packages: packages.map((p) => `${p.name}==${p.version}`) });
        handedOver = true;
        return await completeBuild(
          ctx,
          buildDir,
          req,
          { lane: 'pyodide', packages, toolchain: { target: lock.target.platform, python: lock.target.pythonVersion } },
          async () => {
            const dynlibs = await copyDynlibs(lock, wasm.mirrorDir, packages, buildDir);
            const wheels = packages.map((p) => join('wheels', p.file ?? ''));
            return { spec: { wheels, ...(dynlibs.length > 0 ? { dynlibs } : {}) } };
          },
        );
      }
      wasmFailure = wasm.result;
      await rm(wheelsDir, { recursive: true, force: true });
      await mkdir(wheelsDir);
    }
    const host = req.specs.length === 0
      ? { ok: true as const, packages: [], elapsedMs: 0 }
      : await pipDownload(wheelsDir, req.specs, { python: ctx.python, sources: ctx.pipSources, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (!host.ok) {
      ctx.log('warn', 'pip resolution failed', { specs: req.specs.map((s) => s.raw), message: host.message, detail: host.detail });
      return failure('package_install', host.message);
    }
    const reason = wasmFailure
      ? whyNotWasm(host.packages, wasmFailure.unsatisfied, wasmFailure.message, lock.target)
      : 'runtime "native" was requested';
    if (req.runtime === 'wasm') return failure('package_unavailable', `${reason}; use runtime "auto" or "native" to run it in the native lane`);
    const python = await ctx.pythonIdentity();
    if (!python) return failure('package_unavailable', `${reason}, and no host Python (${ctx.python}) is available for the native lane`);
    handedOver = true;
    return await completeBuild(ctx, buildDir, req, { lane: 'native', packages: host.packages, toolchain: { python }, reason }, async (hash) => {
      const finalVenv = join(ctx.store.envPath(hash), 'venv');
      const venv = await buildVenv(join(buildDir, 'venv'), finalVenv, wheelsDir, { python: ctx.python, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
      if (!venv.ok) {
        ctx.log('warn', 'venv build failed', { message: venv.message, detail: venv.detail });
        return failure('package_install', venv.message);
      }
      // The wheels are installed; keeping them would double the environment's size.
      await rm(wheelsDir, { recursive: true, force: true });
      return { spec: { venv: 'venv' } };
    });
  } finally {
    if (!handedOver) await ctx.store.discard(buildDir);
  }
}
