/**
 * A typed client of the Isola HTTP API over the global `fetch`. It imports only types and two small
 * portable tables from the contract (no zod, nothing of the server, nothing from `node:`), so it runs in
 * browsers, workers and Node alike. Retry rules: see retry.ts.
 */
import { DEFAULT_TIMEOUT_MS } from '../contract/operator-limits.js';
import type { ExecuteRequestInput } from '../contract/request.js';
import type { ExecuteResponse } from '../contract/response.js';
import type { Readiness } from '../engine/types.js';
import { CallScope } from './call-scope.js';
import { IsolaError, errorFromBody } from './errors.js';
import { linesOf, toNdjson } from './ndjson.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, retryPolicy, sleep, type RetryOptions, type RetryPolicy } from './retry.js';
import { ROUTES, type RouteName } from './routes.js';

export interface ClientOptions {
  /** Where the server listens, e.g. "http://127.0.0.1:8080" (a path prefix is kept). */
  baseUrl: string | URL;
  retry?: RetryOptions;
  /** Timeout of `ready()` and `openapi()`, retries included. Default 10 s. */
  timeoutMs?: number;
  /** Sent with every request (e.g. an authorization header of a gateway in front of Isola). */
  headers?: Record<string, string>;
  /** Told before each retry wait; for logs and metrics. Must not throw. */
  onRetry?: (event: RetryEvent) => void;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface RetryEvent {
  /** e.g. "POST /v1/execute" */
  call: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  /** The refusing status, or undefined when the connection failed. */
  status: number | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Deadline of the whole call, retries and their waits included. */
  timeoutMs?: number;
  /** Sent as x-request-id (1-128 characters of A-Za-z0-9._:-), to find the call in the server's log. */
  requestId?: string;
}

export interface BatchOptions extends CallOptions {
  /** Executions of this batch the server runs at once (1..64; server default 8). */
  concurrency?: number;
}

/** One line of a batch: an execution request with an optional id (default: its index, as a string). */
export type BatchRequest = ExecuteRequestInput & { id?: string };

/** What one batch line came to: a result envelope, or the refusal of that line alone. */
export type BatchOutcome = { id: string; result: ExecuteResponse; error?: undefined } | { id: string; result?: undefined; error: IsolaError };

/** GET /readyz: the engine's readiness and the server's verdict. */
export type ReadyReport = Readiness & { status: 'ready' | 'unavailable' };

/**
 * Time the server may spend on an execution beyond its own timeout_ms before the client gives up: the
 * queue, a worker's boot and an environment build (package installs) all come before the deadline starts.
 */
export const EXECUTE_SLACK_MS = 60_000;
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

interface SendPlan {
  route: RouteName;
  scope: CallScope;
  body?: string;
  contentType?: string;
  query?: string;
  requestId?: string;
  /** Retry a failed connection too: only for reads, whose repetition changes nothing. */
  idempotent: boolean;
  /** Retry 503/429. Off for /readyz, whose 503 is an answer ("not ready"), not a refusal. */
  retryRefusals: boolean;
}

export class IsolaClient {
  private readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = String(options.baseUrl).replace(/\/+$/, '');
    this.policy = retryPolicy(options.retry);
    // Bound, not referenced: browsers throw "Illegal invocation" when fetch is called on another `this`.
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * Run one request. Resolves with the result envelope whenever the code ran, whatever became of it
   * (see `status` and `error`); rejects with IsolaError when the server refused the request or the call
   * failed. Default timeout: the request's timeout_ms plus EXECUTE_SLACK_MS.
   */
  async execute(request: ExecuteRequestInput, options: CallOptions = {}): Promise<ExecuteResponse> {
    const timeoutMs = options.timeoutMs ?? (request.timeout_ms ?? DEFAULT_TIMEOUT_MS) + EXECUTE_SLACK_MS;
    const scope = this.scope('execute', options.signal, timeoutMs);
    const response = await this.send({
      route: 'execute',
      scope,
      body: JSON.stringify(request),
      contentType: 'application/json',
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
      idempotent: false,
      retryRefusals: true,
    });
    const body = await this.readJson(response, scope);
    if (response.status !== 200) throw this.refusal(response, body);
    if (!isEnvelope(body)) throw new IsolaError('client_bad_response', `${scope.what} answered 200 without a result envelope`, { status: 200 });
    return body;
  }

  /**
   * Run many independent requests in one call (POST /v1/batch), yielding each outcome as the server
   * finishes it, in finishing order. Only the call as a whole is retried, on 503/429 before any line
   * ran. No default timeout (a batch may run for hours): pass timeoutMs or a signal. Stopping the
   * iteration early closes the connection, and the server stops the rest.
   */
  async *executeBatch(requests: Iterable<BatchRequest>, options: BatchOptions = {}): AsyncGenerator<BatchOutcome> {
    const scope = this.scope('batch', options.signal, options.timeoutMs);
    const response = await this.send({
      route: 'batch',
      scope,
      body: toNdjson(requests),
      contentType: 'application/x-ndjson',
      ...(options.concurrency === undefined ? {} : { query: `concurrency=${options.concurrency}` }),
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
      idempotent: false,
      retryRefusals: true,
    });
    if (response.status !== 200) throw this.refusal(response, await this.readJson(response, scope));
    if (!response.body) throw new IsolaError('client_bad_response', `${scope.what} answered 200 without a body`, { status: 200 });
    try {
      for await (const line of linesOf(response.body)) yield batchOutcome(line, scope.what);
    } catch (error) {
      throw scope.toError(error);
    }
  }

