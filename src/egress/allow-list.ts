/**
 * The request's egress allow-list: parsing entries and matching a target against them.
 *
 * Portable (no `node:` imports): the engine may validate allow-lists where there is no Node.
 *
 * Entry syntax: `name`, `*.name`, an IPv4 literal, or a bracketed IPv6 literal, each with an optional
 * `:port`. Matching is case-insensitive and ignores one trailing dot. `*.example.org` matches
 * subdomains of example.org at any depth, never example.org itself.
 *
 * Ports: an entry WITHOUT a port allows only the default port of the scheme (80 for http, 443 for
 * https). An entry WITH a port allows that port only, under either scheme. Allowing "any port" for a
 * bare name would let a request reach every service on an allow-listed host (SSH, databases, admin
 * ports), which the user did not ask for when writing `api.example.com`.
 */
import { defaultPort, parseHost } from './target.js';
import type { EgressTarget } from './target.js';

export interface AllowEntry {
  /** The entry as written, for messages. */
  source: string;
  /** Canonical host: lower-case name without trailing dot, dotted-quad IPv4, or compressed IPv6. */
  host: string;
  /** Whether `host` is an IP literal (wildcards never are). */
  ip: boolean;
  /** `*.host`: matches strict subdomains of host. */
  wildcard: boolean;
  /** Explicit port; undefined means the scheme's default port only. */
  port?: number;
}

export type AllowEntryResult = { ok: true; entry: AllowEntry } | { ok: false; source: string; reason: string };

type PortSplit = { ok: true; host: string; port?: string } | { ok: false; reason: string };

/** Split `host:port`, `[v6]:port`, `host`, `[v6]`. A bare IPv6 (several colons) must be bracketed. */
function splitPort(text: string): PortSplit {
  let host = text;
  let tail = '';
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { ok: false, reason: 'unterminated "[" in IPv6 literal' };
    host = text.slice(0, close + 1);
    tail = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      if (text.indexOf(':', colon + 1) >= 0) return { ok: false, reason: 'IPv6 literals must be bracketed, e.g. "[2001:db8::1]"' };
      host = text.slice(0, colon);
      tail = text.slice(colon);
    }
  }
  if (tail === '') return { ok: true, host };
  const match = /^:(\d{1,5})$/.exec(tail);
  if (!match?.[1]) return { ok: false, reason: `invalid port: "${tail.slice(1)}"` };
  return { ok: true, host, port: match[1] };
}

/** Parse one allow-list entry. Invalid entries come back as values, never thrown. */
export function parseAllowEntry(source: string): AllowEntryResult {
  const fail = (reason: string): AllowEntryResult => ({ ok: false, source, reason });
  let rest = source.trim();
  if (rest.length === 0) return fail('empty entry');
  let port: number | undefined;
  const split = splitPort(rest);
  if (!split.ok) return fail(split.reason);
  rest = split.host;
  if (split.port !== undefined) {
    port = Number(split.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`port out of range: ${split.port}`);
  }
  let wildcard = false;
  if (rest.startsWith('*.')) {
    wildcard = true;
    rest = rest.slice(2);
  }
  if (rest.includes('*')) return fail('"*" is only allowed as a leading "*." label');
  const parsed = parseHost(rest);
  if (!parsed.ok) return fail(parsed.reason);
  if (wildcard && parsed.ip) return fail('a wildcard cannot apply to an IP literal');
  if (wildcard && !parsed.host.includes('.')) return fail('a wildcard needs a domain with at least two labels, e.g. "*.example.org"');
  const entry: AllowEntry = { source, host: parsed.host, ip: parsed.ip, wildcard };
  if (port !== undefined) entry.port = port;
  return { ok: true, entry };
}

export interface AllowList {
  entries: AllowEntry[];
  /** Entries that did not parse; they allow nothing. */
  invalid: { source: string; reason: string }[];
}

export function parseAllowList(sources: readonly string[]): AllowList {
  const list: AllowList = { entries: [], invalid: [] };
  for (const source of sources) {
    const result = parseAllowEntry(source);
    if (result.ok) list.entries.push(result.entry);
    else list.invalid.push({ source: result.source, reason: result.reason });
  }
  return list;
}

/** Whether one entry allows the target's host and port. */
export function entryMatches(entry: AllowEntry, target: EgressTarget): boolean {
  const portOk = entry.port === undefined ? target.port === defaultPort(target.scheme) : target.port === entry.port;
  if (!portOk) return false;
  if (entry.ip || target.ip) return entry.ip === target.ip && entry.host === target.host;
  if (entry.wildcard) return target.host.endsWith(`.${entry.host}`);
  return target.host === entry.host;
}

/** The first entry that allows the target, if any. */
export function findAllowEntry(list: AllowList, target: EgressTarget): AllowEntry | undefined {
  return list.entries.find((entry) => entryMatches(entry, target));
}
