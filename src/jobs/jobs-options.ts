/**
 * What the operator sets of the job queue, from serve options or the environment. A bad value stops
 * start-up with a message naming the setting, like the operator limits do. Portable (env is passed in).
 */
import { JOBS_DEFAULTS } from './memory-job-queue.js';

export interface JobsOptions {
  /** How long a finished job's result is kept (ms); ISOLA_JOB_TTL_MS. Default 1 h. */
  ttlMs?: number;
  /** Jobs waiting for the engine before POST /v1/jobs answers 429; ISOLA_JOBS_MAX_QUEUED. Default 1,000. */
  maxQueued?: number;
  /** Jobs held at all, finished ones within their TTL included; ISOLA_JOBS_MAX_STORED. Default 10,000. */
  maxStored?: number;
  /** Size of the finished jobs' results held at once (JSON); ISOLA_JOBS_MAX_STORED_BYTES. Default 512 MiB. */
  maxStoredBytes?: number;
  /** Jobs handed to the engine at once; ISOLA_JOBS_CONCURRENCY. Default 16. */
  concurrency?: number;
  /** HMAC-SHA256 key of callback signatures; ISOLA_CALLBACK_SECRET. Without it, jobs with a callback are refused. */
  callbackSecret?: string;
  /** Let callbacks reach loopback and private addresses (not link-local); ISOLA_CALLBACK_ALLOW_PRIVATE=1. Default false. */
  callbackAllowPrivate?: boolean;
  /** CIDR ranges callbacks may reach one by one; ISOLA_CALLBACK_ALLOW_ADDRESSES (comma-separated). */
  callbackAllowAddresses?: readonly string[];
  /** Delivery attempts of a callback (first try included); default 5. */
  callbackAttempts?: number;
  /** Wait before the second attempt (ms), doubled after each; default 1,000. */
  callbackBackoffMs?: number;
}

export type ResolvedJobsOptions = Required<Omit<JobsOptions, 'callbackSecret'>> & { callbackSecret: string | undefined };

export class JobsOptionsError extends Error {
  override readonly name = 'JobsOptionsError';
}

function integer(name: string, value: number | string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number) || number < min) throw new JobsOptionsError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return number;
}

export function resolveJobsOptions(options: JobsOptions = {}, env: Record<string, string | undefined> = {}): ResolvedJobsOptions {
  const secret = options.callbackSecret ?? env['ISOLA_CALLBACK_SECRET'];
  return {
    ttlMs: integer('job TTL (ISOLA_JOB_TTL_MS)', options.ttlMs ?? env['ISOLA_JOB_TTL_MS'], JOBS_DEFAULTS.ttlMs, 1),
    maxQueued: integer('ISOLA_JOBS_MAX_QUEUED', options.maxQueued ?? env['ISOLA_JOBS_MAX_QUEUED'], JOBS_DEFAULTS.maxQueued, 1),
    maxStored: integer('ISOLA_JOBS_MAX_STORED', options.maxStored ?? env['ISOLA_JOBS_MAX_STORED'], JOBS_DEFAULTS.maxStored, 1),
    maxStoredBytes: integer('ISOLA_JOBS_MAX_STORED_BYTES', options.maxStoredBytes ?? env['ISOLA_JOBS_MAX_STORED_BYTES'], JOBS_DEFAULTS.maxStoredBytes, 1),
    concurrency: integer('ISOLA_JOBS_CONCURRENCY', options.concurrency ?? env['ISOLA_JOBS_CONCURRENCY'], JOBS_DEFAULTS.concurrency, 1),
    callbackSecret: secret === undefined || secret === '' ? undefined : secret,
    callbackAllowPrivate: options.callbackAllowPrivate ?? env['ISOLA_CALLBACK_ALLOW_PRIVATE'] === '1',
    callbackAllowAddresses:
      options.callbackAllowAddresses ??
      (env['ISOLA_CALLBACK_ALLOW_ADDRESSES'] ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    callbackAttempts: integer('callback attempts', options.callbackAttempts, 5, 1),
    callbackBackoffMs: integer('callback backoff', options.callbackBackoffMs, 1000, 0),
  };
}
