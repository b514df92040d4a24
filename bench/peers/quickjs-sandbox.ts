/**
 * Peer: @sebastianwessel/quickjs, another QuickJS sandbox (quickjs-emscripten underneath, with a Node-like
 * module set and a memfs file system). Each runSandboxed call builds a new runtime and context, so every
 * execution starts fresh, as Isola's do. It gets the same QuickJS build Isola uses.
 */
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { loadQuickJs } from '@sebastianwessel/quickjs';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { checkHelloValue, HELLO_INPUTS } from '../workloads.js';

// CommonJS-shaped types (see src/lanes/quickjs/worker-entry.ts): at runtime the default is the variant.
const variant = releaseSync as unknown as QuickJSSyncVariant;

type Loaded = Awaited<ReturnType<typeof loadQuickJs>>;
let loaded: Promise<Loaded> | undefined;

/** The module is loaded once per process, as the library's README advises. */
export function quickjsSandbox(): Promise<Loaded> {
  loaded ??= loadQuickJs(variant);
  return loaded;
}

/** Runs `code` (an ES module whose default export is the answer) in a fresh sandbox. */
export async function quickjsSandboxRun(code: string, timeoutMs?: number): Promise<unknown> {
  const { runSandboxed } = await quickjsSandbox();
  const result = await runSandboxed(async ({ evalCode }) => evalCode(code), timeoutMs === undefined ? {} : { executionTimeout: timeoutMs });
  if (!result.ok) throw new Error(`quickjs-sandbox failed: ${JSON.stringify(result.error).slice(0, 300)}`);
  return result.data;
}

export function moduleHarness(code: string, inputs: object): string {
  return `${code}\nexport default main(${JSON.stringify(inputs)});\n`;
}

export async function quickjsSandboxHello(code: string): Promise<void> {
  checkHelloValue('quickjs-sandbox', await quickjsSandboxRun(moduleHarness(code, HELLO_INPUTS)));
}
