/**
 * Runs a lane's driver in the engine's own thread, up to `concurrency` jobs at once. For lanes whose
 * isolation is a subprocess (native: bubblewrap), where a worker thread would add nothing but a hop.
 * The driver enforces the deadline itself (it kills the process group); a driver that throws fails only
 * its own job.
 */
import type { LaneName } from '../contract/response.js';
import type { GuestJob, GuestResult, LaneDriver } from '../lanes/lane.js';
import { asCancelled } from '../lanes/failures.js';
import { resultWithoutRun } from './envelope.js';
import type { LaneExecutor } from './scheduler.js';
import type { LaneReadiness } from './types.js';

export class InlineExecutor implements LaneExecutor {
  private running = 0;
  private listener: () => void = () => {};
  private driver: LaneDriver | undefined;
  private failure: string | undefined;
  private starting: Promise<unknown> | undefined;

  constructor(
    readonly lane: LaneName,
    private readonly concurrency: number,
    private readonly createDriver: () => Promise<LaneDriver>,
    private readonly log: (message: string, data: Record<string, unknown>) => void,
  ) {}

  /** Create the driver (once); called at engine start when prewarming, else by the first job. */
  start(): void {
    this.starting ??= this.createDriver().then(
      (driver) => {
        this.driver = driver;
        this.listener();
      },
      (error: unknown) => {
        this.failure = error instanceof Error ? error.message : String(error);
        this.listener();
      },
    );
  }

  whenReady(): Promise<void> {
    this.start();
    return this.starting!.then(() => undefined);
  }

  get unavailable(): string | undefined {
    if (this.failure) return this.failure;
    const details = this.driver?.describe();
    return details && details['available'] === false ? String(details['reason'] ?? 'unavailable') : undefined;
  }

  onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  tryAcquire(): unknown {
    this.start();
    return this.driver && this.running < this.concurrency ? this.driver : undefined;
  }

  async run(slot: unknown, job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    const driver = slot as LaneDriver;
    this.running++;
    // The driver stops the run as at its deadline; what it then reports is a cancellation.
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await driver.run(job, signal);
      return cancelled ? asCancelled(result) : result;
    } catch (error) {
      this.log('lane driver threw', { lane: this.lane, error: error instanceof Error ? error.stack : String(error) });
      return resultWithoutRun(job.mode === 'main' ? 'main' : 'script', { type: 'internal', message: 'the lane driver failed; see the service log' }, 1);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running--;
      this.listener();
    }
  }

  readiness(): LaneReadiness {
    const unavailable = this.unavailable;
    return {
      available: unavailable === undefined && this.failure === undefined,
      ...(unavailable ? { reason: unavailable } : {}),
      workers: { ready: this.driver ? this.concurrency - this.running : 0, busy: this.running, starting: this.starting && !this.driver && !this.failure ? 1 : 0 },
      ...(this.driver ? { details: this.driver.describe() } : {}),
    };
  }

  async close(): Promise<void> {
    await this.driver?.dispose();
  }
}