  /** GET /readyz. Resolves whether or not the server is ready (see `status`); never retries a 503. */
  async ready(options: CallOptions = {}): Promise<ReadyReport> {
    const scope = this.scope('ready', options.signal, options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
    const response = await this.send({ route: 'ready', scope, idempotent: true, retryRefusals: false });
    const body = await this.readJson(response, scope);
    const status = (body as { status?: unknown } | null)?.status;
    if ((response.status !== 200 && response.status !== 503) || (status !== 'ready' && status !== 'unavailable')) {
      throw this.refusal(response, body);
    }
    return body as ReadyReport;
  }

  /** GET /openapi.json: the server's OpenAPI 3.1 document. */
  async openapi(options: CallOptions = {}): Promise<Record<string, unknown>> {
    const scope = this.scope('openapi', options.signal, options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
    const response = await this.send({ route: 'openapi', scope, idempotent: true, retryRefusals: true });
    const body = await this.readJson(response, scope);
    if (response.status !== 200 || typeof body !== 'object' || body === null) throw this.refusal(response, body);
    return body as Record<string, unknown>;
  }

  private scope(route: RouteName, signal: AbortSignal | undefined, timeoutMs: number | undefined): CallScope {
    const { method, path } = ROUTES[route];
    return new CallScope(`${method} ${path}`, signal, timeoutMs);
  }

  /** One call with its retries; resolves with the last answer, whatever its status. */
  private async send(plan: SendPlan): Promise<Response> {
    const { method, path } = ROUTES[plan.route];
    const url = `${this.baseUrl}${path}${plan.query ? `?${plan.query}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (plan.contentType) headers['content-type'] = plan.contentType;
    if (plan.requestId) headers['x-request-id'] = plan.requestId;
    const { scope } = plan;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, ...(plan.body === undefined ? {} : { body: plan.body }), signal: scope.signal });
      } catch (error) {
        const failure = scope.toError(error);
        if (failure.code !== 'client_network' || !plan.idempotent || attempt >= this.policy.maxAttempts) throw failure;
        await this.wait(scope, attempt, retryDelayMs(this.policy, attempt, undefined), undefined);
        continue;
      }
      if (!plan.retryRefusals || !isRetryableStatus(response.status) || attempt >= this.policy.maxAttempts) return response;
      const delayMs = retryDelayMs(this.policy, attempt, parseRetryAfter(response.headers.get('retry-after')));
      // A wait that would outlast the deadline only ends in client_timeout: report the refusal instead.
      if (delayMs >= scope.remainingMs()) return response;
      // Read the refusal to its end, so that its connection goes back to the pool.
      await response.arrayBuffer().catch(() => undefined);
      await this.wait(scope, attempt, delayMs, response.status);
    }
  }

  private async wait(scope: CallScope, attempt: number, delayMs: number, status: number | undefined): Promise<void> {
    this.options.onRetry?.({ call: scope.what, attempt, delayMs, status });
    try {
      await sleep(delayMs, scope.signal);
    } catch (error) {
      throw scope.toError(error);
    }
  }

  /** The body as JSON; a body that is not JSON is client_bad_response, naming the status. */
  private async readJson(response: Response, scope: CallScope): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw scope.toError(error);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new IsolaError('client_bad_response', `${scope.what} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, {
        status: response.status,
        ...requestIdOf(response),
        cause,
      });
    }
  }

  private refusal(response: Response, body: unknown): IsolaError {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return errorFromBody(body, {
      status: response.status,
      ...requestIdOf(response),
      ...(retryAfterMs === undefined ? {} : { retryAfterS: retryAfterMs / 1000 }),
    });
  }
}

export function createClient(options: ClientOptions | string | URL): IsolaClient {
  return new IsolaClient(typeof options === 'string' || options instanceof URL ? { baseUrl: options } : options);
}

function requestIdOf(response: Response): { requestId?: string } {
  const id = response.headers.get('x-request-id');
  return id === null ? {} : { requestId: id };
}

/**
 * Enough of the envelope to know the answer came from Isola. The client does not re-validate the whole
 * envelope (that would pull zod into browsers); the server builds it from the same contract types.
 */
function isEnvelope(body: unknown): body is ExecuteResponse {
  const envelope = body as Partial<ExecuteResponse> | null;
  return typeof envelope === 'object' && envelope !== null && typeof envelope.id === 'string' && (envelope.status === 'completed' || envelope.status === 'error');
}

function batchOutcome(line: string, what: string): BatchOutcome {
  let value: { id?: unknown; result?: unknown; error?: unknown };
  try {
    value = JSON.parse(line) as typeof value;
  } catch (cause) {
    throw new IsolaError('client_bad_response', `${what} streamed a line that is not JSON: ${line.slice(0, 200)}`, { status: 200, cause });
  }
  if (typeof value !== 'object' || value === null || typeof value.id !== 'string') {
    throw new IsolaError('client_bad_response', `${what} streamed a line without an id: ${line.slice(0, 200)}`, { status: 200 });
  }
  if (isEnvelope(value.result)) return { id: value.id, result: value.result };
  return { id: value.id, error: errorFromBody({ error: value.error }, {}) };
}
