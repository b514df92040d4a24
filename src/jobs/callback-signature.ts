/**
 * Signatures of job callbacks: `Isola-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
 * the scheme Stripe's webhooks made familiar. The timestamp is signed with the body, so a receiver that
 * refuses old timestamps also refuses a replayed delivery; `verifyCallbackSignature` is what it runs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'isola-signature';

export function signCallback(secret: string, body: string, unixSeconds: number = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

/**
 * True when `header` signs `body` with `secret` and its timestamp is within `toleranceS` of now.
 * For receivers: pass the raw body as received, before parsing it.
 */
export function verifyCallbackSignature(secret: string, header: string | undefined, body: string, toleranceS = 300, nowS: number = Math.floor(Date.now() / 1000)): boolean {
  if (header === undefined) return false;
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isSafeInteger(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowS - t) > toleranceS) return false;
  return timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(hmacHex(secret, `${t}.${body}`), 'hex'));
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}
