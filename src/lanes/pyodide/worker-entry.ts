/**
 * Node entry of the Pyodide lane: reads Pyodide's files from the npm package and makes sealed realms
 * with node:vm. The only file of the lane that imports `node:`.
 *
 * A realm is a context created with DONT_CONTEXTIFY (an ordinary global object, nothing of the host in
 * it) and code generation from strings disabled (no eval, no new Function). Pyodide's pyodide.asm.mjs is
 * rewritten into a classic script whose dynamic `import()` calls refuse: in a vm context Node rejects an
 * `import()` with an error object of the *host* realm (verified on Node 20: without a callback, and with
 * one unless --experimental-vm-modules), whose constructor chain leads to the host's Function. With no
 * eval and no import() left in any script of the realm, the guest has no way to reach that path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import type { CreateDriver, DriverHost } from '../lane.js';
import { createPyodideDriver } from './driver.js';
import { createHash } from 'node:crypto';
import type { PyodideAssets, PyodidePlatform, SealedContext, TzdataZip } from './platform.js';
import { tzdataZip } from './tzdata-zip.js';

const REFUSE_IMPORT = '__isolaRefuseImport';

let cachedPlatform: PyodidePlatform | undefined;

export function nodePlatform(): PyodidePlatform {
  if (cachedPlatform) return cachedPlatform;
  const assets = readAssets();
  // Compiled once per worker, run in every realm (a Script is not bound to a context).
  const scripts = new Map<string, vm.Script>();
  const compile = (source: string, filename: string): vm.Script => {
    let script = scripts.get(source);
    if (!script) {
      const cachedData = codeCache?.source === source ? codeCache.data : undefined;
      script = new vm.Script(source, { filename, ...(cachedData ? { cachedData: Buffer.from(cachedData) } : {}) });
      if (source === assets.moduleScript) moduleScriptCompiled?.(script);
      scripts.set(source, script);
    }
    return script;
  };
  cachedPlatform = {
    assets,
    newContext(): SealedContext {
      const global = vm.createContext(vm.constants.DONT_CONTEXTIFY, {
        name: 'isola-pyodide',
        codeGeneration: { strings: false, wasm: true },
      });
      return { evaluate: (source, filename) => compile(source, filename).runInContext(global) };
    },
  };
  return cachedPlatform;
}

let tzdata: TzdataZip | undefined;

function readAssets(): PyodideAssets {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('pyodide/package.json'));
  const read = (name: string) => new Uint8Array(readFileSync(join(root, name)));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const loader = readFileSync(join(root, 'pyodide.mjs'), 'utf8');
  const buildId = /BUILD_ID:"([0-9a-f]{64})"/.exec(loader)?.[1];
  if (!buildId) throw new Error(`isola: cannot find Pyodide's BUILD_ID in ${join(root, 'pyodide.mjs')}`);
  return {
    version: pkg.version,
    buildId,
    readWasm: () => read('pyodide.asm.wasm'),
    readStdlib: () => read('python_stdlib.zip'),
    lockFile: readFileSync(join(root, 'pyodide-lock.json'), 'utf8'),
    moduleScript: toClassicScript(readFileSync(join(root, 'pyodide.asm.mjs'), 'utf8')),
    // Built once per worker: walking 600 files costs more than keeping 4 MB.
    readTzdata: () => (tzdata ??= buildTzdata('/usr/share/zoneinfo')),
  };
}

/** The system's TZif files (without the posix/ and right/ copies) as a tzdata package zip. */
function buildTzdata(root: string): TzdataZip | undefined {
  const files = new Map<string, Uint8Array>();
  const walk = (dir: string, prefix: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!prefix && (name === 'posix' || name === 'right')) continue;
      const full = join(dir, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full, `${prefix}${name}/`);
      else if (stat.isFile() && stat.size < 1 << 20) {
        const bytes = new Uint8Array(readFileSync(full));
        // Zones only: TZif files start with "TZif" (zone.tab, tzdata.zi and friends do not).
        if (bytes[0] === 0x54 && bytes[1] === 0x5a && bytes[2] === 0x69 && bytes[3] === 0x66) files.set(`${prefix}${name}`, bytes);
      }
    }
  };
  walk(root, '');
  if (files.size === 0) return undefined;
  const zip = tzdataZip(files);
  return { zip, digest: createHash('sha256').update(zip).digest('hex') };
}

/**
 * pyodide.asm.mjs as a classic script: drop the export, give import.meta.url a fixed value, and replace
 * every dynamic import() with a function that rejects with an error of the realm.
 */
export function toClassicScript(source: string): string {
  const body = source
    .replace(/export\s+default\s+_createPyodideModule;?\s*$/, '')
    .replaceAll('import.meta.url', '"file:///pyodide/pyodide.asm.mjs"')
    .replace(/(?<![\w$.])import\(/g, `${REFUSE_IMPORT}(`);
  if (/(?<![\w$.])import\s*\(/.test(body) || body.includes('import.meta') || /\bexport\s+default\b/.test(body)) {
    throw new Error('isola: pyodide.asm.mjs has module syntax this Pyodide version was not expected to have');
  }
  return `(function () {
const ${REFUSE_IMPORT} = (specifier) => Promise.reject(new Error("isola: no dynamic import in the sealed realm (" + String(specifier) + ")"));
${body}
;return _createPyodideModule;
})()`;
}

/**
 * V8's code cache for pyodide.asm.js (1.2 MB of JavaScript, ~40 ms to compile at every worker start),
 * kept in the snapshot store next to the snapshots. V8 checks the data against its version, flags and
 * the source, and rejects what does not match (then it is rebuilt).
 */
let codeCache: { source: string; data: Uint8Array } | undefined;
let moduleScriptCompiled: ((script: vm.Script) => void) | undefined;

async function loadCodeCache(host: DriverHost, platform: PyodidePlatform): Promise<void> {
  if (!host.snapshots || codeCache) return;
  const source = platform.assets.moduleScript;
  const key = `pyodide-jscache-${createHash('sha256').update(`${process.version}\u0000${process.arch}\u0000${source}`).digest('hex').slice(0, 32)}`;
  let data: Uint8Array | undefined;
  try {
    data = await host.snapshots.get(key);
  } catch {
    data = undefined;
  }
  // Written a little after the first compile, so it also holds what the first boot compiled lazily.
  const later = (script: vm.Script) => setTimeout(() => void store(script), 2000).unref();
  if (data) {
    codeCache = { source, data };
    moduleScriptCompiled = (script) => {
      if (script.cachedDataRejected) later(script);
    };
  } else {
    moduleScriptCompiled = later;
  }
  const store = async (script: vm.Script) => {
    try {
      await host.snapshots!.put(key, new Uint8Array(script.createCachedData()));
    } catch (error) {
      host.log('debug', 'pyodide: cannot store the code cache', { error: String(error) });
    }
  };
}

export const createDriver: CreateDriver = async (host, config) => {
  const platform = nodePlatform();
  await loadCodeCache(host, platform);
  return createPyodideDriver(host, config, platform);
};
