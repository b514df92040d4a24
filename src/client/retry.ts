/**
 * When and how long the client waits before trying a call again.
 *
 * Only answers that prove the server did not run the request are retried: 503 (overloaded, draining,
 * engine closed: refused before any execution started) and 429. Other failures, a 500 or a connection
 * that broke mid-request among them, may come after the code ran, and running untrusted code twice is
 * the caller's decision, so `execute` and `executeBatch` never retry them. Reads (`ready`, `openapi`)
 * are idempotent and are also retried when the connection fails.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3; 1 turns retries off. */
  maxAttempts?: number;
  /** Wait before the first retry when the server gave no Retry-After; doubles each retry. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap of one wait, whatever Retry-After asks. Default 30 s. */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 30_000 };

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  return {
    maxAttempts,
    baseDelayMs: Math.max(0, options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs),
  };
}

/** Statuses that say the request was refused before it ran. */
export function isRetryableStatus(status: number): boolean {
  return status === 503 || status === 429;
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds ("5") or an HTTP date (RFC 9110 §10.2.3).
 * A date in the past means now; anything unparsable is ignored (undefined).
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse also takes loose forms like "5 minutes" on some engines: require a weekday or a year.
  if (!/[a-z]{3},|\d{4}/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before attempt `retry + 1` (retry counts from 1): what the server asked for, else
 * exponential backoff, jittered down by up to half so that clients refused together do not come back together.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, askedMs: number | undefined, random: () => number = Math.random): number {
  const delay = askedMs ?? policy.baseDelayMs * 2 ** (retry - 1) * (0.5 + random() / 2);
  return Math.min(delay, policy.maxDelayMs);
}

/** Resolve after `ms`, or reject with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
