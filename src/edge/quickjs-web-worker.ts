/**
 * Web Worker entry of the edge engine's QuickJS lane: the same portable driver the Node engine runs in
 * its worker threads, given a DriverHost made of what the page sent (the compiled module, the guest
 * runtime files, the interrupt word). No network: guest fetch() is denied here.
 */
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { LaneDriver } from '../lanes/lane.js';
import { createQuickJSDriver } from '../lanes/quickjs/driver.js';
import { edgeDriverHost } from './inline-lane.js';
import type { FromWorker, ToWorker } from './protocol.js';

// CommonJS-shaped types (see src/lanes/quickjs/worker-entry.ts): at runtime the default is the variant.
const variant = releaseSync as unknown as QuickJSSyncVariant;

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let driver: LaneDriver | undefined;

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    try {
      const interrupt = message.interrupt ? new Int32Array(message.interrupt) : undefined;
      driver = await createQuickJSDriver(edgeDriverHost(message.files, interrupt), { variant, wasm: message.wasm });
      scope.postMessage({ type: 'ready' });
    } catch (error) {
      scope.postMessage({ type: 'init-failed', message: String((error as Error)?.message ?? error) });
    }
    return;
  }
  const { job } = message;
  try {
    if (!driver) throw new Error('the worker was not initialised');
    const result = await driver.run(job);
    scope.postMessage({ type: 'result', jobId: job.id, result });
    await driver.recycle?.();
  } catch (error) {
    scope.postMessage({ type: 'crashed', jobId: job.id, message: String((error as Error)?.message ?? error) });
  }
}

// One message at a time: a job that arrives while the last one's context is being recycled waits for it.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
