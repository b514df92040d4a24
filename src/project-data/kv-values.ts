/** Checks shared by both KV backends: value size, TTL and increments. */
import { IsolaError } from '../contract/errors.js';
import type { ProjectDataLimits } from './types.js';

function invalid(field: string, message: string): IsolaError {
  return new IsolaError('invalid_request', `Invalid request: ${field}`, { issues: [{ field, message }] });
}

/** The value as stored JSON text, refused past the cap. */
export function encodeValue(value: unknown, limits: ProjectDataLimits): string {
  if (value === undefined) throw invalid('value', 'is required');
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > limits.maxKvValueBytes) {
    throw new IsolaError('payload_too_large', 'Too large: value', { issues: [{ field: 'value', message: `exceeds ${limits.maxKvValueBytes} bytes of JSON` }] });
  }
  return text;
}

/** Epoch ms of expiry, or null; a TTL is 1 ms to 10 years. */
export function expiryOf(ttlMs: number | undefined, now: number): number | null {
  if (ttlMs === undefined) return null;
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > 10 * 365 * 24 * 3600 * 1000) throw invalid('ttl_ms', 'must be an integer from 1 to 10 years in ms');
  return now + ttlMs;
}

export function checkIncrement(by: number): number {
  if (!Number.isSafeInteger(by)) throw invalid('by', 'must be a safe integer');
  return by;
}

export function notAnInteger(key: string): IsolaError {
  return new IsolaError('conflict', `The value of "${key}" is not an integer; incr needs one`, {
    issues: [{ field: 'key', message: 'holds a value that is not an integer' }],
  });
}

export function incremented(current: unknown, by: number, key: string): number {
  if (!Number.isSafeInteger(current)) throw notAnInteger(key);
  const next = (current as number) + by;
  if (!Number.isSafeInteger(next)) throw notAnInteger(key);
  return next;
}
