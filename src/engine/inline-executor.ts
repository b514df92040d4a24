/**
 * Runs a lane's driver in the engine's own thread, up to `concurrency` jobs at once. For lanes whose
 * isolation is a subprocess (native: bubblewrap), where a worker thread would add nothing but a hop.
 * The driver enforces the deadline itself (it kills the process group); a driver that throws fails only
 * its own job.
 */
import type { LaneName } from '../contract/response.js';
import type { GuestJob, GuestResult, LaneDriver } from '../lanes/lane.js';
import { resultWithoutRun } from './envelope.js';
import type { LaneExecutor } from './scheduler.js';
import type { LaneReadiness } from './types.js';

export class InlineExecutor implements LaneExecutor {
  private running = 0;
  private listener: () => void = () => {};
  private driver: LaneDriver | undefined;
  private failure: string | undefined;

  constructor(
    readonly lane: LaneName,
    private readonly concurrency: number,
    starting: Promise<LaneDriver>,
    private readonly log: (message: string, data: Record<string, unknown>) => void,
  ) {
    starting.then(
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

  get unavailable(): string | undefined {
    if (this.failure) return this.failure;
    const details = this.driver?.describe();
    return details && details['available'] === false ? String(details['reason'] ?? 'unavailable') : undefined;
  }

  onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  tryAcquire(): unknown {
    return this.driver && this.running < this.concurrency ? this.driver : undefined;
  }

  async run(slot: unknown, job: GuestJob): Promise<GuestResult> {
    const driver = slot as LaneDriver;
    this.running++;
    try {
      return await driver.run(job);
    } catch (error) {
      this.log('lane driver threw', { lane: this.lane, error: error instanceof Error ? error.stack : String(error) });
      return resultWithoutRun(job.mode === 'main' ? 'main' : 'script', { type: 'internal', message: 'the lane driver failed; see the service log' }, 1);
    } finally {
      this.running--;
      this.listener();
    }
  }

  readiness(): LaneReadiness {
    const unavailable = this.unavailable;
    return {
      available: unavailable === undefined && this.failure === undefined,
      ...(unavailable ? { reason: unavailable } : {}),
      workers: { ready: this.driver ? this.concurrency - this.running : 0, busy: this.running, starting: this.driver || this.failure ? 0 : 1 },
      ...(this.driver ? { details: this.driver.describe() } : {}),
    };
  }

  async close(): Promise<void> {
    await this.driver?.dispose();
  }
}
