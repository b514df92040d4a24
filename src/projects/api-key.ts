/**
 * Project API keys: `isola_<key id hex>_<secret>`. The key id travels in the key so the server finds the
 * one stored row in O(1) and runs the slow KDF once, not once per stored key. Only a scrypt hash of the
 * secret is stored (with its parameters, so they can be raised later without breaking old keys); the
 * key itself is shown once, when it is created.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Stored and shown as `key_<hex>`; the api key carries the hex part. */
export type KeyId = `key_${string}`;

export interface ParsedApiKey {
  keyId: KeyId;
  secret: string;
}

const KEY_PATTERN = /^isola_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const KEY_ID_PATTERN = /^key_[0-9a-f]{16}$/;

/** N = 2^14, r = 8, p = 1: OWASP's floor for scrypt, about 50 ms on one core here. */
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

export function newApiKey(): { keyId: KeyId; apiKey: string; secret: string } {
  const hex = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId: `key_${hex}`, apiKey: `isola_${hex}_${secret}`, secret };
}

/** The key id and secret of a well-formed key; undefined for anything else (never throws). */
export function parseApiKey(token: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  return { keyId: `key_${match[1]}`, secret: match[2] };
}

export function isKeyId(value: string): value is KeyId {
  return KEY_ID_PATTERN.test(value);
}

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  // The callback form runs on libuv's thread pool: the event loop keeps serving while a key is checked.
  return new Promise((resolve, reject) => scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$<salt b64>$<hash b64>` */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(secret, salt, HASH_BYTES, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Whether `secret` matches a stored hash, compared in constant time. A malformed hash matches nothing. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 };
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, options);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast digest of a whole key, for the in-memory cache of keys already verified (never stored). */
export function keyDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Constant-time equality of two secrets of any length (compares their SHA-256 digests). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(keyDigest(a), keyDigest(b));
}
