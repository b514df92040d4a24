/**
 * Bounded FIFO queues in front of the lanes. An execution waits here until its lane has a free worker;
 * when all lanes' queues together hold `maxQueue` executions, new ones are refused (`overloaded`) rather
 * than left to time out. The deadline starts when a worker takes the job, not while it queues. Portable.
 */
import { IsolaError } from '../contract/errors.js';
import type { LaneName } from '../contract/response.js';
import type { GuestJob, GuestResult } from '../lanes/lane.js';
import { cancelledFailure } from '../lanes/failures.js';
import { resultWithoutRun } from './envelope.js';

export interface LaneExecutor {
  /**
   * A free worker, or undefined. The scheduler calls run() with it synchronously. `waiting` is how
   * many jobs of the lane wait (this one included): an elastic pool may start that many workers.
   */
  tryAcquire(waiting: number, affinity?: string): unknown;
  /**
   * Run the job; aborting `signal` stops it like its deadline would, and it ends as `cancelled`.
   * `affinity`: what the worker keeps for jobs like this one (LaneDescriptor.affinity).
   */
  run(slot: unknown, job: GuestJob, signal?: AbortSignal, affinity?: string, onItem?: ItemListener): Promise<GuestResult>;
  /** Whether run() takes GuestJob.chunk (reporting each item to `onItem`); otherwise a batch goes item by item. */
  readonly runsChunks?: boolean;
  /** Called whenever a worker frees up or the lane's availability changes. */
  onAvailable(listener: () => void): void;
  readonly unavailable: string | undefined;
}

/** Told each item's result of a chunk job as it is done. */
export type ItemListener = (at: number, result: GuestResult) => void;

export interface Dispatched {
  result: GuestResult;
  queueMs: number;
}

interface Pending {
  makeJob: () => GuestJob;
  /** What a worker that already ran such a job keeps for it (LaneDescriptor.affinity). */
  affinity: string | undefined;
  enqueuedAt: number;
  resolve: (dispatched: Dispatched) => void;
  signal: AbortSignal | undefined;
  /** Removes the queued-abort listener once the job leaves the queue. */
  settle: () => void;
  /** Told when a worker takes the job. */
  onStart: (() => void) | undefined;
  onItem: ItemListener | undefined;
}

export class Scheduler {
  private readonly executors = new Map<LaneName, LaneExecutor>();
  private readonly queues = new Map<LaneName, Pending[]>();
  private queued = 0;
  private running = 0;

  constructor(
    private readonly maxQueue: number,
    private readonly onDepth: (depth: number) => void = () => {},
  ) {}

  register(lane: LaneName, executor: LaneExecutor): void {
    this.executors.set(lane, executor);
    this.queues.set(lane, []);
    executor.onAvailable(() => this.pump(lane));
  }

  /** Whether the lane's executor runs chunk jobs (several batch items per dispatch). */
  runsChunks(lane: LaneName): boolean {
    return this.executors.get(lane)?.runsChunks === true;
  }

  get depth(): number {
    return this.queued;
  }

  get inFlight(): number {
    return this.running + this.queued;
  }

  get capacity(): number {
    return this.maxQueue;
  }

  /**
   * Queue a job for `lane`. `makeJob` runs at dispatch time, so the deadline counts from there. Aborting
   * `signal` takes a queued job out of the queue, or stops a running one; either way it resolves, as
   * `cancelled`, never lost.
   */
  submit(lane: LaneName, makeJob: () => GuestJob, signal?: AbortSignal, affinity?: string, onStart?: () => void, onItem?: ItemListener): Promise<Dispatched> {
    const queue = this.queues.get(lane);
    if (!queue) throw new IsolaError('unsupported', `lane ${lane} is not enabled on this engine`);
    if (this.queued >= this.maxQueue) {
      throw new IsolaError('overloaded', `the execution queue is full (${this.maxQueue} waiting); retry later`, { retryAfterS: 1 });
    }
    const enqueuedAt = performance.now();
    const cancelled = (how: string): Dispatched => {
      const job = makeJob();
      const { exitCode, failure } = cancelledFailure(how);
      return { result: resultWithoutRun(job.mode === 'main' ? 'main' : 'script', failure, exitCode), queueMs: performance.now() - enqueuedAt };
    };
    if (signal?.aborted) return Promise.resolve(cancelled('before it started'));
    return new Promise((resolve) => {
      const onAbort = () => {
        const at = queue.indexOf(pending);
        if (at < 0) return; // dispatched: the executor stops it
        queue.splice(at, 1);
        this.queued--;
        this.onDepth(this.queued);
        resolve(cancelled('while it waited for a worker'));
      };
      const pending: Pending = { makeJob, affinity, enqueuedAt, resolve, signal, settle: () => signal?.removeEventListener('abort', onAbort), onStart, onItem };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(pending);
      this.queued++;
      this.onDepth(this.queued);
      this.pump(lane);
    });
  }

  private pump(lane: LaneName): void {
    const executor = this.executors.get(lane);
    const queue = this.queues.get(lane);
    if (!executor || !queue) return;
    while (queue.length > 0) {
      const reason = executor.unavailable;
      if (reason !== undefined) {
        for (const pending of queue.splice(0)) {
          this.queued--;
          pending.settle();
          const job = pending.makeJob();
          pending.resolve({ result: resultWithoutRun(job.mode === 'main' ? 'main' : 'script', { type: 'internal', message: `the ${lane} lane is unavailable: ${reason}` }, 1), queueMs: performance.now() - pending.enqueuedAt });
        }
        this.onDepth(this.queued);
        return;
      }
      const slot = executor.tryAcquire(queue.length, queue[0]!.affinity);
      if (slot === undefined) return;
      const pending = queue.shift()!;
      pending.settle();
      this.queued--;
      this.running++;
      this.onDepth(this.queued);
      const queueMs = performance.now() - pending.enqueuedAt;
      try {
        pending.onStart?.();
      } catch {
        // An observer's bug must not lose the job.
      }
      void executor.run(slot, pending.makeJob(), pending.signal, pending.affinity, pending.onItem).then((result) => {
        this.running--;
        pending.resolve({ result, queueMs });
      });
    }
  }
}
