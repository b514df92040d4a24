/**
 * The one policy decision shared by the fetch bridge and the native lane's proxy: may this job open a
 * connection to this target, and to which addresses?
 *
 * Order matters: the allow-list is checked before DNS (an unlisted name is never resolved, so DNS
 * cannot be used as a side channel), then the per-execution request budget, then every resolved
 * address. A name with one private answer among public ones is refused as a whole: the bridge never
 * picks the "good" answer out of a mixed set, since the mix is how DNS rebinding hides.
 */
import { checkAddress, parseAddressRanges } from './address-policy.js';
import type { AddressPolicy } from './address-policy.js';
import { findAllowEntry, parseAllowList } from './allow-list.js';
import type { AllowList } from './allow-list.js';
import { resolveHost, systemLookup } from './resolve.js';
import type { EgressLookup, ResolvedAddress } from './resolve.js';
import { describeTarget } from './target.js';
import type { EgressTarget } from './target.js';

export interface EgressGateOptions {
  allowPrivate?: boolean;
  /** Special-purpose CIDRs the operator opens individually (see AddressPolicy.allowRanges). */
  allowAddresses?: readonly string[];
  /** Requests (each redirect hop and each proxy tunnel counts) per job; default 100. */
  maxRequestsPerExecution?: number;
  lookup?: EgressLookup;
}

export type Admission =
  | { ok: true; addresses: ResolvedAddress[] }
  | { ok: false; kind: 'denied' | 'network' | 'timeout'; host: string; reason: string; detail?: string };

export interface EgressGate {
  /** Check a target for a job; counts against the job's budget once the allow-list accepts it. */
  admit(jobId: string, allowHosts: readonly string[], target: EgressTarget, signal: AbortSignal): Promise<Admission>;
  /** Requests the job has made so far. */
  used(jobId: string): number;
  /** Forget a finished job's counters. */
  release(jobId: string): void;
}

export const DEFAULT_MAX_REQUESTS_PER_EXECUTION = 100;

export function createEgressGate(options: EgressGateOptions): EgressGate {
  const policy: AddressPolicy = {
    allowPrivate: options.allowPrivate === true,
    allowRanges: parseAddressRanges(options.allowAddresses ?? []),
  };
  const maxRequests = options.maxRequestsPerExecution ?? DEFAULT_MAX_REQUESTS_PER_EXECUTION;
  const lookup = options.lookup ?? systemLookup;
  const counts = new Map<string, number>();
  // The engine hands the same array for every call of a job; parse it once.
  const parsed = new WeakMap<readonly string[], AllowList>();

  const allowListOf = (allowHosts: readonly string[]): AllowList => {
    let list = parsed.get(allowHosts);
    if (!list) {
      list = parseAllowList(allowHosts);
      parsed.set(allowHosts, list);
    }
    return list;
  };

  return {
    async admit(jobId, allowHosts, target, signal) {
      const host = describeTarget(target);
      const deny = (reason: string): Admission => ({ ok: false, kind: 'denied', host, reason });
      if (allowHosts.length === 0) return deny('network access is not enabled for this execution');
      if (!findAllowEntry(allowListOf(allowHosts), target)) return deny('host and port are not in the allow-list');
      const used = counts.get(jobId) ?? 0;
      if (used >= maxRequests) return deny(`request limit of ${maxRequests} per execution reached`);
      counts.set(jobId, used + 1);

      let addresses: ResolvedAddress[];
      if (target.ip) {
        addresses = [{ address: target.host, family: target.host.includes(':') ? 6 : 4 }];
      } else {
        const resolved = await resolveHost(lookup, target.host, signal);
        if (!resolved.ok) return { ok: false, kind: resolved.kind, host, reason: resolved.reason };
        addresses = resolved.addresses;
      }
      for (const { address } of addresses) {
        const verdict = checkAddress(address, policy);
        if (verdict.ok) continue;
        // For names, the guest learns the class of address, not the address: the allow-list is written
        // by the (untrusted) requester and must not become a way to map the operator's internal DNS.
        if (target.ip) return deny(verdict.reason);
        return { ok: false, kind: 'denied', host, reason: `resolves to ${verdict.words}`, detail: verdict.reason };
      }
      return { ok: true, addresses };
    },
    used(jobId) {
      return counts.get(jobId) ?? 0;
    },
    release(jobId) {
      counts.delete(jobId);
    },
  };
}
