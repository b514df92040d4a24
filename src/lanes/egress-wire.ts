/**
 * The wire format between a guest's HTTP shim (QuickJS fetch, Python requests/urllib) and the host:
 * a JSON head plus raw body bytes in, a JSON head plus body out. Shared by the lanes so a request means
 * the same thing whichever language sent it. Portable. Everything in the head comes from guest code, so
 * it is validated field by field and never trusted for more than its type.
 */
import type { EgressRequest, EgressResponse } from './lane.js';

export function parseGuestRequest(head: unknown, body: Uint8Array | undefined): EgressRequest {
  if (typeof head !== 'string') throw new Error('bad request head');
  const parsed = JSON.parse(head) as Record<string, unknown>;
  const { method, url, headers, timeoutMs, redirect } = parsed;
  if (typeof method !== 'string' || typeof url !== 'string' || !Array.isArray(headers)) throw new Error('bad request head');
  const pairs: [string, string][] = [];
  for (const pair of headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new Error('bad request header');
    pairs.push([pair[0], pair[1]]);
  }
  return {
    method: method.toUpperCase(),
    url,
    headers: pairs,
    // A copy the host owns: the caller's view may point into guest memory.
    ...(body && body.length > 0 ? { body: body.slice() } : {}),
    ...(typeof timeoutMs === 'number' && timeoutMs > 0 ? { timeoutMs } : {}),
    ...(redirect === 'manual' || redirect === 'error' ? { redirect } : {}),
  };
}

/** The head of the host's answer; each lane adds how the body travels (inline base64, or a length). */
export function responseHead(response: EgressResponse): Record<string, unknown> {
  if (!response.ok) return { ok: false, kind: response.kind, message: response.message };
  return { ok: true, status: response.status, statusText: response.statusText, url: response.url, headers: response.headers };
}
