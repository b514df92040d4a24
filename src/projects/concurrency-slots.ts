/**
 * A project's concurrency quota as slots: take one per execution, give it back when it ends. Two stores
 * behind one interface: this process's counters (one node), or a redis-semaphore per project in the
 * shared Redis (a cluster), whose leases the holding node refreshes while the execution runs, so a node
 * that dies with `kill -9` frees its slots once their lease runs out instead of holding them forever.
 */
import type { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';

/** A held slot; release() gives it back (idempotent). */
export interface Slot {
  release(): void;
}

export interface ConcurrencySlots {
  /** A slot, or undefined when `max` are already held for the project (across the cluster when shared). */
  take(projectId: string, max: number): Promise<Slot | undefined>;
}

export class LocalSlots implements ConcurrencySlots {
  private readonly running = new Map<string, number>();

  async take(projectId: string, max: number): Promise<Slot | undefined> {
    const now = this.running.get(projectId) ?? 0;
    if (now >= max) return undefined;
    this.running.set(projectId, now + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.running.get(projectId) ?? 1) - 1;
        if (left <= 0) this.running.delete(projectId);
        else this.running.set(projectId, left);
      },
    };
  }
}

export interface RedisSlotsOptions {
  redis: Redis;
  /** Prefix of the semaphore keys (the cluster's queue prefix). */
  prefix: string;
  /** How long a slot outlives a node that stopped refreshing it. */
  leaseMs: number;
  /** A slot whose lease could not be refreshed (Redis away for longer than the lease). */
  onLost?: (projectId: string, error: Error) => void;
}

export class RedisSlots implements ConcurrencySlots {
  constructor(private readonly options: RedisSlotsOptions) {}

  async take(projectId: string, max: number): Promise<Slot | undefined> {
    const { redis, prefix, leaseMs, onLost } = this.options;
    // The limit travels with every acquire, so a quota PATCHed on any node applies at the next admission.
    const semaphore = new Semaphore(redis, `${prefix}:project-slots:${projectId}`, max, {
      lockTimeout: leaseMs,
      refreshInterval: Math.max(100, Math.floor(leaseMs / 3)),
      acquireAttemptsLimit: 1,
      onLockLost: (error) => onLost?.(projectId, error),
    });
    if (!(await semaphore.tryAcquire())) return undefined;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        // Not awaited: the answer is ready. A release Redis does not take is a lease that runs out.
        semaphore.release().catch(() => undefined);
      },
    };
  }
}
