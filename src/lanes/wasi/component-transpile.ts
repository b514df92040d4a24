/**
 * Node side of WASI 0.2 components: jco transpiles a component once per module hash (its glue and core
 * modules are kept in the snapshot store, under the store dir, keyed by the component's SHA-256 and the
 * jco and shim versions), the glue is loaded as an ES module from its text, and preview2-shim's browser
 * implementation (in-memory, no host file system or network: component-imports.ts) is what it imports.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriverHost } from '../lane.js';
import type { Preview2Shim } from './component-imports.js';
import { prepareComponent, type PreparedComponent, type TranspiledComponent } from './component-run.js';

const TRANSPILER = '@bytecodealliance/jco-transpile';
const SHIM = '@bytecodealliance/preview2-shim';
/** File name jco gives the glue and the prefix of its core modules. */
const NAME = 'component';

function versionOf(pkg: string): string {
  // The packages' exports hide package.json: it sits beside dist/ (where their entry is).
  const entry = fileURLToPath(import.meta.resolve(pkg));
  const dir = entry.slice(0, entry.lastIndexOf('/dist/'));
  return (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version: string }).version;
}

let shim: Promise<Preview2Shim> | undefined;

/** The shim's browser build, whatever the `node` export condition would choose (its Node build uses the real file system). */
function loadShim(): Promise<Preview2Shim> {
  shim ??= (async () => {
    const browser = new URL('../browser/', import.meta.resolve(SHIM));
    const part = (name: string) => import(new URL(`${name}.js`, browser).href);
    const [cli, filesystem, io, clocks, random] = await Promise.all(['cli', 'filesystem', 'io', 'clocks', 'random'].map(part));
    return { cli, filesystem, io, clocks, random } as Preview2Shim;
  })();
  return shim;
}

function pack(transpiled: TranspiledComponent): Uint8Array {
  const cores = Object.fromEntries([...transpiled.cores].map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')]));
  return new TextEncoder().encode(JSON.stringify({ glue: transpiled.glue, cores }));
}

function unpack(bytes: Uint8Array): TranspiledComponent {
  const { glue, cores } = JSON.parse(new TextDecoder().decode(bytes)) as { glue: string; cores: Record<string, string> };
  return { glue, cores: new Map(Object.entries(cores).map(([name, text]) => [name, new Uint8Array(Buffer.from(text, 'base64'))])) };
}

async function transpile(bytes: Uint8Array): Promise<TranspiledComponent> {
  const { transpileBytes } = await import(TRANSPILER);
  const result = (await transpileBytes(bytes, {
    name: NAME,
    // The glue exports instantiate(getCoreModule, imports, instantiateCore): the lane supplies all three.
    instantiation: { tag: 'sync' },
    emitTypescriptDeclarations: false,
    noTypescript: true,
    minify: false,
    optimize: false,
    wasiShim: false,
  })) as { files: Record<string, Uint8Array> };
  const glue = result.files[`${NAME}.js`];
  if (!glue) throw new Error('jco produced no glue');
  const cores = new Map(Object.entries(result.files).filter(([name]) => name.endsWith('.wasm')));
  return { glue: new TextDecoder().decode(glue), cores };
}

export async function prepareComponentOnNode(host: DriverHost, bytes: Uint8Array): Promise<PreparedComponent | { message: string }> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const key = `wasi-component-${createHash('sha256').update(`${hash} jco ${versionOf(TRANSPILER)} shim ${versionOf(SHIM)}`).digest('hex').slice(0, 32)}`;
  let transpiled: TranspiledComponent | undefined;
  const stored = await host.snapshots?.get(key).catch(() => undefined);
  if (stored) transpiled = unpack(stored);
  if (!transpiled) {
    try {
      transpiled = await transpile(bytes);
    } catch (error) {
      // jco's refusal of the bytes: a component that is not well formed, or one it cannot bind.
      return { message: `the component could not be transpiled: ${String((error as { message?: unknown })?.message ?? error).slice(0, 500)}` };
    }
    await host.snapshots?.put(key, pack(transpiled)).catch((error: unknown) => host.log('debug', 'wasi: cannot store a transpiled component', { error: String(error) }));
  }
  return prepareComponent(transpiled, await loadShim(), (source) => import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`));
}
