/**
 * A fixed-size pool of worker slots for one lane. Replaces dead workers (with backoff when they fail to
 * start) and reports availability: a lane whose workers keep failing to start is marked unavailable with
 * the reason, instead of respawning forever.
 */
import type { LaneName } from '../../contract/response.js';
import type { GuestJob, GuestResult } from '../../lanes/lane.js';
import type { LaneReadiness } from '../types.js';
import type { LaneExecutor } from '../scheduler.js';
import { WorkerSlot, type SlotConfig, type SlotHooks } from './worker-slot.js';

const MAX_INIT_FAILURES = 3;

export interface LanePoolHooks extends Omit<SlotHooks, 'onReady' | 'onExit'> {
  onRestart(lane: LaneName, reason: string): void;
}

export class LanePool implements LaneExecutor {
  private readonly slots = new Set<WorkerSlot>();
  private readonly waiters: (() => void)[] = [];
  private availableListener: () => void = () => {};
  private initFailures = 0;
  private unavailableReason: string | undefined;
  private closed = false;

  constructor(
    readonly lane: LaneName,
    private readonly size: number,
    private readonly config: SlotConfig,
    private readonly hooks: LanePoolHooks,
  ) {}

  start(): void {
    while (this.slots.size < this.size && !this.closed && !this.unavailableReason) this.spawn();
  }

  /** Resolves when at least one worker is ready, or the lane turned out unavailable. */
  whenReady(): Promise<void> {
    if (this.idleSlot() || this.unavailableReason) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  onAvailable(listener: () => void): void {
    this.availableListener = listener;
  }

  get unavailable(): string | undefined {
    return this.unavailableReason;
  }

  /** An idle slot; the caller must call run() with it before yielding to the event loop. */
  tryAcquire(): WorkerSlot | undefined {
    if (this.slots.size === 0) this.start();
    return this.idleSlot();
  }

  run(slot: unknown, job: GuestJob): Promise<GuestResult> {
    return (slot as WorkerSlot).run(job);
  }

  readiness(): LaneReadiness {
    let ready = 0;
    let busy = 0;
    let starting = 0;
    let details: Record<string, unknown> | undefined;
    for (const slot of this.slots) {
      if (slot.state === 'idle' || slot.state === 'recycling') ready++;
      else if (slot.state === 'busy') busy++;
      else if (slot.state === 'starting') starting++;
      details ??= slot.state !== 'starting' ? slot.details : undefined;
    }
    return {
      available: this.unavailableReason === undefined,
      ...(this.unavailableReason ? { reason: this.unavailableReason } : {}),
      workers: { ready, busy, starting },
      ...(details ? { details } : {}),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots].map((slot) => slot.terminate()));
    this.slots.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Prefer a worker that has finished resetting; one still recycling is the fallback. */
  private idleSlot(): WorkerSlot | undefined {
    let fallback: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (slot.state === 'idle') return slot;
      if (slot.state === 'recycling') fallback ??= slot;
    }
    return fallback;
  }

  private spawn(): void {
    const slot = new WorkerSlot(this.config, {
      fetch: this.hooks.fetch,
      log: this.hooks.log,
      onReady: () => {
        this.initFailures = 0;
        for (const waiter of this.waiters.splice(0)) waiter();
        this.availableListener();
      },
      onExit: (dead, reason, duringInit) => {
        this.slots.delete(dead);
        if (this.closed) return;
        if (duringInit) {
          this.initFailures++;
          if (this.initFailures >= MAX_INIT_FAILURES) {
            this.unavailableReason = `workers failed to start ${this.initFailures} times: ${reason}`;
            for (const waiter of this.waiters.splice(0)) waiter();
            this.availableListener();
            return;
          }
        } else {
          this.hooks.onRestart(this.lane, reason);
        }
        const delay = duringInit ? 200 * 2 ** this.initFailures : 0;
        setTimeout(() => {
          if (!this.closed && this.slots.size < this.size) this.spawn();
        }, delay).unref();
      },
    });
    this.slots.add(slot);
  }
}
