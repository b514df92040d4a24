/**
 * Web Worker entry of the edge engine's CPython lane: the Node engine's portable CPython driver (WASI
 * host, memory images, the module guard's deadline and memory checks) over what the page sent: the
 * guarded module, the standard library zip and the lane's Python files. The guard's control memory is a
 * shared WebAssembly.Memory, so Python needs a cross-origin isolated page.
 */
import { CPYTHON_RUNTIME_FILES } from '../lanes/cpython/descriptor.js';
import { createCPythonDriver, cpythonOptions, type CPythonPlatform } from '../lanes/cpython/driver.js';
import { readOnlyLayer } from '../wasi/memory-fs.js';
import { guardFacts } from '../wasm/guard-module.js';
import { serveLane } from './worker-loop.js';

/** Where the Node lane mounts them too (src/lanes/cpython/worker-entry.ts). */
const RUNTIME_DIR = 'usr/local/lib/isola';
const STDLIB_PATH = 'usr/local/lib/python315.zip';
const MAXIMUM_PAGES = 65536;

serveLane(async (init, host) => {
  if (init.lane !== 'cpython') throw new Error(`the CPython worker was sent a ${init.lane} lane`);
  if (!host.interruptMemory) throw new Error('Python needs a cross-origin isolated page (COOP/COEP) for its shared control memory');
  const facts = guardFacts(init.wasm);
  if (!facts) throw new Error('the CPython module was not rewritten by the module guard');
  const encoder = new TextEncoder();
  const files = new Map<string, Uint8Array>([[STDLIB_PATH, new Uint8Array(init.stdlib)]]);
  for (const path of CPYTHON_RUNTIME_FILES) {
    const text = init.files[path];
    if (text === undefined) throw new Error(`no runtime file ${path} in the edge bundle`);
    files.set(`${RUNTIME_DIR}/${path.split('/').pop()!}`, encoder.encode(text));
  }
  const platform: CPythonPlatform = {
    program: { module: init.wasm, ...facts, maximumPages: MAXIMUM_PAGES },
    layer: readOnlyLayer(files),
    version: 'CPython for WASI (isola/edge)',
    runtimeDir: `/${RUNTIME_DIR}`,
  };
  return createCPythonDriver(host, platform, host.interruptMemory, cpythonOptions({}));
});
