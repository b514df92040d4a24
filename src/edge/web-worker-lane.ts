/**
 * The edge engine's QuickJS lane: a fixed set of Web Worker slots behind the portable Scheduler, which
 * sees it as any LaneExecutor. Portable: Web APIs only.
 */
import type { LaneExecutor } from '../engine/scheduler.js';
import type { GuestJob, GuestResult } from '../lanes/lane.js';
import { type SlotConfig, WebWorkerSlot } from './web-worker-slot.js';

export class WebWorkerLane implements LaneExecutor {
  private readonly slots: WebWorkerSlot[];
  private readonly ready = new Set<WebWorkerSlot>();
  private readonly listeners: (() => void)[] = [];

  constructor(config: SlotConfig, workers: number) {
    this.slots = Array.from({ length: workers }, () => new WebWorkerSlot(config));
  }

  /** Starts every worker; resolves once at least one can run code (the rest keep starting). */
  async start(): Promise<void> {
    const started = this.slots.map((slot) =>
      slot.start().then(() => {
        this.ready.add(slot);
        this.notify();
      }),
    );
    await Promise.any(started).catch(() => {
      throw new Error(`no QuickJS worker could start: ${this.unavailable ?? 'unknown reason'}`);
    });
  }

  get unavailable(): string | undefined {
    if (this.ready.size > 0) return undefined;
    return this.slots.find((slot) => slot.failure !== undefined)?.failure ?? 'the QuickJS workers are starting';
  }

  tryAcquire(): unknown {
    return this.slots.find((slot) => this.ready.has(slot) && !slot.busy);
  }

  async run(slot: unknown, job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    const worker = slot as WebWorkerSlot;
    try {
      return await worker.run(job, signal);
    } finally {
      // A replaced worker is ready again once its new driver is up; the next job waits for that.
      await worker.start().catch(() => this.ready.delete(worker));
      this.notify();
    }
  }

  onAvailable(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    for (const slot of this.slots) slot.terminate();
    this.ready.clear();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
