/**
 * Settings of the shared job queue (Redis, through BullMQ), from serve options or the environment. The
 * lease settings decide how fast a job of a node killed with `kill -9` is handed to another node: its
 * lock runs out after `lockMs` and the next stalled-job check (every `stalledIntervalMs`) requeues it.
 * Portable (env is passed in).
 */
import { JobsOptionsError } from './jobs-options.js';

export interface SharedQueueOptions {
  /** redis://[user:password@]host:port[/db] (or rediss://); ISOLA_QUEUE_URL. */
  url: string;
  /** Prefix of every Redis key (several clusters can share one Redis); ISOLA_QUEUE_PREFIX. Default isola. */
  prefix?: string;
  /** Lease of a running job, renewed by its node at half of it; ISOLA_QUEUE_LOCK_MS. Default 30,000. */
  lockMs?: number;
  /** How often nodes look for jobs whose lease ran out; ISOLA_QUEUE_STALLED_INTERVAL_MS. Default 30,000. */
  stalledIntervalMs?: number;
  /** Lease losses a job survives before it fails (each one reran it); ISOLA_QUEUE_MAX_STALLED. Default 2. */
  maxStalledCount?: number;
}

export type ResolvedSharedQueueOptions = Required<SharedQueueOptions>;

export const SHARED_QUEUE_DEFAULTS = { prefix: 'isola', lockMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 2 } as const;

function integer(name: string, value: number | string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number) || number < min) throw new JobsOptionsError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return number;
}

/** undefined when no queue URL is set: the node keeps its jobs in its own memory. */
export function resolveSharedQueueOptions(options: Partial<SharedQueueOptions> = {}, env: Record<string, string | undefined> = {}): ResolvedSharedQueueOptions | undefined {
  const url = options.url ?? env['ISOLA_QUEUE_URL'];
  if (url === undefined || url === '') return undefined;
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) throw new JobsOptionsError(`the queue URL (--queue, ISOLA_QUEUE_URL) must be redis://host:port or rediss://host:port, got ${JSON.stringify(url)}`);
  const prefix = options.prefix ?? env['ISOLA_QUEUE_PREFIX'] ?? SHARED_QUEUE_DEFAULTS.prefix;
  if (!/^[\w.-]{1,64}$/.test(prefix)) throw new JobsOptionsError(`ISOLA_QUEUE_PREFIX must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(prefix)}`);
  return {
    url,
    prefix,
    lockMs: integer('ISOLA_QUEUE_LOCK_MS', options.lockMs ?? env['ISOLA_QUEUE_LOCK_MS'], SHARED_QUEUE_DEFAULTS.lockMs, 100),
    stalledIntervalMs: integer('ISOLA_QUEUE_STALLED_INTERVAL_MS', options.stalledIntervalMs ?? env['ISOLA_QUEUE_STALLED_INTERVAL_MS'], SHARED_QUEUE_DEFAULTS.stalledIntervalMs, 100),
    maxStalledCount: integer('ISOLA_QUEUE_MAX_STALLED', options.maxStalledCount ?? env['ISOLA_QUEUE_MAX_STALLED'], SHARED_QUEUE_DEFAULTS.maxStalledCount, 1),
  };
}
