/**
 * Test helper for the Pyodide lane: a driver in a worker thread, driven like the engine drives it.
 *
 * The main thread sets the shared interrupt flag at each job's deadline (and notifies), and, like the
 * engine, ends the worker if it still has not answered some time later (a guest that swallowed the
 * interrupt or is stuck in C); such a run resolves with `hardKilled: true`.
 *
 * Snapshots go to a temp-dir store shared by the suites (the first boot builds it, the others load it),
 * unless a test passes its own directory.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GuestJob, GuestResult } from '../../../src/lanes/lane.js';
import type { FromHarness, HarnessWorkerData, ToHarness } from './harness-worker.js';

export const SHARED_STORE = join(tmpdir(), 'isola-test-pyodide-store');
const RUNTIMES = fileURLToPath(new URL('../../../runtimes/', import.meta.url));
/**
 * How long after the deadline the harness ends a worker that has not answered. The engine uses 300 ms;
 * the tests allow more, so a CI machine busy with other suites does not turn an interrupt into a kill.
 */
const KILL_GRACE_MS = 1500;

export interface StartOptions {
  /** Snapshot store directory; null for none (the driver then builds in memory). */
  storeDir?: string | null;
  options?: Record<string, unknown>;
  env?: Record<string, string>;
}

export type JobInput = Partial<Omit<GuestJob, 'limits'>> & { code: string; inputs?: unknown; limits?: Partial<GuestJob['limits']> };
export type HarnessResult = GuestResult & { hardKilled?: boolean; wallMs: number };

export interface PyodideHarness {
  readonly createMs: number;
  readonly details: Record<string, unknown>;
  readonly logs: { level: string; message: string; data?: unknown }[];
  run(job: JobInput): Promise<HarnessResult>;
  /** Resolves when the recycle after the last job has finished; returns its duration. */
  recycled(): Promise<number>;
  describe(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let nextId = 1;

export function makeJob(input: JobInput): GuestJob {
  const timeoutMs = input.timeoutMs ?? 10_000;
  return {
    id: input.id ?? `job-${nextId++}`,
    code: input.code,
    filename: input.filename ?? 'main.py',
    mode: input.mode ?? 'auto',
    inputsJson: input.inputsJson ?? JSON.stringify(input.inputs ?? {}),
    deadline: input.deadline ?? Date.now() + timeoutMs,
    timeoutMs,
    memoryBytes: input.memoryBytes ?? 256 * 2 ** 20,
    limits: { stdoutBytes: 1 << 20, stderrBytes: 1 << 20, outputBytes: 10 << 20, ...input.limits },
    allowHosts: input.allowHosts ?? [],
    ...(input.environment ? { environment: input.environment } : {}),
  };
}

export async function startPyodide(start: StartOptions = {}): Promise<PyodideHarness> {
  const interrupt = new SharedArrayBuffer(4);
  const flag = new Int32Array(interrupt);
  const data: HarnessWorkerData = {
    runtimesDir: RUNTIMES,
    storeDir: start.storeDir === undefined ? SHARED_STORE : start.storeDir,
    interrupt,
    options: start.options ?? {},
    env: start.env ?? {},
  };
  // `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20; registering tsx
  // from a small bootstrap does.
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./harness-worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  const logs: PyodideHarness['logs'] = [];
  let onResult: ((message: FromHarness) => void) | undefined;
  let onDescribed: ((details: Record<string, unknown>) => void) | undefined;
  let recycleWaiters: ((ms: number) => void)[] = [];
  let lastRecycleMs = 0;
  let pendingRecycles = 0;
  let dead = false;

  const ready = new Promise<{ createMs: number; details: Record<string, unknown> }>((resolve, reject) => {
    worker.on('message', (message: FromHarness) => {
      switch (message.type) {
        case 'ready':
          resolve({ createMs: message.createMs, details: message.details });
          break;
        case 'init-error':
          reject(new Error(message.message));
          break;
        case 'log':
          logs.push({ level: message.level, message: message.message, data: message.data });
          break;
        case 'result':
        case 'failed':
          onResult?.(message);
          break;
        case 'recycled':
          pendingRecycles--;
          lastRecycleMs = message.ms;
          if (message.error) logs.push({ level: 'error', message: `recycle failed: ${message.error}` });
          if (pendingRecycles === 0) {
            for (const waiter of recycleWaiters) waiter(lastRecycleMs);
            recycleWaiters = [];
          }
          break;
        case 'described':
          onDescribed?.(message.details);
          break;
      }
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      dead = true;
    });
  });
  const { createMs, details } = await ready;

  let chain: Promise<unknown> = Promise.resolve();
  const harness: PyodideHarness = {
    createMs,
    details,
    logs,
    run(input) {
      const result = chain.then(
        () =>
          new Promise<HarnessResult>((resolve, reject) => {
            if (dead) return reject(new Error('the Pyodide worker is gone'));
            // The deadline counts from when the job is handed over, not from when it was queued here.
            const job = makeJob(input);
            const started = performance.now();
            Atomics.store(flag, 0, 0);
            const untilDeadline = Math.max(0, job.deadline - Date.now());
            const interruptTimer = setTimeout(() => {
              Atomics.store(flag, 0, 2);
              Atomics.notify(flag, 0);
            }, untilDeadline);
            const killTimer = setTimeout(() => {
              onResult = undefined;
              void worker.terminate();
              dead = true;
              resolve({
                exitCode: 124,
                mode: 'script',
                stdout: '',
                stderr: '',
                stdoutTruncated: false,
                stderrTruncated: false,
                failure: { type: 'timeout', message: 'worker ended after the deadline' },
                cache: 'miss',
                setupMs: 0,
                runMs: 0,
                hardKilled: true,
                wallMs: performance.now() - started,
              });
            }, untilDeadline + KILL_GRACE_MS);
            onResult = (message) => {
              clearTimeout(interruptTimer);
              clearTimeout(killTimer);
              onResult = undefined;
              if (message.type === 'result') resolve({ ...(message.result as GuestResult), wallMs: performance.now() - started });
              else if (message.type === 'failed') reject(new Error(message.message));
            };
            pendingRecycles++;
            worker.postMessage({ type: 'run', job } satisfies ToHarness);
          }),
      );
      chain = result.catch(() => undefined);
      return result;
    },
    recycled() {
      if (pendingRecycles === 0 || dead) return Promise.resolve(lastRecycleMs);
      return new Promise((resolve) => recycleWaiters.push(resolve));
    },
    describe() {
      return new Promise((resolve) => {
        onDescribed = resolve;
        worker.postMessage({ type: 'describe' } satisfies ToHarness);
      });
    },
    async close() {
      if (!dead) await worker.terminate();
    },
  };
  return harness;
}
