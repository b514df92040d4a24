/**
 * Per-project admission: at most `concurrent_executions` at once, at most `executions_per_minute` started
 * per minute. The rate is rate-limiter-flexible (one limiter per project, rebuilt when its quota changes);
 * concurrency is a slot held until the execution ends (concurrency-slots.ts). On one node both live in
 * this process; with a shared queue (`--queue redis://...`) both live in that Redis, so the quotas hold
 * for the cluster, whichever node a request reaches.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { IsolaError } from '../contract/errors.js';
import { type ConcurrencySlots, LocalSlots, RedisSlots } from './concurrency-slots.js';
import type { Quotas } from './quotas.js';

/** A held execution slot; disposing it gives the slot back (idempotent). */
export interface Lease extends Disposable {
  release(): void;
}

/** What a client waits before retrying when the project is at its concurrency quota. */
export const CONCURRENCY_RETRY_AFTER_S = 1;

export interface SharedLimiterOptions {
  redis: Redis;
  /** Prefix of every key (the shared queue's, so clusters sharing one Redis stay apart). */
  prefix: string;
  /** How long a slot of a node that died stays taken. */
  leaseMs: number;
  onError?: (error: unknown) => void;
}

const NO_SLOT: Lease = { release: () => undefined, [Symbol.dispose]: () => undefined };

function storeUnavailable(error: unknown): IsolaError {
  return new IsolaError('quota_store_unavailable', 'The shared quota store (Redis) did not answer; retry on another node or later', { cause: error });
}

export class ProjectLimiter {
  private readonly rates = new Map<string, { points: number; limiter: RateLimiterAbstract }>();
  private readonly slots: ConcurrencySlots;

  /** Without `shared`, this process's counters; with it, the cluster's, in Redis. */
  constructor(private readonly shared?: SharedLimiterOptions) {
    this.slots = shared
      ? new RedisSlots({ ...shared, onLost: (projectId, error) => shared.onError?.(new Error(`project ${projectId} lost a concurrency slot's lease`, { cause: error })) })
      : new LocalSlots();
  }

  /** Takes a slot or throws IsolaError quota_exceeded (429, with retryAfterS). */
  async admit(projectId: string, quotas: Quotas): Promise<Lease> {
    const max = quotas.concurrent_executions;
    let slot = NO_SLOT;
    if (max !== undefined) {
      const taken = await this.guard(() => this.slots.take(projectId, max));
      if (!taken) {
        throw new IsolaError('quota_exceeded', `Project ${projectId} already runs its quota of concurrent executions (${max})`, {
          issues: [{ field: 'quotas.concurrent_executions', message: `at most ${max} at once` }],
          retryAfterS: CONCURRENCY_RETRY_AFTER_S,
        });
      }
      slot = { release: () => taken.release(), [Symbol.dispose]: () => taken.release() };
    }
    try {
      await this.consumeRate(projectId, quotas.executions_per_minute);
    } catch (error) {
      slot.release();
      throw error;
    }
    return slot;
  }

  /** Drop a deleted project's limiter. */
  forget(projectId: string): void {
    this.rates.delete(projectId);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof IsolaError || error instanceof RateLimiterRes) throw error;
      this.shared?.onError?.(error);
      throw storeUnavailable(error);
    }
  }

  private limiterFor(projectId: string, points: number): RateLimiterAbstract {
    let rate = this.rates.get(projectId);
    if (rate?.points !== points) {
      const limiter = this.shared
        ? new RateLimiterRedis({ storeClient: this.shared.redis, keyPrefix: `${this.shared.prefix}:project-rate`, points, duration: 60, rejectIfRedisNotReady: true })
        : new RateLimiterMemory({ points, duration: 60 });
      rate = { points, limiter };
      this.rates.set(projectId, rate);
    }
    return rate.limiter;
  }

  private async consumeRate(projectId: string, points: number | undefined): Promise<void> {
    if (points === undefined) return;
    const limiter = this.limiterFor(projectId, points);
    try {
      await this.guard(() => limiter.consume(projectId));
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
