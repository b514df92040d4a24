/**
 * Python environments. Resolution order, per request:
 * 1. unless runtime is "native": resolve for the CPython lane (CPython 3.15 on wasm32-wasi: pure
 *    wheels, with the interpreter's built-ins satisfied by stub wheels, see cpython-target.ts)
 *    -> cpython lane, { wheels } (the pure wheels, put on sys.path as zip archives);
 * 2. else resolve for the host: a failure there is the package's fault (unknown, version not found)
 *    -> package_install; success means some distribution has no Wasm build -> package_unavailable when
 *    runtime is "wasm", else the native lane with a venv built from those wheels, { venv }.
 * A shell prebuild skips step 1: only the native lane runs one, in a venv it can pip install into.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { completeBuild, failure, SHELL_PREBUILD_REASON, type BuildContext, type BuildOutcome, type BuildRequest } from './build-context.js';
import { cpythonTarget, isStubWheel, type CPythonTarget } from './cpython-target.js';
import { buildVenv } from './native-venv.js';
import { pipDownload } from './pip-download.js';
import type { ResolvedPackage } from './types.js';

/** Why a resolved host set cannot run in the CPython lane, naming the package(s). */
function whyNotWasm(host: ResolvedPackage[], unsatisfied: string[], wasmMessage: string, label: string): string {
  const compiled = host.filter((p) => p.kind === 'compiled');
  const named = compiled.filter((p) => unsatisfied.includes(p.name));
  const culprits = named.length > 0 ? named : compiled;
  if (culprits.length > 0) {
    const list = culprits.map((p) => `${p.name} ${p.version}`).join(', ');
    return `${list} ${culprits.length === 1 ? 'has' : 'have'} compiled extensions and no wasm build for ${label}`;
  }
  return `no build for ${label}: ${wasmMessage}`;
}

/**
 * The index a shell prebuild's pip should use: the operator's, when it carries no credentials (the
 * script and everything it runs could read them); else pip's default. Either way pip reaches it only
 * through the egress proxy and the request's allow-list.
 */
function sandboxPipIndex(indexUrl: string | undefined): { pipIndexUrl?: string } {
  if (!indexUrl) return {};
  try {
    const url = new URL(indexUrl);
    return url.username || url.password ? {} : { pipIndexUrl: url.href };
  } catch {
    return {};
  }
}

export async function buildPythonEnvironment(ctx: BuildContext, req: BuildRequest): Promise<BuildOutcome> {
  const buildDir = await ctx.store.newBuildDir();
  const wheelsDir = join(buildDir, 'wheels');
  let handedOver = false;
  try {
    await mkdir(wheelsDir);
    let wasmFailure: { message: string; unsatisfied: string[] } | undefined;
    let target: CPythonTarget | undefined;
    const shell = req.prebuildLanguage === 'bash';
    if (shell && req.runtime === 'wasm') return failure('package_unavailable', `${SHELL_PREBUILD_REASON}, which runtime "wasm" excludes`);
    if (req.runtime !== 'native' && !shell) {
      try {
        target = await cpythonTarget(ctx.store.root);
      } catch (error) {
        return failure('package_unavailable', `the CPython lane cannot resolve packages here: ${error instanceof Error ? error.message : String(error)}`);
      }
      const sources = { ...ctx.pipSources, findLinks: [...ctx.pipSources.findLinks, target.stubDir] };
      const resolve = (constraints?: string) =>
        pipDownload(wheelsDir, req.specs, { python: ctx.python, sources, target: target!.pip, timeoutMs: ctx.timeoutMs, signal: ctx.signal, ...(constraints ? { constraints } : {}) });
      let wasm = req.specs.length === 0 ? { ok: true as const, packages: [], elapsedMs: 0 } : await resolve(target.constraints);
      if (!wasm.ok) {
        await rm(wheelsDir, { recursive: true, force: true });
        await mkdir(wheelsDir);
        wasm = await resolve();
      }
      if (wasm.ok && wasm.packages.every((p) => p.kind === 'pure')) {
        // Built-ins are listed (they pin the environment's hash) but not shipped: the interpreter has them.
        const packages = wasm.packages;
        ctx.log('debug', 'resolved for the cpython lane', { packages: packages.map((p) => `${p.name}==${p.version}`) });
        handedOver = true;
        return await completeBuild(ctx, buildDir, req, { lane: 'cpython', packages, toolchain: target.toolchain }, async () => {
          for (const stub of packages.filter((p) => isStubWheel(p.file))) await rm(join(wheelsDir, stub.file!), { force: true });
          return { spec: { wheels: packages.filter((p) => !isStubWheel(p.file)).map((p) => join('wheels', p.file ?? '')) } };
        });
      }
      wasmFailure = wasm.ok ? { message: 'a wasm32-wasi wheel with compiled code cannot be loaded', unsatisfied: [] } : wasm;
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
      ? whyNotWasm(host.packages, wasmFailure.unsatisfied, wasmFailure.message, target?.pip.label ?? 'the CPython lane')
      : shell
        ? SHELL_PREBUILD_REASON
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
      return { spec: { venv: 'venv', ...(shell ? sandboxPipIndex(ctx.pipSources.indexUrl) : {}) } };
    });
  } finally {
    if (!handedOver) await ctx.store.discard(buildDir);
  }
}
