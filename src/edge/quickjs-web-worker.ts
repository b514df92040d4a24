/**
 * Web Worker entry of the edge engine's QuickJS lane: the same portable driver the Node engine runs in
 * its worker threads, given a DriverHost made of what the page sent (the compiled module, the guest
 * runtime files, the interrupt word). No network: guest fetch() is denied here.
 */
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { createQuickJSDriver } from '../lanes/quickjs/driver.js';
import { serveLane } from './worker-loop.js';

// CommonJS-shaped types (see src/lanes/quickjs/worker-entry.ts): at runtime the default is the variant.
const variant = releaseSync as unknown as QuickJSSyncVariant;

serveLane(async (init, host) => {
  if (init.lane !== 'quickjs') throw new Error(`the QuickJS worker was sent a ${init.lane} lane`);
  return createQuickJSDriver(host, { variant, wasm: init.wasm });
});
