/**
 * One Web Worker running a lane's driver, seen from the engine: run a job, stop it at its deadline.
 * Where the page is cross-origin isolated the slot shares an interrupt word (a shared one-page
 * WebAssembly.Memory, as the Node engine's worker slots do) that the driver reads, so a deadline or a
 * cancel stops the guest in place; QuickJS's driver also checks the deadline itself. If the worker has not answered `graceMs` after the deadline (or a cancel), it is
 * terminated and replaced, and only its own job fails. Portable: Web APIs only.
 */
import { asCancelled, cancelledFailure, timeoutFailure } from '../lanes/failures.js';
import type { GuestJob, GuestResult } from '../lanes/lane.js';
import { resultWithoutRun } from '../engine/envelope.js';
import type { FromWorker, LaneInit, ToWorker } from './protocol.js';

export interface SlotConfig {
  workerUrl: URL | string;
  init: LaneInit;
  graceMs: number;
}

interface Running {
  job: GuestJob;
  resolve(result: GuestResult): void;
  timers: ReturnType<typeof setTimeout>[];
  cancelled: boolean;
}

export class WebWorkerSlot {
  private worker: Worker | undefined;
  private interrupt: Int32Array | undefined;
  private running: Running | undefined;
  private starting: Promise<void> | undefined;
  /** Why the last start failed; the lane reports it as unavailable. */
  failure: string | undefined;

  constructor(private readonly config: SlotConfig) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts (or restarts) the worker; resolves when the driver is ready, rejects if it cannot start. */
  start(): Promise<void> {
    this.starting ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(this.config.workerUrl, { type: 'module', name: `isola-${this.config.init.lane}` });
      const shared = globalThis.crossOriginIsolated === true ? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) : undefined;
      this.interrupt = shared ? new Int32Array(shared.buffer) : undefined;
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.type === 'ready') {
          this.failure = undefined;
          resolve();
        } else if (message.type === 'init-failed') {
          this.failure = message.message;
          reject(new Error(message.message));
        } else this.settle(message);
      };
      worker.onerror = (event) => {
        event.preventDefault?.();
        const message = event.message || 'the worker failed';
        if (this.running) this.fail(`its worker crashed: ${message}`);
        else {
          this.failure = message;
          reject(new Error(message));
        }
      };
      this.worker = worker;
      const init: ToWorker = { type: 'init', init: this.config.init, ...(shared ? { interruptMemory: shared } : {}) };
      worker.postMessage(init);
    });
    return this.starting;
  }

  run(job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    return new Promise<GuestResult>((resolve) => {
      const untilDeadline = Math.max(0, job.deadline - Date.now());
      const timers = [
        setTimeout(() => this.raise(), untilDeadline),
        setTimeout(() => this.kill(job), untilDeadline + this.config.graceMs),
      ];
      this.running = { job, resolve, timers, cancelled: false };
      if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
      signal?.addEventListener('abort', () => this.cancel(job), { once: true });
      if (signal?.aborted) this.cancel(job);
      const message: ToWorker = { type: 'run', job };
      this.worker?.postMessage(message);
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.starting = undefined;
  }

  private raise(): void {
    if (!this.interrupt) return;
    Atomics.store(this.interrupt, 0, 2);
    // Wakes a guest blocked in Atomics.wait on the flag (Python's time.sleep).
    Atomics.notify(this.interrupt, 0);
  }

  private cancel(job: GuestJob): void {
    const running = this.running;
    if (running?.job !== job || running.cancelled) return;
    running.cancelled = true;
    this.raise();
    // Without a shared interrupt word the guest cannot be told: stop the worker at once.
    running.timers.push(setTimeout(() => this.kill(job), this.interrupt ? this.config.graceMs : 0));
  }

  private settle(message: Extract<FromWorker, { jobId: string }>): void {
    const running = this.running;
    if (!running || running.job.id !== message.jobId) return;
    if (message.type === 'crashed') {
      this.fail(`its worker failed: ${message.message}`);
      return;
    }
    this.finish(running.cancelled ? asCancelled(message.result) : message.result);
  }

  private kill(job: GuestJob): void {
    const running = this.running;
    if (running?.job !== job) return;
    const { exitCode, failure } = running.cancelled ? cancelledFailure('its worker was stopped') : timeoutFailure(job.timeoutMs, 'its worker was stopped');
    this.terminate();
    this.finish(resultWithoutRun(job.mode === 'main' ? 'main' : 'script', failure, exitCode));
    void this.start().catch(() => {});
  }

  private fail(why: string): void {
    const job = this.running?.job;
    if (!job) return;
    this.terminate();
    this.finish(resultWithoutRun(job.mode === 'main' ? 'main' : 'script', { type: 'internal', message: `the execution was lost: ${why}` }, 1));
    void this.start().catch(() => {});
  }

  private finish(result: GuestResult): void {
    const running = this.running;
    if (!running) return;
    for (const timer of running.timers) clearTimeout(timer);
    this.running = undefined;
    running.resolve(result);
  }
}
