/**
 * Runs the Pyodide driver inside a worker thread for the tests, the way the engine does
 * (src/engine/workers/worker-main.ts): run a job, post the result, recycle while idle. The main thread
 * owns the interrupt flag and sets it at the deadline, because this thread is busy running Python.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { DriverHost, EgressRequest, EgressResponse, GuestJob, SnapshotStore } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/pyodide/worker-entry.js';

export interface HarnessWorkerData {
  runtimesDir: string;
  storeDir: string | null;
  interrupt: SharedArrayBuffer;
  options: Record<string, unknown>;
  /** Environment variables to set in this thread before the driver starts (secrets for attack tests). */
  env: Record<string, string>;
}

/**
 * Stand-in for the engine's egress bridge: echoes the request as JSON. Host "denied.example" is refused,
 * "slow.example" times out, a path /status/NNN answers with that status.
 */
function echoFetch(jobId: string, request: EgressRequest): EgressResponse {
  const url = new URL(request.url);
  if (url.hostname === 'denied.example') return { ok: false, kind: 'denied', message: 'denied.example is not in allow_hosts' };
  if (url.hostname === 'slow.example') return { ok: false, kind: 'timeout', message: 'slow.example did not answer in time' };
  const status = Number(/\/status\/(\d+)/.exec(url.pathname)?.[1] ?? 200);
  const echo = {
    jobId,
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body ? new TextDecoder().decode(request.body) : null,
    timeoutMs: request.timeoutMs ?? null,
  };
  return { ok: true, status, statusText: status === 200 ? 'OK' : 'Status', url: request.url, headers: [['Content-Type', 'application/json; charset=utf-8'], ['X-Echo', 'yes']], body: new TextEncoder().encode(JSON.stringify(echo)) };
}

export type ToHarness = { type: 'run'; job: GuestJob } | { type: 'describe' };
export type FromHarness =
  | { type: 'ready'; createMs: number; details: Record<string, unknown> }
  | { type: 'init-error'; message: string }
  | { type: 'result'; result: unknown }
  | { type: 'failed'; message: string }
  | { type: 'recycled'; ms: number; error?: string }
  | { type: 'described'; details: Record<string, unknown> }
  | { type: 'log'; level: string; message: string; data?: unknown };

const data = workerData as HarnessWorkerData;
const port = parentPort!;
const post = (message: FromHarness) => port.postMessage(message);
for (const [name, value] of Object.entries(data.env)) process.env[name] = value;

function dirStore(dir: string): SnapshotStore {
  return {
    async get(key) {
      try {
        return new Uint8Array(await readFile(join(dir, `${key}.snap`)));
      } catch {
        return undefined;
      }
    },
    async put(key, bytes) {
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      await writeFile(temp, bytes);
      await rename(temp, join(dir, `${key}.snap`));
    },
  };
}

const host: DriverHost = {
  runtimeFile: (path) => readFileSync(join(data.runtimesDir, path), 'utf8'),
  fetch: async (jobId, request) => echoFetch(jobId, request),
  fetchSync: echoFetch,
  readArtifact: async (path) => new Uint8Array(await readFile(path)),
  interrupt: new Int32Array(data.interrupt),
  ...(data.storeDir ? { snapshots: dirStore(data.storeDir) } : {}),
  log: (level, message, extra) => post({ type: 'log', level, message, ...(extra ? { data: extra } : {}) }),
};

const started = performance.now();
let driver: Awaited<ReturnType<typeof createDriver>>;
try {
  driver = await createDriver(host, { options: data.options });
} catch (error) {
  post({ type: 'init-error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
  process.exit(1);
}
post({ type: 'ready', createMs: performance.now() - started, details: driver.describe() });

let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToHarness) => {
  queue = queue.then(async () => {
    if (message.type === 'describe') {
      post({ type: 'described', details: driver.describe() });
      return;
    }
    try {
      post({ type: 'result', result: await driver.run(message.job) });
    } catch (error) {
      post({ type: 'failed', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
    }
    const t = performance.now();
    try {
      await driver.recycle?.();
      post({ type: 'recycled', ms: performance.now() - t });
    } catch (error) {
      post({ type: 'recycled', ms: performance.now() - t, error: String(error) });
    }
  });
});
