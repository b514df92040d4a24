/**
 * Node entry of the wasi lane, and the only file of it that imports `node:`. User modules arrive in the
 * job, or (uploaded ones) are read from the path the engine found in its blob store. Ruby is loaded on a worker's first Ruby job: `ruby+stdlib.wasm`
 * from its npm package, guarded once (the guarded bytes are kept in the snapshot store, keyed by the
 * package's file and the guard's version) and compiled once per process (shared by the lane's workers).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { guardFacts, guardModule } from '../../wasm/guard-module.js';
import { withPassiveData } from '../../wasm/passive-data.js';
import type { CreateDriver, DriverHost } from '../lane.js';
import { WASI_RUNTIME_FILES } from './descriptor.js';
import { createWasiDriver } from './driver.js';
import type { GuardedProgram } from './fresh-instance.js';
import { createRubyRunner, type RubyRunner } from './ruby-run.js';

/** Bump when guard-module.ts changes what it writes for fresh instances. */
const GUARD_VERSION = 1;
export const RUBY_PACKAGE = '@ruby/4.0-wasm-wasi';

async function loadRuby(host: DriverHost): Promise<RubyRunner> {
  const path = fileURLToPath(import.meta.resolve(`${RUBY_PACKAGE}/dist/ruby+stdlib.wasm`));
  const stat = statSync(path);
  const key = `wasi-ruby-guarded-${createHash('sha256').update(`${path} ${stat.size} ${stat.mtimeMs} guard ${GUARD_VERSION}`).digest('hex').slice(0, 32)}`;
  let module = host.sharedModule?.(key);
  let imageModule = host.sharedModule?.(`${key}-image`);
  if (!module || !imageModule) {
    let guarded = await host.snapshots?.get(key).catch(() => undefined);
    if (!guarded) {
      const result = guardModule(new Uint8Array(readFileSync(path)), { maximumPages: 65536, instances: 'fresh' });
      guarded = result.bytes;
      await host.snapshots
        ?.put(key, guarded)
        .then(() => host.snapshots?.prune?.('wasi-ruby-guarded-', key))
        .catch((error: unknown) => host.log('debug', 'wasi: cannot store the guarded Ruby module', { error: String(error) }));
    }
    // As in the CPython lane: V8 validates each function when first compiled rather than 32 MB up front.
    // The bytes are the guard's own output of the npm package's module.
    setFlagsFromString('--wasm-lazy-validation');
    module = await WebAssembly.compile(guarded as Uint8Array<ArrayBuffer>);
    imageModule = await WebAssembly.compile(withPassiveData(guarded) as Uint8Array<ArrayBuffer>);
    host.shareModule?.(key, module);
    host.shareModule?.(`${key}-image`, imageModule);
  }
  const facts = guardFacts(module);
  if (!facts) throw new Error('wasi: the cached Ruby module was not written by this guard');
  const program: GuardedProgram = { module, initialPages: facts.initialPages, globalExports: facts.globalExports };
  return createRubyRunner(program, host.runtimeFile(WASI_RUNTIME_FILES[0]!), imageModule);
}

export const createDriver: CreateDriver = async (host, config) =>
  createWasiDriver(host, {
    ruby: () => loadRuby(host),
    preloadRuby: config.options['preloadRuby'] === true,
    readModule: async (path) => new Uint8Array(await readFile(path)),
    // jco and its shims load on a worker's first component, not before.
    prepareComponent: async (bytes) => (await import('./component-transpile.js')).prepareComponentOnNode(host, bytes),
  });
