/**
 * Entry of a lane worker thread. It builds the DriverHost (runtime files, egress over messages, snapshot
 * store, interrupt flag), loads the lane's driver, then runs one job at a time, recycling the interpreter
 * while idle. Started with an empty `env`, so guest-reachable code sees none of the service's variables.
 */
import { parentPort, workerData, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { INTERRUPT_BLOCKED_WORD, type CreateDriver, type DriverHost, type EgressResponse, type LaneDriver } from '../../lanes/lane.js';
import { runChunk } from '../items/run-chunk.js';
import { createDiskSnapshotStore } from './disk-snapshot-store.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

const init = workerData as WorkerInit & { syncPort: MessagePort };
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const runtimesRoot = resolve(init.runtimesDir);
const storeRoot = resolve(init.storeDir);
const syncFlag = new Int32Array(init.syncFlag);
let nextCallId = 1;
const pendingFetches = new Map<number, (response: EgressResponse) => void>();

function inside(root: string, path: string): string {
  const full = resolve(root, path);
  if (full !== root && !full.startsWith(root + sep)) throw new Error(`path escapes ${root}: ${path}`);
  return full;
}

const interrupt = new Int32Array(init.interrupt.buffer);
const host: DriverHost = {
  runtimeFile: (path) => readFileSync(inside(runtimesRoot, path), 'utf8'),
  fetch(jobId, request) {
    const callId = nextCallId++;
    return new Promise((resolveFetch) => {
      pendingFetches.set(callId, resolveFetch);
      post({ type: 'fetch', callId, jobId, request, sync: false });
    });
  },
  fetchSync(jobId, request) {
    const callId = nextCallId++;
    Atomics.store(syncFlag, 0, 0);
    post({ type: 'fetch', callId, jobId, request, sync: true });
    // Blocks this worker only; the engine answers on syncPort and wakes us. The bridge bounds its time.
    Atomics.add(interrupt, INTERRUPT_BLOCKED_WORD, 1);
    try {
      Atomics.wait(syncFlag, 0, 0, 10 * 60 * 1000);
    } finally {
      Atomics.sub(interrupt, INTERRUPT_BLOCKED_WORD, 1);
    }
    const message = receiveMessageOnPort(init.syncPort);
    if (!message) return { ok: false, kind: 'timeout', message: 'no answer from the egress bridge' };
    return (message.message as { response: EgressResponse }).response;
  },
  interrupt,
  interruptMemory: init.interrupt,
  sharedModule: (key) => {
    const value = init.shared[key];
    return value instanceof WebAssembly.Module ? value : undefined;
  },
  shareModule: (key, module) => post({ type: 'share', key, value: module }),
  sharedBuffer: (key) => {
    const value = init.shared[key];
    return value instanceof SharedArrayBuffer ? value : undefined;
  },
  shareBuffer: (key, buffer) => post({ type: 'share', key, value: buffer }),
  readArtifact: async (path) => new Uint8Array(await readFile(inside(storeRoot, path))),
  snapshots: createDiskSnapshotStore(join(storeRoot, 'snapshots')),
  output: (jobId, stream, text) => post({ type: 'output', jobId, stream, text }),
  log: (level, message, data) => post({ type: 'log', level, message, ...(data ? { data } : {}) }),
};

let driver: LaneDriver;
try {
  const module = (await import(`../../lanes/${init.lane}/worker-entry.js`)) as { createDriver: CreateDriver };
  driver = await module.createDriver(host, { options: init.options });
} catch (error) {
  post({ type: 'init-error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
post({ type: 'ready', details: driver.describe() });

let recycling: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.type === 'fetch-result') {
    pendingFetches.get(message.callId)?.(message.response);
    pendingFetches.delete(message.callId);
    return;
  }
  const job = message.job;
  recycling = recycling.then(async () => {
    try {
      // A chunk of a batch: its items one after another, recycled between them (run-chunk.ts).
      const result = job.chunk ? await runChunk(driver, job, (at, item) => post({ type: 'item-result', jobId: job.id, at, result: item })) : await driver.run(job);
      post({ type: 'result', jobId: job.id, result, ...(driver.recycleIsLong?.() ? { preparing: true } : {}) });
    } catch (error) {
      post({ type: 'failed', jobId: job.id, message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
    }
    // Reset while idle: the next job finds a clean interpreter without paying for it.
    try {
      await driver.recycle?.();
      post({ type: 'recycled', details: driver.describe() });
    } catch (error) {
      post({ type: 'log', level: 'error', message: 'recycle failed; restarting worker', data: { error: String(error) } });
      process.exit(1);
    }
  });
});
