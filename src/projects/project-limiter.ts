/**
 * Per-project admission: at most `concurrent_executions` at once, at most `executions_per_minute` started
 * per minute. The rate is rate-limiter-flexible's in-memory limiter (one per project, rebuilt when its
 * quota changes); concurrency is a count of leases held, released when the execution ends. Both are per
 * process: several nodes would share a RateLimiterRedis instead, behind the same admit().
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { IsolaError } from '../contract/errors.js';
import type { Quotas } from './quotas.js';

/** A held execution slot; disposing it gives the slot back (idempotent). */
export interface Lease extends Disposable {
  release(): void;
}

/** What a client waits before retrying when the project is at its concurrency quota. */
export const CONCURRENCY_RETRY_AFTER_S = 1;

export class ProjectLimiter {
  private readonly running = new Map<string, number>();
  private readonly rates = new Map<string, { points: number; limiter: RateLimiterMemory }>();

  /** Takes a slot or throws IsolaError quota_exceeded (429, with retryAfterS). */
  async admit(projectId: string, quotas: Quotas): Promise<Lease> {
    const max = quotas.concurrent_executions;
    const now = this.running.get(projectId) ?? 0;
    if (max !== undefined && now >= max) {
      throw new IsolaError('quota_exceeded', `Project ${projectId} already runs ${now} executions, its quota of concurrent executions (${max})`, {
        issues: [{ field: 'quotas.concurrent_executions', message: `at most ${max} at once` }],
        retryAfterS: CONCURRENCY_RETRY_AFTER_S,
      });
    }
    // Counted before the await below, so that two requests arriving together cannot both pass the check.
    this.running.set(projectId, now + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.running.get(projectId) ?? 1) - 1;
      if (left <= 0) this.running.delete(projectId);
      else this.running.set(projectId, left);
    };
    try {
      await this.consumeRate(projectId, quotas.executions_per_minute);
    } catch (error) {
      release();
      throw error;
    }
    return { release, [Symbol.dispose]: release };
  }

  /** Executions of a project holding a slot now. */
  runningOf(projectId: string): number {
    return this.running.get(projectId) ?? 0;
  }

  /** Drop a deleted project's limiter. */
  forget(projectId: string): void {
    this.rates.delete(projectId);
  }

  private async consumeRate(projectId: string, points: number | undefined): Promise<void> {
    if (points === undefined) return;
    let rate = this.rates.get(projectId);
    if (rate?.points !== points) {
      rate = { points, limiter: new RateLimiterMemory({ points, duration: 60 }) };
      this.rates.set(projectId, rate);
    }
    try {
      await rate.limiter.consume(projectId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterS = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new IsolaError('quota_exceeded', `Project ${projectId} started its quota of ${points} executions this minute; retry in ${retryAfterS} s`, {
        issues: [{ field: 'quotas.executions_per_minute', message: `at most ${points} per minute` }],
        retryAfterS,
      });
    }
  }
}
