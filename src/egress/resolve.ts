/**
 * DNS resolution for the bridge. The bridge resolves names itself, checks every answer, and then
 * connects to an address it checked; nothing downstream resolves the name again.
 */
import { lookup as dnsLookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all of its addresses. Tests inject their own to simulate hostile DNS. */
export type EgressLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: EgressLookup = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

export type LookupResult =
  | { ok: true; addresses: ResolvedAddress[] }
  | { ok: false; kind: 'network' | 'timeout'; reason: string };

/** Run `lookup` under `signal`; DNS failures and aborts are values. */
export async function resolveHost(lookup: EgressLookup, hostname: string, signal: AbortSignal): Promise<LookupResult> {
  if (signal.aborted) return { ok: false, kind: 'timeout', reason: 'timed out before DNS lookup' };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const answer = await Promise.race([lookup(hostname), aborted]);
    if (answer === 'aborted') return { ok: false, kind: 'timeout', reason: 'timed out during DNS lookup' };
    if (answer.length === 0) return { ok: false, kind: 'network', reason: 'DNS lookup returned no addresses' };
    return { ok: true, addresses: answer };
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'EDNS';
    return { ok: false, kind: 'network', reason: `DNS lookup failed (${code})` };
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
