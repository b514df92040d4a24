/**
 * The host-side egress bridge: every guest network call (QuickJS fetch, Pyodide requests/urllib/
 * pyfetch, the native lane's proxy) ends here as `fetch(jobId, allowHosts, request, deadline)`.
 *
 * Per hop: parse the URL (http/https only), ask the gate (allow-list, request budget, DNS, address
 * policy), send to a checked address, and follow redirects here (never inside undici) so each hop is
 * checked again. Operator credentials are computed per hop from that hop's own target. Expected
 * failures come back as `{ ok: false, kind }`; the bridge never throws for them.
 */
import type { EgressRequest, EgressResponse } from '../lanes/lane.js';
import type { EgressOptions, EngineLogger } from './options.js';
import { createCredentialInjector } from './credentials.js';
import { createEgressGate } from './egress-gate.js';
import type { EgressGate } from './egress-gate.js';
import { dropBodyHeaders, dropOriginBound, hasHeader, responseHeaders, sanitizeRequestHeaders, setHeaders } from './headers.js';
import type { HeaderList } from './headers.js';
import { createJobSlots } from './job-slots.js';
import { createLogBudget, DEFAULT_LOG_LINES_PER_EXECUTION } from './log-budget.js';
import { createPinnedDispatcher } from './pinned-dispatch.js';
import { discardBody, readBody } from './read-body.js';
import type { EgressLookup } from './resolve.js';
import { describeTarget, parseRedirect, parseTarget } from './target.js';
import type { EgressTarget } from './target.js';

export interface EgressBridgeOptions extends EgressOptions {
  logger?: EngineLogger;
  /** Called for every denial (the engine turns it into a metric and a log line). Must not throw. */
  onDenied?(host: string, reason: string): void;
  /** Special-purpose CIDRs opened individually, a narrower alternative to allowPrivate. */
  allowAddresses?: readonly string[];
  /** DNS resolver; defaults to the system resolver (dns.lookup, all addresses). */
  lookup?: EgressLookup;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** Time limit when neither the request nor the deadline gives one (default 30 s). */
  defaultTimeoutMs?: number;
  /** Largest request body a guest may send (default 10 MiB). */
  maxRequestBytes?: number;
  /** Requests of one job in flight at once; more wait their turn (default 6). */
  maxConcurrentPerExecution?: number;
  /**
   * Denials logged per execution (default 5); later ones are counted and summed up in one line when
   * the execution ends. onDenied still hears every one.
   */
  deniedLogLinesPerExecution?: number;
  /** Trusted CAs for HTTPS, replacing Node's default list (private PKI, tests). */
  ca?: string | Buffer | (string | Buffer)[];
  /**
   * A reserved host served in-process instead of over the network (project data at isola.internal):
   * requests to it skip the allow-list and DNS and go to `handle` with the job id, so the service can
   * authenticate as the job's project and no key ever enters the guest. Redirects into it are refused.
   */
  internal?: InternalService;
}

export interface InternalService {
  /** Canonical host name, lower case (e.g. "isola.internal"). */
  readonly host: string;
  /**
   * Other exact URLs the service answers in-process (the Isola service's own signed library downloads):
   * with no allow-list entry, no DNS and no socket, so a guest can read a URL its SDK made without the
   * operator opening the service's address to guests. Only the first request is claimed, never a redirect.
   */
  claims?(url: URL, method: string): boolean;
  /** Whether `origin` (e.g. "http://127.0.0.1:8080") is one whose URLs `claims` may take. */
  claimsOrigin?(origin: string): boolean;
  handle(jobId: string, request: EgressRequest): Promise<EgressResponse>;
}

export type RedirectMode = 'follow' | 'manual' | 'error';

export interface EgressFetchOptions {
  /**
   * `follow` (default): the bridge follows and re-checks redirects. `manual`: return the 3xx as is.
   * `error`: a redirect is a network error (fetch's `redirect: "error"`). Overrides `request.redirect`.
   */
  redirect?: RedirectMode;
}

/** EgressRequest may carry the guest's redirect mode (fetch `redirect`, requests `allow_redirects`). */
type RequestWithRedirect = EgressRequest & { redirect?: unknown };

function redirectModeOf(request: RequestWithRedirect, options: EgressFetchOptions): RedirectMode {
  const mode = options.redirect ?? request.redirect;
  return mode === 'manual' || mode === 'error' ? mode : 'follow';
}

