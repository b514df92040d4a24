/**
 * Header hygiene between guest and network.
 *
 * From the guest we drop what belongs to the connection rather than the message (hop-by-hop headers,
 * RFC 9110 §7.6.1, plus anything a `Connection` header names), what the bridge decides itself (Host,
 * Content-Length, Transfer-Encoding, Expect) and every Proxy-* header (those would address the
 * operator's proxies, never the target). The guest's own Authorization/Cookie are its business, but
 * they are dropped when a redirect leaves the origin, as browsers and `requests` do.
 */

export type HeaderList = [string, string][];

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'http2-settings',
]);

/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: no CR, LF or NUL (header injection). */
const BAD_VALUE = /[\r\n\0]/;

export type SanitizedHeaders = { ok: true; headers: HeaderList } | { ok: false; reason: string };

/** Total size of guest request headers; servers commonly refuse more than 8-16 KiB anyway. */
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;

export function sanitizeRequestHeaders(headers: readonly (readonly [string, string])[]): SanitizedHeaders {
  let size = 0;
  for (const [name, value] of headers) size += name.length + value.length + 4;
  if (size > MAX_REQUEST_HEADER_BYTES) return { ok: false, reason: `request headers exceed ${MAX_REQUEST_HEADER_BYTES} bytes` };
  const named = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') {
      for (const token of value.split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: HeaderList = [];
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) return { ok: false, reason: `invalid header name "${name.slice(0, 64)}"` };
    if (BAD_VALUE.test(value)) return { ok: false, reason: `invalid value for header "${name}"` };
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || lower.startsWith('proxy-')) continue;
    out.push([name, value.trim()]);
  }
  return { ok: true, headers: out };
}

/** Headers that carry the guest's credentials to one origin only. */
const ORIGIN_BOUND = new Set(['authorization', 'cookie', 'cookie2', 'www-authenticate']);

export function dropOriginBound(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => !ORIGIN_BOUND.has(name.toLowerCase()));
}

/** Headers describing a request body, dropped when a redirect turns the request into a body-less GET. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

export function dropBodyHeaders(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => !BODY_HEADERS.has(name.toLowerCase()));
}

/** Set (replace case-insensitively) headers, e.g. operator credentials that must win over the guest's. */
export function setHeaders(headers: HeaderList, add: Record<string, string>): HeaderList {
  const names = new Set(Object.keys(add).map((name) => name.toLowerCase()));
  const out = headers.filter(([name]) => !names.has(name.toLowerCase()));
  for (const [name, value] of Object.entries(add)) out.push([name, value]);
  return out;
}

export function hasHeader(headers: HeaderList, name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([key]) => key.toLowerCase() === lower);
}

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade', 'te']);

/**
 * Response headers for the guest, from undici's header object (values are strings or arrays for
 * repeated fields). When the bridge decoded the body, Content-Encoding and Content-Length no longer
 * describe it and are dropped.
 */
export function responseHeaders(raw: Record<string, string | string[] | undefined>, decoded: boolean): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || RESPONSE_HOP_BY_HOP.has(name)) continue;
    if (decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push([name, item]);
  }
  return out;
}
