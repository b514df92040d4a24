/**
 * Operator credential injection: headers (API keys, Authorization) the bridge adds outside the sandbox
 * for matching hosts, so guest code can call an API without ever seeing the secret.
 *
 * Patterns use the allow-list syntax (`api.example.com`, `*.example.org`, optional `:port`). The headers
 * are computed per hop from that hop's own target, so a redirect to another host never carries them.
 * A pattern without a port matches HTTPS on 443 only: a secret is not sent in clear text (an
 * https -> http redirect to the same name gets nothing). A pattern with an explicit port matches that
 * port under either scheme: the operator named the service, e.g. a local test server.
 */
import { entryMatches, parseAllowEntry } from './allow-list.js';
import type { AllowEntry } from './allow-list.js';
import { sanitizeRequestHeaders } from './headers.js';
import type { EgressTarget } from './target.js';

export interface CredentialRule {
  host: string;
  headers: Record<string, string>;
}

interface ParsedRule {
  entry: AllowEntry;
  headers: Record<string, string>;
}

export interface CredentialInjector {
  /** Headers to add for this target; empty when no rule matches. */
  headersFor(target: EgressTarget): Record<string, string>;
}

/** Throws on an invalid pattern: operator configuration errors should stop start-up, not be ignored. */
export function createCredentialInjector(rules: readonly CredentialRule[] = []): CredentialInjector {
  const parsed: ParsedRule[] = rules.map((rule) => {
    const result = parseAllowEntry(rule.host);
    if (!result.ok) throw new TypeError(`egress.credentials: invalid host pattern "${rule.host}": ${result.reason}`);
    const checked = sanitizeRequestHeaders(Object.entries(rule.headers));
    if (!checked.ok) throw new TypeError(`egress.credentials for "${rule.host}": ${checked.reason}`);
    return { entry: result.entry, headers: Object.fromEntries(checked.headers) };
  });
  return {
    headersFor(target) {
      const out: Record<string, string> = {};
      for (const { entry, headers } of parsed) {
        if (entry.port === undefined && target.scheme !== 'https') continue;
        if (!entryMatches(entry, target)) continue;
        Object.assign(out, headers);
      }
      return out;
    },
  };
}