export interface EgressBridge {
  fetch(
    jobId: string,
    allowHosts: readonly string[],
    request: EgressRequest,
    deadline: number,
    options?: EgressFetchOptions,
  ): Promise<EgressResponse>;
  /** Forget a finished job's counters; logs the summary of its denials held back by the log budget. */
  release(jobId: string): void;
  /** The policy decision, shared with the native lane's proxy. */
  readonly gate: EgressGate;
  readonly maxResponseBytes: number;
  /** Report a denial decided outside `fetch` (the proxy's CONNECT); `detail` goes to logs only. */
  reportDenied(jobId: string, host: string, reason: string, detail?: string): void;
  /**
   * Whether plain-HTTP requests to `origin` may be served in-process (the internal host, the service's
   * signed downloads): the proxy then answers a CONNECT to it by reading the requests in the tunnel and
   * passing each through `fetch`, instead of opening a socket anywhere.
   */
  servesInProcess(origin: string): boolean;
  /** Close pooled connections. Idempotent; later fetches fail with kind `network`. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_PER_EXECUTION = 6;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Forbidden by the fetch standard: CONNECT opens tunnels (the proxy's job), TRACE/TRACK echo headers back. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

type Failure = Extract<EgressResponse, { ok: false }>;

function sameOrigin(a: EgressTarget, b: EgressTarget): boolean {
  return a.scheme === b.scheme && a.host === b.host && a.port === b.port;
}

function firstHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createEgressBridge(options: EgressBridgeOptions = {}): EgressBridge {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const credentials = createCredentialInjector(options.credentials);
  const gate = createEgressGate({
    allowPrivate: options.allowPrivate === true,
    ...(options.maxRequestsPerExecution !== undefined ? { maxRequestsPerExecution: options.maxRequestsPerExecution } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    ...(options.allowAddresses ? { allowAddresses: options.allowAddresses } : {}),
  });
  const dispatcher = createPinnedDispatcher(options.ca !== undefined ? { ca: options.ca } : {});
  const slots = createJobSlots(options.maxConcurrentPerExecution ?? DEFAULT_MAX_CONCURRENT_PER_EXECUTION);
  let closing: Promise<void> | undefined;
  const deniedLogLines = options.deniedLogLinesPerExecution ?? DEFAULT_LOG_LINES_PER_EXECUTION;
  const deniedLog = createLogBudget(deniedLogLines);

  const reportDenied = (jobId: string, host: string, reason: string, detail?: string): void => {
    if (deniedLog.take(jobId)) options.logger?.warn({ jobId, host, reason, ...(detail !== undefined ? { detail } : {}) }, 'egress denied');
    try {
      options.onDenied?.(host, reason);
    } catch (error) {
      // A throwing listener is a bug in the caller, but it must not turn a denial into a crash here.
      options.logger?.error({ err: error }, 'egress onDenied listener threw');
    }
  };

  const deny = (jobId: string, host: string, reason: string, detail?: string): Failure => {
    reportDenied(jobId, host, reason, detail);
    return { ok: false, kind: 'denied', message: `${host}: ${reason}` };
  };

  async function run(
    jobId: string,
    allowHosts: readonly string[],
    request: EgressRequest,
    signal: AbortSignal,
    redirectMode: RedirectMode,
  ): Promise<EgressResponse> {
    const first = parseTarget(request.url);
    if (!first.ok) {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(request.url)?.[1];
      if (scheme !== undefined && !/^https?$/i.test(scheme)) return deny(jobId, request.url.slice(0, 100), first.reason);
      return { ok: false, kind: 'network', message: `${request.url.slice(0, 100)}: ${first.reason}` };
    }
    if (request.body && request.body.byteLength > maxRequestBytes) {
      return { ok: false, kind: 'too_large', message: `${describeTarget(first.target)}: request body exceeds ${maxRequestBytes} bytes` };
    }
    const sanitized = sanitizeRequestHeaders(request.headers);
    if (!sanitized.ok) return { ok: false, kind: 'network', message: `${describeTarget(first.target)}: ${sanitized.reason}` };

    let target = first.target;
    if (options.internal && (target.host === options.internal.host || options.internal.claims?.(new URL(request.url), request.method))) {
      if (!METHOD_TOKEN.test(request.method)) return { ok: false, kind: 'network', message: `${target.host}: invalid method` };
      return options.internal.handle(jobId, { ...request, headers: sanitized.headers });
    }
    if (!METHOD_TOKEN.test(request.method)) return { ok: false, kind: 'network', message: `${describeTarget(target)}: invalid method` };
    let method = request.method.toUpperCase();
    if (FORBIDDEN_METHODS.has(method)) return deny(jobId, describeTarget(target), `method ${method} is not allowed`);
    let body = request.body;
    let guestHeaders: HeaderList = sanitized.headers;
    if (target.userinfo && !hasHeader(guestHeaders, 'authorization')) {
      // What `requests`/curl do with http://user:pass@host: the guest's own credentials, as Basic auth.
      const token = Buffer.from(`${target.userinfo.username}:${target.userinfo.password}`).toString('base64');
      guestHeaders = [...guestHeaders, ['authorization', `Basic ${token}`]];
    }

    for (let redirects = 0; ; redirects++) {
      const admission = await gate.admit(jobId, allowHosts, target, signal);
      if (!admission.ok) {
        if (admission.kind === 'denied') return deny(jobId, admission.host, admission.reason, admission.detail);
        return { ok: false, kind: admission.kind, message: `${admission.host}: ${admission.reason}` };
      }
      const headers = setHeaders(guestHeaders, credentials.headersFor(target));
      const sent = await dispatcher.send({ target, addresses: admission.addresses, method, headers, body, signal });
      if (!sent.ok) return { ok: false, kind: sent.kind, message: `${describeTarget(target)}: ${sent.reason}` };
      const { statusCode, headers: raw, body: stream } = sent.response;
      options.logger?.debug({ jobId, host: describeTarget(target), address: sent.address, status: statusCode }, 'egress request');

      const location = firstHeader(raw, 'location');
      if (redirectMode !== 'manual' && REDIRECTS.has(statusCode) && location !== undefined) {
        await stream.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (redirectMode === 'error') return { ok: false, kind: 'network', message: `${describeTarget(target)}: redirected while redirect mode is "error"` };
        if (redirects >= maxRedirects) {
          return { ok: false, kind: 'network', message: `${describeTarget(target)}: too many redirects (more than ${maxRedirects})` };
        }
        const next = parseRedirect(location, target.url);
        if (!next.ok) return deny(jobId, location.slice(0, 100), `redirect refused: ${next.reason}`);
        if (options.internal && next.target.host === options.internal.host) {
          return deny(jobId, next.target.host, 'redirect refused: an outside server may not send a guest to the internal service');
        }
        if (statusCode === 303 ? method !== 'HEAD' : (statusCode === 301 || statusCode === 302) && method === 'POST') {
          method = 'GET';
          body = undefined;
          guestHeaders = dropBodyHeaders(guestHeaders);
        }
        if (!sameOrigin(target, next.target)) guestHeaders = dropOriginBound(guestHeaders);
        delete next.target.userinfo;
        target = next.target;
        continue;
      }

      const noBody = method === 'HEAD' || statusCode === 204 || statusCode === 304;
      const declared = Number(firstHeader(raw, 'content-length') ?? NaN);
      if (!noBody && Number.isFinite(declared) && declared > maxResponseBytes && firstHeader(raw, 'content-encoding') === undefined) {
        discardBody(stream);
        return { ok: false, kind: 'too_large', message: `${describeTarget(target)}: response body of ${declared} bytes exceeds ${maxResponseBytes} bytes` };
      }
      const read = await readBody(stream, {
        contentEncoding: firstHeader(raw, 'content-encoding'),
        decode: !noBody,
        maxBytes: maxResponseBytes,
        signal,
      });
      if (!read.ok) return { ok: false, kind: read.kind, message: `${describeTarget(target)}: ${read.reason}` };
      return {
        ok: true,
        status: statusCode,
        statusText: sent.response.statusText ?? '',
        url: target.url.href,
        headers: responseHeaders(raw, read.decoded),
        body: read.bytes,
      };
    }
  }

  return {
    gate,
    maxResponseBytes,
    reportDenied,
    servesInProcess(origin) {
      const internal = options.internal;
      return internal !== undefined && (origin === `http://${internal.host}` || internal.claimsOrigin?.(origin) === true);
    },
    release(jobId) {
      gate.release(jobId);
      const unlogged = deniedLog.release(jobId);
      if (unlogged > 0) {
        options.logger?.warn({ jobId, unlogged, logged: deniedLogLines }, 'egress denials not logged one by one (per-execution log budget)');
      }
    },
    async fetch(jobId, allowHosts, request, deadline, fetchOptions = {}) {
      if (closing) return { ok: false, kind: 'network', message: 'egress bridge is closed' };
      // NaN or a negative number from a guest must not switch the deadline off: ignore it instead.
      const limits = [request.timeoutMs, deadline - Date.now()].filter((n): n is number => typeof n === 'number' && !Number.isNaN(n));
      const budget = Math.min(Infinity, ...limits.map((n) => Math.max(n, 0)));
      const timeoutMs = Number.isFinite(budget) ? Math.ceil(budget) : defaultTimeoutMs;
      if (timeoutMs <= 0) return { ok: false, kind: 'timeout', message: `${request.url.slice(0, 100)}: no time left before the deadline` };
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        if (!(await slots.acquire(jobId, controller.signal))) {
          return { ok: false, kind: 'timeout', message: `${request.url.slice(0, 100)}: timed out waiting for the job's other requests (after ${timeoutMs} ms)` };
        }
        try {
          const response = await run(jobId, allowHosts, request, controller.signal, redirectModeOf(request, fetchOptions));
          if (!response.ok && response.kind === 'timeout') return { ...response, message: `${response.message} (after ${timeoutMs} ms)` };
          return response;
        } finally {
          slots.free(jobId);
        }
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= dispatcher.close();
      return closing;
    },
  };
}
