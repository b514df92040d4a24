/**
 * The error catalog: every request-level failure Isola reports has a stable code, an HTTP status and a
 * message that names the offending field or value. Callers match on `code`, never on message text.
 *
 * Failures of the guest code itself (it threw, timed out, ran out of memory) are not errors here: they
 * are results, reported in the response envelope (see response.ts).
 */
export const ERROR_CATALOG = {
  invalid_request: { status: 400, title: 'The request body does not match the contract' },
  unsupported: { status: 422, title: 'The request uses a feature this engine does not offer' },
  payload_too_large: { status: 413, title: 'A field or the whole body exceeds its size limit' },
  unsupported_media_type: { status: 415, title: 'The body is not application/json, or its Content-Encoding is not gzip, br or zstd' },
  not_found: { status: 404, title: 'No such route, project or key, or no such database, table or key in this project' },
  unauthorized: { status: 401, title: 'No credential, or one Isola does not know (a project key, or the admin token on /v1/admin)' },
  key_revoked: { status: 403, title: 'The project key was revoked (or its project deleted)' },
  egress_not_allowed: { status: 403, title: "The request's egress allow-list goes past its project's ceiling" },
  quota_exceeded: { status: 429, title: "The project is over a quota (concurrent executions, executions per minute); retry after Retry-After" },
  job_not_found: { status: 404, title: 'No job with this id (never submitted, or its result expired)' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was already used for a different request body' },
  too_many_jobs: { status: 429, title: 'The job store is full (too many queued or stored jobs); retry later' },
  blob_not_found: { status: 404, title: "No blob with this id among the project's blobs (never uploaded, expired, or another project's)" },
  blob_quota_exceeded: { status: 413, title: "The upload or attachment would take the project's blobs past their byte quota (quotas.blob_bytes)" },
  range_not_satisfiable: { status: 416, title: 'The Range header asks for bytes past the end of the blob' },
  conflict: { status: 409, title: 'A database, table or column of that name already exists' },
  sql_refused: { status: 403, title: 'The SQL is not one read-only statement, or uses a refused feature' },
  sql_failed: { status: 400, title: 'The database rejected the statement (syntax, unknown column, constraint)' },
  statement_timeout: { status: 422, title: 'The statement ran past its time limit and was stopped' },
  result_too_large: { status: 422, title: 'The query result exceeds the row or byte cap' },
  database_quota_exceeded: { status: 413, title: "The write would take the project's databases past their byte quota" },
  download_url_invalid: { status: 403, title: 'The signed download URL was altered, or signed with another key' },
  download_url_expired: { status: 410, title: 'The signed download URL has expired' },
  quota_store_unavailable: { status: 503, title: 'The shared quota store (Redis, with --queue) did not answer; retry later or on another node' },
  overloaded: { status: 503, title: 'The execution queue is full; retry later' },
  shutting_down: { status: 503, title: 'The engine is draining and accepts no new executions' },
  engine_closed: { status: 503, title: 'The engine was closed' },
  internal: { status: 500, title: 'An internal error; the request may be retried' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "network.allow.0" or "timeout_ms". */
  field: string;
  message: string;
  /** For a value checked against input_schema: the RFC 6901 pointer into `inputs` of the offending value. */
  pointer?: string;
  /** ...and the schema keyword it fails ("type", "required", "maximum"). */
  rule?: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    issues?: FieldIssue[];
    retry_after_s?: number;
  };
}

export class IsolaError extends Error {
  override readonly name = 'IsolaError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: FieldIssue[] | undefined;
  readonly retryAfterS: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: FieldIssue[]; retryAfterS?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.issues = options.issues;
    this.retryAfterS = options.retryAfterS;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues ? { issues: this.issues } : {}),
        ...(this.retryAfterS !== undefined ? { retry_after_s: this.retryAfterS } : {}),
      },
    };
  }
}

/** Seconds a client should wait before retrying on a draining instance (better: another instance). */
export const SHUTTING_DOWN_RETRY_AFTER_S = 5;

/** The one refusal of a draining engine or server: one message, one Retry-After, wherever it is checked. */
export function shuttingDownError(): IsolaError {
  return new IsolaError('shutting_down', 'Isola is draining and accepts no new executions; retry on another instance', {
    retryAfterS: SHUTTING_DOWN_RETRY_AFTER_S,
  });
}

export function isIsolaError(value: unknown): value is IsolaError {
  return value instanceof IsolaError;
}
