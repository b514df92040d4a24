/**
 * Child process for the stock-Pyodide deadline peer: Pyodide in a worker thread with Pyodide's own
 * interrupt buffer (a SharedArrayBuffer the main thread writes SIGINT into at the deadline), the
 * documented way to stop a busy loop without killing the thread.
 * Usage: pyodide-deadline SNAPSHOT_FILE N. Prints {samples}: ms past the deadline until Python stopped.
 */
import { Worker } from 'node:worker_threads';
import { BUSY_LOOP, DEADLINE_MS } from '../workloads.js';
import { finish } from './report.js';

const SIGINT = 2;

interface Data {
  pyodideUrl: string;
  snapshot: string;
  buffer: SharedArrayBuffer;
  code: string;
}

// Plain JavaScript run with `eval: true`, so the worker needs no TypeScript loader when the harness runs
// from source. It boots from the snapshot, then runs the busy loop once per message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
(async () => {
  const { loadPyodide } = await import(workerData.pyodideUrl);
  // Pyodide finds its files from its caller's location, which an eval worker lacks: name them.
  const indexURL = new URL('./', workerData.pyodideUrl).pathname;
  const py = await loadPyodide({ indexURL, _loadSnapshot: readFileSync(workerData.snapshot) });
  py.setInterruptBuffer(new Uint8Array(workerData.buffer));
  parentPort.on('message', () => {
    let interrupted = false;
    try { py.runPython(workerData.code); } catch (err) { interrupted = String(err).includes('KeyboardInterrupt'); }
    parentPort.postMessage({ interrupted });
  });
  parentPort.postMessage('ready');
})();
`;

async function main(snapshot: string, count: number): Promise<number[]> {
  const buffer = new SharedArrayBuffer(1);
  const flag = new Uint8Array(buffer);
  const workerData: Data = { pyodideUrl: import.meta.resolve('pyodide'), snapshot, buffer, code: BUSY_LOOP.python };
  const thread = new Worker(WORKER_SOURCE, { eval: true, workerData });
  try {
    const next = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      });
    await next(); // ready
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      Atomics.store(flag, 0, 0);
      const started = performance.now();
      const done = next();
      thread.postMessage('run');
      const timer = setTimeout(() => Atomics.store(flag, 0, SIGINT), DEADLINE_MS);
      const answer = (await done) as { interrupted: boolean };
      clearTimeout(timer);
      if (!answer.interrupted) throw new Error('the busy loop ended without a KeyboardInterrupt');
      samples.push(performance.now() - started - DEADLINE_MS);
    }
    return samples;
  } finally {
    await thread.terminate();
  }
}

finish(main(String(process.argv[2]), Number(process.argv[3] ?? 5)).then((samples) => ({ samples })));
