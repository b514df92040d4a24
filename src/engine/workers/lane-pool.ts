/**
 * A pool of worker slots for one lane: `size` workers always, up to `maxSize` while every worker is busy.
 * A guest that sleeps or waits on the network holds its worker without using a core, so a fixed pool
 * lets four sleepers starve everyone else (head-of-line); extra workers take the queued jobs instead,
 * and retire after IDLE_RETIRE_MS without work. Replaces dead workers (with backoff when they fail to
 * start) and reports availability: a lane whose workers keep failing to start is marked unavailable
 * with the reason, instead of respawning forever.
 */
import type { LaneName } from '../../contract/response.js';
import type { GuestJob, GuestResult } from '../../lanes/lane.js';
import type { LaneReadiness } from '../types.js';
import type { LaneExecutor } from '../scheduler.js';
import { WorkerSlot, type SlotConfig, type SlotHooks } from './worker-slot.js';

const MAX_INIT_FAILURES = 3;
/** An extra worker (above `size`) idle this long is terminated. */
const IDLE_RETIRE_MS = 30_000;

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
    private readonly maxSize = size,
  ) {
    if (maxSize > size) this.retireTimer = setInterval(() => this.retireIdle(), IDLE_RETIRE_MS / 3).unref();
  }

  private readonly lastBusy = new Map<WorkerSlot, number>();
  private retireTimer: NodeJS.Timeout | undefined;

  /** Past `size`, workers that found no job for IDLE_RETIRE_MS go. */
  private retireIdle(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      if (this.slots.size <= this.size) return;
      if (slot.state === 'idle' && now - (this.lastBusy.get(slot) ?? now) > IDLE_RETIRE_MS) {
        this.slots.delete(slot);
        this.lastBusy.delete(slot);
        void slot.terminate();
      }
    }
  }

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
  tryAcquire(waiting = 1): WorkerSlot | undefined {
    if (this.slots.size === 0) this.start();
    const slot = this.idleSlot();
    if (!slot) this.grow(waiting);
    return slot;
  }

  run(slot: unknown, job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    const worker = slot as WorkerSlot;
    const result = worker.run(job, signal).finally(() => this.lastBusy.set(worker, performance.now()));
    // The last free worker just went: start a spare now, so the next job does not wait for a boot.
    if (!this.idleSlot()) this.grow();
    return result;
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
    clearInterval(this.retireTimer);
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

  /** Every worker is busy and `wanted` jobs wait: start workers for them, within maxSize. */
  private grow(wanted = 1): void {
    if (this.closed || this.unavailableReason) return;
    let starting = 0;
    for (const slot of this.slots) if (slot.state === 'starting') starting++;
    while (starting < wanted && this.slots.size < this.maxSize) {
      this.spawn();
      starting++;
    }
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
        if (!this.slots.delete(dead)) return; // retired
        this.lastBusy.delete(dead);
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
