/**
 * One lane worker thread and the job it is running. It owns the deadline watchdog: at the deadline it
 * raises the interrupt flag (the interpreter stops itself); if the worker has not answered `graceMs`
 * later, it is terminated — the guest may be stuck in C code or swallowing interrupts — and the job
 * ends as a timeout. A worker that dies for any reason fails only its own job. A cancelled job (the
 * caller's AbortSignal) is stopped the same way, through the same flag and grace, and ends as `cancelled`.
 */
import { asCancelled, cancelledFailure, memoryFailure, timeoutFailure } from '../../lanes/failures.js';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { LaneName } from '../../contract/response.js';
import { INTERRUPT_BLOCKED_WORD, type EgressRequest, type EgressResponse, type GuestJob, type GuestResult } from '../../lanes/lane.js';
import { resultWithoutRun } from '../envelope.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

export interface SlotHooks {
  fetch(jobId: string, request: EgressRequest): Promise<EgressResponse>;
  /** A chunk of the running job's output (only for jobs with streamOutput). */
  output?(jobId: string, stream: 'stdout' | 'stderr', text: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
  onReady(slot: WorkerSlot): void;
  onExit(slot: WorkerSlot, reason: string, duringInit: boolean): void;
}

export interface SlotConfig {
  lane: LaneName;
  entry: URL;
  runtimesDir: string;
  storeDir: string;
  options: Record<string, unknown>;
  /** Compiled modules shared by the lane's workers, filled by the first worker that compiles each. */
  shared: Map<string, WebAssembly.Module | SharedArrayBuffer>;
  graceMs: number;
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
}

interface Running {
  job: GuestJob;
  resolve: (result: GuestResult) => void;
  timers: ReturnType<typeof setTimeout>[];
  /** Set when the caller aborted: whatever the worker answers is then a cancellation. */
  cancelled: boolean;
  /** Stops listening to the caller's signal. */
  unlisten: () => void;
  /** A chunk job's items, each as it is done. */
  onItem: ((at: number, result: GuestResult) => void) | undefined;
}

export class WorkerSlot {
  /**
   * `recycling`: answered its last job and is resetting; it can take a job, which then waits a little.
   * `preparing`: a long recycle (an image being built); it takes no job until it is done.
   */
  state: 'starting' | 'idle' | 'recycling' | 'preparing' | 'busy' | 'dead' = 'starting';
  details: Record<string, unknown> = {};
  private readonly worker: Worker;
  // A Wasm memory rather than a bare SharedArrayBuffer, so a guest module can import it (see lane.ts).
  private readonly interruptMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  private readonly interrupt = new Int32Array(this.interruptMemory.buffer);
  private readonly syncFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private running: Running | undefined;

