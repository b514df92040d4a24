/**
 * Request ids: a caller's x-request-id is honoured when it is short and plain (so it can be logged and
 * echoed without escaping); otherwise the server makes one up.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// A random per-process prefix and a counter: unique across restarts and replicas for log correlation,
// without a crypto call on every request (they showed in profiles at thousands of requests a second).
const PREFIX = `req_${randomBytes(6).toString('base64url')}`;
let counter = 0;

export function newRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}${counter.toString(36)}`;
}

export function requestIdOf(raw: IncomingMessage): string {
  const header = raw.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && SANE_ID.test(header) ? header : newRequestId();
}
