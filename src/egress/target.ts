/**
 * What a guest URL points at, in canonical form, so that the allow-list and the address policy see the
 * same host the connection will use.
 *
 * Portable (WHATWG URL only). The URL parser is the single authority on host syntax: it turns the
 * legacy IPv4 spellings (`2130706433`, `0x7f.1`, `017700000001`) into `127.0.0.1`, compresses IPv6,
 * lower-cases names and applies IDNA. Matching is done on that result, never on the raw text, so a
 * spelling the allow-list did not expect cannot smuggle a different address through.
 */

export type Scheme = 'http' | 'https';

export interface EgressTarget {
  scheme: Scheme;
  /** Canonical host: lower-case name without trailing dot, dotted-quad IPv4, or compressed IPv6 (no brackets). */
  host: string;
  /** Whether host is an IP literal. */
  ip: boolean;
  port: number;
  /** The parsed URL, userinfo removed. */
  url: URL;
  /** `user:password` from the URL, decoded, when present (the bridge turns it into Basic auth). */
  userinfo?: { username: string; password: string };
}

export type HostResult = { ok: true; host: string; ip: boolean } | { ok: false; reason: string };
export type TargetResult = { ok: true; target: EgressTarget } | { ok: false; reason: string };

const FORBIDDEN_HOST_CHARS = /[\s/\\@?#%]/;
const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;

function canonicalHostname(hostname: string): HostResult {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return { ok: true, host: hostname.slice(1, -1), ip: true };
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (host.length === 0 || host.includes('..') || host.startsWith('.')) return { ok: false, reason: 'empty host label' };
  return { ok: true, host, ip: DOTTED_QUAD.test(host) };
}

/** Canonicalise a bare host (`Example.COM.`, `0x7f.1`, `[::FFFF:127.0.0.1]`) the way URLs are. */
export function parseHost(text: string): HostResult {
  if (text.length === 0) return { ok: false, reason: 'empty host' };
  if (FORBIDDEN_HOST_CHARS.test(text)) return { ok: false, reason: `invalid character in host "${text}"` };
  let url: URL;
  try {
    url = new URL(`http://${text}/`);
  } catch {
    return { ok: false, reason: `invalid host "${text}"` };
  }
  return canonicalHostname(url.hostname);
}

export function defaultPort(scheme: Scheme): number {
  return scheme === 'https' ? 443 : 80;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parse a guest URL. Only absolute http(s) URLs with a host are targets. */
export function parseTarget(text: string): TargetResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'invalid URL' };
  }
  const scheme = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  if (scheme === undefined) return { ok: false, reason: `scheme "${url.protocol.replace(/:$/, '')}" is not allowed (http and https only)` };
  const host = canonicalHostname(url.hostname);
  if (!host.ok) return host;
  const port = url.port === '' ? defaultPort(scheme) : Number(url.port);
  const target: EgressTarget = { scheme, host: host.host, ip: host.ip, port, url };
  if (url.username !== '' || url.password !== '') {
    target.userinfo = { username: safeDecode(url.username), password: safeDecode(url.password) };
    url.username = '';
    url.password = '';
  }
  url.hash = '';
  return { ok: true, target };
}

/** Resolve a redirect Location against the current URL and parse it as a new target. */
export function parseRedirect(location: string, base: URL): TargetResult {
  let resolved: string;
  try {
    resolved = new URL(location, base).href;
  } catch {
    return { ok: false, reason: 'invalid redirect location' };
  }
  return parseTarget(resolved);
}

/** `host` or `host:port` as it belongs in a Host header (port only when not the default). */
export function hostHeader(target: EgressTarget): string {
  const host = target.ip && target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.port === defaultPort(target.scheme) ? host : `${host}:${target.port}`;
}

/** `host:port` for messages, IPv6 bracketed. */
export function describeTarget(target: Pick<EgressTarget, 'host' | 'port' | 'ip'>): string {
  const host = target.ip && target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}