  constructor(private readonly config: SlotConfig, private readonly hooks: SlotHooks) {
    const channel = new MessageChannel();
    this.syncPort = channel.port2;
    const init: WorkerInit & { syncPort: MessagePort } = {
      lane: config.lane,
      runtimesDir: config.runtimesDir,
      storeDir: config.storeDir,
      interrupt: this.interruptMemory,
      syncFlag: this.syncFlag.buffer as SharedArrayBuffer,
      options: config.options,
      shared: Object.fromEntries(config.shared),
      syncPort: channel.port1,
    };
    this.worker = new Worker(config.entry, {
      workerData: init,
      transferList: [channel.port1],
      // The worker gets its own empty environment: the service's secrets never enter guest-reachable code.
      env: {},
      // Nor the host's flags (e.g. --input-type, loaders): workers run the compiled JavaScript as is.
      execArgv: [],
      ...(config.resourceLimits ? { resourceLimits: config.resourceLimits } : {}),
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.die(`worker error: ${error.message}`));
    this.worker.on('exit', (code) => this.die(`worker exited with code ${code}`));
  }

  /** Running a job whose guest waits without using a core (it sleeps, or waits on a fetch). */
  get blocked(): boolean {
    return this.state === 'busy' && Atomics.load(this.interrupt, INTERRUPT_BLOCKED_WORD) > 0;
  }

  /** Run one job; always resolves (a dead or stuck worker yields a failure result). */
  run(job: GuestJob, signal?: AbortSignal, onItem?: (at: number, result: GuestResult) => void): Promise<GuestResult> {
    if (this.state !== 'idle' && this.state !== 'recycling') throw new Error(`slot is ${this.state}, not idle`);
    this.state = 'busy';
    Atomics.store(this.interrupt, 0, 0);
    return new Promise((resolve) => {
      const untilDeadline = Math.max(0, job.deadline - Date.now());
      const timers = [
        setTimeout(() => this.raiseInterrupt(), untilDeadline),
        setTimeout(() => this.kill(job), untilDeadline + this.config.graceMs),
      ];
      const onAbort = () => this.cancel(job);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.running = { job, resolve, timers, cancelled: false, unlisten: () => signal?.removeEventListener('abort', onAbort), onItem };
      this.worker.postMessage({ type: 'run', job } satisfies ToWorker);
      if (signal?.aborted) this.cancel(job);
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  private raiseInterrupt(): void {
    Atomics.store(this.interrupt, 0, 2);
    // Wakes a guest blocked in Atomics.wait on the flag (Pyodide's interruptible time.sleep).
    Atomics.notify(this.interrupt, 0);
  }

  /** The caller gave up: interrupt the guest now, as at its deadline, with the same grace before a kill. */
  private cancel(job: GuestJob): void {
    const running = this.running;
    if (running?.job !== job || running.cancelled) return;
    running.cancelled = true;
    this.raiseInterrupt();
    // A driver resets the flag when it starts a job: raise it again in case the cancel came first.
    running.timers.push(setTimeout(() => this.running?.job === job && this.raiseInterrupt(), 20));
    running.timers.push(setTimeout(() => this.kill(job), this.config.graceMs));
  }

  /** Stop the worker; a job still running ends as an internal failure rather than never answering. */
  async terminate(): Promise<void> {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.syncPort.close();
    if (this.running) {
      const job = this.running.job;
      this.finish(resultWithoutRun(modeOf(job), { type: 'internal', message: 'the engine shut down before the execution finished' }, 1));
    }
    await this.worker.terminate();
  }

  private finish(result: GuestResult): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    for (const timer of running.timers) clearTimeout(timer);
    running.unlisten();
    running.resolve(running.cancelled ? asCancelled(result) : result);
  }

  private kill(job: GuestJob): void {
    if (this.running?.job !== job) return;
    const { exitCode, failure } = this.running.cancelled ? cancelledFailure('its worker was stopped') : timeoutFailure(job.timeoutMs, 'its worker was stopped');
    this.finish(resultWithoutRun(modeOf(job), failure, exitCode));
    this.die('deadline passed without an answer; worker terminated');
    void this.worker.terminate();
  }

  private die(reason: string): void {
    if (this.state === 'dead') return;
    const duringInit = this.state === 'starting';
    this.state = 'dead';
    this.syncPort.close();
    if (this.running) {
      const job = this.running.job;
      const oom = /ERR_WORKER_OUT_OF_MEMORY|out of memory/i.test(reason);
      const outOfMemory = memoryFailure(job.memoryBytes, undefined, 'its worker was replaced');
      this.finish(oom ? resultWithoutRun(modeOf(job), outOfMemory.failure, outOfMemory.exitCode) : resultWithoutRun(modeOf(job), { type: 'internal', message: `the sandbox worker failed (${reason}); it was replaced` }, 1));
    }
    this.hooks.onExit(this, reason, duringInit);
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.details = message.details;
        this.state = 'idle';
        this.hooks.onReady(this);
        return;
      case 'share':
        this.config.shared.set(message.key, message.value);
        return;
      case 'init-error':
        this.hooks.log('error', `${this.config.lane} worker failed to start: ${message.message}`);
        this.die(`init failed: ${message.message}`);
        return;
      case 'item-result': {
        const running = this.running;
        if (running?.job.id !== message.jobId) return;
        try {
          running.onItem?.(message.at, running.cancelled && message.result.failure ? asCancelled(message.result) : message.result);
        } catch (error) {
          this.hooks.log('error', 'a chunk item observer threw', { lane: this.config.lane, error: String(error) });
        }
        return;
      }
      case 'result':
      case 'failed': {
        if (this.running?.job.id !== message.jobId) return;
        const job = this.running.job;
        if (message.type === 'failed') this.hooks.log('error', 'driver threw', { lane: this.config.lane, error: message.message });
        this.finish(message.type === 'result' ? message.result : resultWithoutRun(modeOf(job), { type: 'internal', message: 'the lane driver failed; see the service log' }, 1));
        this.state = message.type === 'result' && message.preparing ? 'preparing' : 'recycling';
        this.hooks.onReady(this);
        return;
      }
      case 'recycled':
        this.details = message.details;
        if (this.state === 'recycling' || this.state === 'preparing') {
          this.state = 'idle';
          this.hooks.onReady(this);
        }
        return;
      case 'fetch':
        void this.hooks.fetch(message.jobId, message.request).then((response) => {
          if (this.state === 'dead') return;
          if (message.sync) {
            this.syncPort.postMessage({ response });
            Atomics.store(this.syncFlag, 0, 1);
            Atomics.notify(this.syncFlag, 0);
          } else {
            this.worker.postMessage({ type: 'fetch-result', callId: message.callId, response } satisfies ToWorker);
          }
        });
        return;
      case 'output':
        // Only the job this slot runs: a late chunk of a job already answered goes nowhere.
        if (this.running?.job.id === message.jobId) this.hooks.output?.(message.jobId, message.stream, message.text);
        return;
      case 'log':
        this.hooks.log(message.level, message.message, { lane: this.config.lane, ...message.data });
        return;
    }
  }
}

function modeOf(job: GuestJob): 'script' | 'main' {
  return job.mode === 'main' ? 'main' : 'script';
}
