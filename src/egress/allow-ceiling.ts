/**
 * A project's egress ceiling: the allow-list entries its requests may ask for. A request entry is within
 * the ceiling when every target it allows is also allowed by one ceiling entry, so a request can only
 * narrow what the project's operator granted, never widen it.
 *
 * Portable (no `node:` imports), like allow-list.ts whose entry syntax and matching it follows.
 */
import { parseAllowEntry, type AllowEntry } from './allow-list.js';

/** Whether every target `inner` allows is allowed by `outer`. */
export function entryWithin(inner: AllowEntry, outer: AllowEntry): boolean {
  // A bare entry means the scheme's default port, an explicit one that port under either scheme: the two
  // sets differ (http on 443 is in one, not the other), so only the same port spec is within.
  if (inner.port !== outer.port) return false;
  if (inner.ip || outer.ip) return inner.ip === outer.ip && inner.host === outer.host;
  if (outer.wildcard) return inner.host === outer.host ? inner.wildcard : inner.host.endsWith(`.${outer.host}`);
  return !inner.wildcard && inner.host === outer.host;
}

export interface CeilingViolation {
  /** Index of the entry in the request's allow-list. */
  index: number;
  entry: string;
}

/** The request entries that are not within any ceiling entry (all of them when the ceiling is empty). */
export function entriesOutsideCeiling(allow: readonly string[], ceiling: readonly string[]): CeilingViolation[] {
  const outer = ceiling.flatMap((source) => {
    const parsed = parseAllowEntry(source);
    return parsed.ok ? [parsed.entry] : [];
  });
  const violations: CeilingViolation[] = [];
  allow.forEach((source, index) => {
    const parsed = parseAllowEntry(source);
    if (!parsed.ok || !outer.some((entry) => entryWithin(parsed.entry, entry))) violations.push({ index, entry: source });
  });
  return violations;
}
