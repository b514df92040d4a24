/**
 * Delivers a finished job to its callback URL: a signed JSON POST, retried with exponential backoff.
 *
 * The URL is the requester's, so it goes through the same address policy as guest egress
 * (src/egress/address-policy.ts): the name is resolved here, every answer is checked (one private answer
 * among public ones refuses the whole name: that mix is how DNS rebinding hides), and the connection goes
 * to a checked address, never to the name again (pinned-dispatch.ts). Loopback, private, link-local (the
 * cloud metadata service) and the other special ranges are refused unless the operator opened them.
 * Redirects are not followed: a 3xx is a failed attempt, so a redirect cannot lead a callback inside.
 * A refusal by the policy is final (retrying cannot change it); a network error or non-2xx is retried.
 */
import { checkAddress, parseAddressRanges, type AddressPolicy } from '../egress/address-policy.js';
import { createPinnedDispatcher, type PinnedDispatcherOptions } from '../egress/pinned-dispatch.js';
import { resolveHost, systemLookup, type EgressLookup, type ResolvedAddress } from '../egress/resolve.js';
import { describeTarget, parseTarget, type EgressTarget } from '../egress/target.js';
import { SIGNATURE_HEADER, signCallback } from './callback-signature.js';
import type { CallbackSender } from './memory-job-queue.js';
import type { CallbackState } from './types.js';

export interface CallbackSenderOptions {
  secret: string;
  allowPrivate?: boolean;
  allowAddresses?: readonly string[];
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled after each. */
  backoffMs: number;
  /** Time of one attempt, DNS to response headers. Default 10 s. */
  attemptTimeoutMs?: number;
  /** Tests inject hostile DNS. */
  lookup?: EgressLookup;
  /** Trusted CAs for HTTPS callbacks (private PKI, tests). */
  ca?: PinnedDispatcherOptions['ca'];
}

export interface ClosableCallbackSender {
  send: CallbackSender;
  /**
   * Why the policy refuses this URL whatever DNS says (a bad URL, or an IP literal in a refused range), so
   * the submit can be refused at once; undefined when only delivery can tell.
   */
  precheck(url: string): string | undefined;
  /** Stops waiting between attempts (pending deliveries end as failed) and closes connections. Idempotent. */
  close(): Promise<void>;
}

type Admitted = { ok: true; target: EgressTarget; addresses: ResolvedAddress[] } | { ok: false; final: boolean; reason: string };

export function createCallbackSender(options: CallbackSenderOptions): ClosableCallbackSender {
  const policy: AddressPolicy = { allowPrivate: options.allowPrivate === true, allowRanges: parseAddressRanges(options.allowAddresses ?? []) };
  const lookup = options.lookup ?? systemLookup;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const dispatcher = createPinnedDispatcher(options.ca !== undefined ? { ca: options.ca } : {});
  const closing = new AbortController();
  let closed: Promise<void> | undefined;

  const admit = async (url: string, signal: AbortSignal): Promise<Admitted> => {
    const parsed = parseTarget(url);
    if (!parsed.ok) return { ok: false, final: true, reason: parsed.reason };
    const target = parsed.target;
    let addresses: ResolvedAddress[];
    if (target.ip) {
      addresses = [{ address: target.host, family: target.host.includes(':') ? 6 : 4 }];
    } else {
      const resolved = await resolveHost(lookup, target.host, signal);
      if (!resolved.ok) return { ok: false, final: false, reason: `${describeTarget(target)}: ${resolved.reason}` };
      addresses = resolved.addresses;
    }
    for (const { address } of addresses) {
      const verdict = checkAddress(address, policy);
      if (!verdict.ok) return { ok: false, final: true, reason: `refused by the egress policy: ${describeTarget(target)} ${target.ip ? `is ${verdict.words}` : `resolves to ${verdict.words}`}` };
    }
    return { ok: true, target, addresses };
  };

  /** One POST; undefined when it was delivered, else why not and whether trying again could help. */
  const attempt = async (url: string, body: string, jobId: string): Promise<{ final: boolean; reason: string } | undefined> => {
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(attemptTimeoutMs)]);
    const admitted = await admit(url, signal);
    if (!admitted.ok) return admitted;
    const bytes = new TextEncoder().encode(body);
    const result = await dispatcher.send({
      target: admitted.target,
      addresses: admitted.addresses,
      method: 'POST',
      headers: [
        ['content-type', 'application/json'],
        ['user-agent', 'isola-callback/1'],
        ['isola-job-id', jobId],
        [SIGNATURE_HEADER, signCallback(options.secret, body)],
      ],
      body: bytes,
      signal,
    });
    if (!result.ok) return { final: false, reason: result.reason };
    const status = result.response.statusCode;
    // Only the status matters; drain a little of the body so the connection can be reused, then drop it.
    await result.response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    if (status >= 200 && status < 300) return undefined;
    return { final: false, reason: status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}` };
  };

  const send: CallbackSender = async (callback, job, update) => {
    const body = JSON.stringify(job);
    const state: CallbackState = { url: callback.url, state: 'pending', attempts: 0 };
    for (let n = 0; n < options.attempts; n++) {
      if (n > 0 && !(await wait(options.backoffMs * 2 ** (n - 1), closing.signal))) {
        update({ ...state, state: 'failed', last_error: `${state.last_error ?? 'not delivered'}; the server shut down before the next attempt` });
        return;
      }
      state.attempts = n + 1;
      const failure = await attempt(callback.url, body, job.id);
      if (!failure) {
        const { last_error: _last, ...delivered } = state;
        update({ ...delivered, state: 'delivered' });
        return;
      }
      state.last_error = failure.reason;
      if (failure.final) break;
      update({ ...state });
    }
    update({ ...state, state: 'failed' });
  };

  return {
    send,
    precheck(url) {
      const parsed = parseTarget(url);
      if (!parsed.ok) return parsed.reason;
      if (!parsed.target.ip) return undefined;
      const verdict = checkAddress(parsed.target.host, policy);
      return verdict.ok ? undefined : `refused by the egress policy: ${describeTarget(parsed.target)} is ${verdict.words}`;
    },
    close() {
      closing.abort();
      closed ??= dispatcher.close();
      return closed;
    },
  };
}

/** Resolves true after `ms`, false at once if `signal` aborts first. The timer does not keep the process up. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
