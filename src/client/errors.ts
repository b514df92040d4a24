/**
 * The client's errors. A failure the server reported keeps the server's catalog code (src/contract/errors.ts)
 * and HTTP status; a failure the client saw itself (timeout, abort, no connection, an answer outside the
 * contract) gets one of the client codes below, which never travel on the wire and so have no status.
 * One catalog per side, one `code` field to match on: never match on the message.
 *
 * This `IsolaError` is the client's own class (`isola/client`); the library's `IsolaError` (`isola`) is
 * the server side's and has no client codes.
 */
import { ERROR_CATALOG, type ErrorCode, type FieldIssue } from '../contract/errors.js';

export const CLIENT_ERROR_CATALOG = {
  client_timeout: { title: 'The call did not finish within its timeoutMs (retries and their waits included)' },
  client_aborted: { title: "The caller's AbortSignal aborted the call" },
  client_network: { title: 'The server could not be reached, or the connection broke before an answer' },
  client_bad_response: { title: 'The answer is outside the Isola contract: an unexpected status, content type or body' },
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CATALOG;
/** Every code a client call can fail with: the server's catalog and the client's. */
export type IsolaErrorCode = ErrorCode | ClientErrorCode;

export interface IsolaErrorOptions {
  /** HTTP status of the answer; absent for client codes. */
  status?: number;
  issues?: readonly FieldIssue[];
  retryAfterS?: number;
  /** The server's x-request-id, to find the request in its log. */
  requestId?: string;
  cause?: unknown;
}

export class IsolaError extends Error {
  override readonly name = 'IsolaError';
  readonly code: IsolaErrorCode;
  readonly status: number | undefined;
  /** One entry per bad field the server named ("(body)" is the body as a whole). */
  readonly issues: readonly FieldIssue[];
  /** The first bad field, for the common case of one. */
  readonly field: string | undefined;
  readonly retryAfterS: number | undefined;
  readonly requestId: string | undefined;

  constructor(code: IsolaErrorCode, message: string, options: IsolaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.issues = options.issues ?? [];
    this.field = this.issues[0]?.field;
    this.retryAfterS = options.retryAfterS;
    this.requestId = options.requestId;
  }
}

export function isIsolaError(value: unknown): value is IsolaError {
  return value instanceof IsolaError;
}

export function isServerErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOG, code);
}

function isFieldIssue(value: unknown): value is FieldIssue {
  const issue = value as Partial<FieldIssue> | null;
  return typeof issue === 'object' && issue !== null && typeof issue.field === 'string' && typeof issue.message === 'string';
}

/**
 * The error an `{ error: { code, message, issues?, retry_after_s? } }` value stands for (a non-200 body,
 * or a failed line of a batch). Anything else, or a code this client does not know (a newer server),
 * is `client_bad_response`, with what was received in the message.
 */
export function errorFromBody(body: unknown, options: { status?: number; requestId?: string; retryAfterS?: number }): IsolaError {
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  const status = options.status === undefined ? '' : ` (HTTP ${options.status})`;
  if (typeof error !== 'object' || error === null || typeof error['message'] !== 'string') {
    const shown = JSON.stringify(body)?.slice(0, 200) ?? String(body);
    return new IsolaError('client_bad_response', `expected an Isola error body${status}, got ${shown}`, options);
  }
  const code = error['code'];
  if (!isServerErrorCode(code)) {
    return new IsolaError('client_bad_response', `unknown error code ${JSON.stringify(code)}${status}: ${error['message']}`, options);
  }
  const issues = Array.isArray(error['issues']) ? error['issues'].filter(isFieldIssue) : undefined;
  const bodyRetryAfter = typeof error['retry_after_s'] === 'number' ? error['retry_after_s'] : undefined;
  const retryAfterS = options.retryAfterS ?? bodyRetryAfter;
  return new IsolaError(code, error['message'], {
    ...options,
    ...(issues ? { issues } : {}),
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
  });
}
