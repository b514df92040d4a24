/**
 * Request ids: a caller's x-request-id is honoured when it is short and plain (so it can be logged and
 * echoed without escaping); otherwise the server makes one up.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function newRequestId(): string {
  return `req_${randomBytes(9).toString('base64url')}`;
}

export function requestIdOf(raw: IncomingMessage): string {
  const header = raw.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && SANE_ID.test(header) ? header : newRequestId();
}
