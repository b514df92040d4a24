/**
 * Maps every failure the HTTP face can meet to one status and one `{ error: { code, message, issues } }`
 * body, so clients see a single error shape whether the failure came from fastify's body parsing, the
 * contract's validation or the engine.
 */
import { ERROR_CATALOG, isIsolaError, type ErrorBody, type ErrorCode, type FieldIssue } from '../contract/errors.js';

export interface ErrorReply {
  status: number;
  body: ErrorBody;
  /** Seconds for the Retry-After header; set on every 503 and 429. */
  retryAfterS?: number;
  /** True when the failure is ours, not the caller's: log it at error level. */
  internal: boolean;
}

/** Seconds a client should wait before retrying a 503 when the engine gave no better hint. */
export const DEFAULT_RETRY_AFTER_S = 1;

function reply(
  code: ErrorCode,
  message: string,
  issues?: FieldIssue[],
  status: number = ERROR_CATALOG[code].status,
): ErrorReply {
  return {
    status,
    body: { error: { code, message, ...(issues ? { issues } : {}) } },
    internal: code === 'internal',
  };
}

/** Fastify's own errors carry a string `code` (FST_ERR_*) and a `statusCode`. */
function fastifyCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('FST_') ? code : undefined;
}

function fastifyStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Build the reply for anything a route or fastify threw. Never leaks a stack or an internal message.
 * `bodyLimit` is the app's (derived from the operator's limits), named when a body goes past it.
 */
export function toErrorReply(error: unknown, requestId: string, bodyLimit: number): ErrorReply {
  if (isIsolaError(error)) {
    // The engine's internal message may describe host details; clients get the request id instead.
    if (error.code === 'internal') return reply('internal', internalMessage(requestId));
    const out: ErrorReply = { status: error.status, body: error.toBody(), internal: false };
    if (error.status === 503 || error.status === 429) {
      out.retryAfterS = error.retryAfterS ?? DEFAULT_RETRY_AFTER_S;
      out.body.error.retry_after_s = out.retryAfterS;
    }
    return out;
  }
  switch (fastifyCode(error)) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(
        'unsupported_media_type',
        'Content-Type must be application/json',
        [{ field: '(content-type)', message: 'must be application/json' }],
        415,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply('payload_too_large', `Too large: (body)`, [
        { field: '(body)', message: `exceeds the limit of ${bodyLimit} bytes` },
      ]);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply('invalid_request', 'Invalid request: (body)', [{ field: '(body)', message: 'body is empty' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply('invalid_request', 'Invalid request: (body)', [
        { field: '(body)', message: 'body is not valid JSON (or holds a forbidden __proto__/constructor key)' },
      ]);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return reply('invalid_request', 'Invalid request: (body)', [
        { field: '(body)', message: 'body size does not match Content-Length' },
      ]);
    default:
      break;
  }
  const status = fastifyStatus(error);
  if (status !== undefined && status >= 400 && status < 500) {
    // Other client errors fastify detects (bad URL, bad headers): keep the status, use our body shape.
    const message = error instanceof Error ? error.message : 'Bad request';
    return reply('invalid_request', message, undefined, status);
  }
  return reply('internal', internalMessage(requestId));
}

function internalMessage(requestId: string): string {
  return `Internal error; the request may be retried (request id ${requestId})`;
}
