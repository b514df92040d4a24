/** Node entry of the QuickJS lane: picks the synchronous release build (the asyncify build is ~2.8x slower). */
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { fileURLToPath } from 'node:url';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { CreateDriver } from '../lane.js';
import { createQuickJSDriver } from './driver.js';
import { guardedQuickJSModule } from './quickjs-wasm.js';

// The package's types are CommonJS-shaped (`export { variant as default }`), so under NodeNext TypeScript
// sees the default import as the module object; at runtime the ESM entry's default is the variant itself.
const variant = releaseSync as unknown as QuickJSSyncVariant;

export const createDriver: CreateDriver = async (host) => {
  const wasmPath = fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
  const wasm = await guardedQuickJSModule(host, wasmPath);
  return createQuickJSDriver(host, { variant, wasm });
};
