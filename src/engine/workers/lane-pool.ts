/**
 * A pool of worker slots for one lane: `size` workers always, up to `maxSize` while some are blocked.
 * A guest that sleeps or waits on the network holds its worker without using a core, so a fixed pool
 * lets four sleepers starve everyone else (head-of-line); extra workers take the queued jobs instead,
 * one per blocked worker, and retire after IDLE_RETIRE_MS without work. Busy workers that compute do
 * not make the pool grow: more threads than cores would only slow every job down and cost memory. Replaces dead workers (with backoff when they fail to
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
/** While jobs wait and no worker is free, how often to look again for workers that went blocked. */
const BLOCKED_RECHECK_MS = 25;
/** Affinity keys remembered per worker (the CPython driver keeps 16 environments). */
const KEPT_PER_WORKER = 16;

export interface LanePoolHooks extends Omit<SlotHooks, 'onReady' | 'onExit'> {
  onRestart(lane: LaneName, reason: string): void;
  /** A job with an affinity key went to a worker that had run one like it (hit) or not (miss). */
  onAffinity?(lane: LaneName, hit: boolean): void;
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
  /** Affinity keys of the jobs each worker ran, most recent last. */
  private readonly kept = new Map<WorkerSlot, Set<string>>();
  private retireTimer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;

  /** Past `size`, workers that found no job for IDLE_RETIRE_MS go. */
  private retireIdle(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      if (this.slots.size <= this.size) return;
      if (slot.state === 'idle' && now - (this.lastBusy.get(slot) ?? now) > IDLE_RETIRE_MS) {
        this.slots.delete(slot);
        this.lastBusy.delete(slot);
        this.kept.delete(slot);
        void slot.terminate();
      }
    }
  }

  /**
   * Starts one worker, and the others once one is ready: a worker that starts after it reuses what it
   * compiled and read (a shared Module, shared bytes) instead of paying for its own copy.
   */
  start(): void {
    if (this.closed || this.unavailableReason) return;
    if (this.slots.size === 0) return void this.spawn();
    if (![...this.slots].some((slot) => slot.state !== 'starting' && slot.state !== 'dead')) return;
    while (this.slots.size < this.size) this.spawn();
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
  tryAcquire(waiting = 1, affinity?: string): WorkerSlot | undefined {
    if (this.slots.size === 0) this.start();
    const slot = this.idleSlot(affinity);
    if (!slot) this.grow(waiting);
    else if (affinity !== undefined) this.hooks.onAffinity?.(this.lane, this.kept.get(slot)?.has(affinity) === true);
    return slot;
  }

  /** Worker threads take a batch's items in chunks (GuestJob.chunk): one round trip for several items. */
  readonly runsChunks = true;

  run(slot: unknown, job: GuestJob, signal?: AbortSignal, affinity?: string, onItem?: (at: number, result: GuestResult) => void): Promise<GuestResult> {
    const worker = slot as WorkerSlot;
    return worker.run(job, signal, onItem).finally(() => {
      this.lastBusy.set(worker, performance.now());
      if (affinity !== undefined) this.remember(worker, affinity);
    });
  }

  private remember(worker: WorkerSlot, affinity: string): void {
    if (worker.state === 'dead') return;
    const keys = this.kept.get(worker) ?? new Set<string>();
    keys.delete(affinity);
    keys.add(affinity);
    if (keys.size > KEPT_PER_WORKER) keys.delete(keys.values().next().value as string);
    this.kept.set(worker, keys);
  }

  readiness(): LaneReadiness {
    let ready = 0;
    let busy = 0;
    let starting = 0;
    let details: Record<string, unknown> | undefined;
    for (const slot of this.slots) {
      if (slot.state === 'idle' || slot.state === 'recycling') ready++;
      else if (slot.state === 'busy' || slot.state === 'preparing') busy++;
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

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.retireTimer);
    clearTimeout(this.recheck);
    await Promise.all([...this.slots].map((slot) => slot.terminate()));
    this.slots.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /**
   * A free worker. One that kept what `affinity` names (its prepared environment, its scientific
   * image) first, even if it is still resetting (a reset is ~0.1 ms, preparing again ~200 ms); then one
   * that has finished resetting before one still recycling.
   */
  private idleSlot(affinity?: string): WorkerSlot | undefined {
    let idle: WorkerSlot | undefined;
    let recyclingKept: WorkerSlot | undefined;
    let recycling: WorkerSlot | undefined;
    for (const slot of this.slots) {
      const kept = affinity !== undefined && this.kept.get(slot)?.has(affinity) === true;
      if (slot.state === 'idle') {
        if (kept || affinity === undefined) return slot;
        idle ??= slot;
      } else if (slot.state === 'recycling') {
        if (kept) recyclingKept ??= slot;
        else recycling ??= slot;
      }
    }
    return recyclingKept ?? idle ?? recycling;
  }

  /**
   * No worker is free and `waiting` jobs wait: start one worker per blocked worker (up to maxSize), so
   * `size` workers can still use the cores; then look again soon, since a worker may block later.
   */
  private grow(waiting: number): void {
    if (this.closed || this.unavailableReason || this.slots.size >= this.maxSize) return;
    // Below the base size, workers start the way start() starts them (one first, then the others).
    if (this.slots.size < this.size) return this.start();
    let starting = 0;
    let blocked = 0;
    for (const slot of this.slots) {
      if (slot.state === 'starting') starting++;
      else if (slot.blocked) blocked++;
    }
    const target = Math.min(this.maxSize, this.size + blocked);
    while (this.slots.size < target && starting < waiting) {
      this.spawn();
      starting++;
    }
    if (this.slots.size < this.maxSize && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        if (!this.closed) this.availableListener();
      }, BLOCKED_RECHECK_MS).unref();
    }
  }

  private spawn(): void {
    const slot = new WorkerSlot(this.config, {
      fetch: this.hooks.fetch,
      ...(this.hooks.output ? { output: this.hooks.output } : {}),
      log: this.hooks.log,
      onReady: () => {
        this.initFailures = 0;
        if (this.slots.size < this.size) this.start();
        for (const waiter of this.waiters.splice(0)) waiter();
        this.availableListener();
      },
      onExit: (dead, reason, duringInit) => {
        this.kept.delete(dead);
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
