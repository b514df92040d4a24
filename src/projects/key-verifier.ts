/**
 * Checks a presented project key: one indexed read of its row (every time, so a revocation counts from the
 * very next request, whichever process wrote it), then the slow KDF, unless the same key was verified in
 * the last minute. The cache holds only a SHA-256 digest of keys that already passed the KDF, so it can
 * say "this is the key that passed", never "this key is valid": validity is the row, read each time.
 */
import { timingSafeEqual } from 'node:crypto';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { IsolaError } from '../contract/errors.js';
import { keyDigest, parseApiKey, verifySecret, type KeyId } from './api-key.js';
import type { KeyRecord, ProjectStore } from './project-store.js';

export interface VerifiedKey {
  keyId: KeyId;
  record: KeyRecord;
}

export interface KeyVerifierOptions {
  /** How long a key that passed the KDF skips it. Default 60 s. */
  cacheMs?: number;
  /** Keys remembered at most (the oldest is forgotten first). Default 10,000. */
  cacheEntries?: number;
  /**
   * Wrong secrets a key id may be tried with per minute before the KDF stops running for it (until the
   * minute is over). Default 20. Keys already remembered still pass: the holder of the real key is not
   * locked out by someone guessing at its id.
   */
  failuresPerMinute?: number;
  now?: () => number;
}

const unknownKey = () => new IsolaError('unauthorized', 'Unknown API key: send Authorization: Bearer <project key>', { issues: [{ field: '(authorization)', message: 'not a key of any project' }] });

export class KeyVerifier {
  private readonly cache = new Map<KeyId, { digest: Buffer; until: number }>();
  /** Concurrent first requests with one key share one KDF run. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly cacheMs: number;
  private readonly cacheEntries: number;
  private readonly now: () => number;
  /** Wrong secrets per key id: each costs a KDF run, so a flood of them is stopped before the KDF. */
  private readonly failures: RateLimiterMemory;
  private readonly failuresPerMinute: number;

  constructor(
    private readonly store: ProjectStore,
    options: KeyVerifierOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 60_000;
    this.cacheEntries = options.cacheEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    this.failuresPerMinute = options.failuresPerMinute ?? 20;
    this.failures = new RateLimiterMemory({ points: this.failuresPerMinute, duration: 60 });
  }

  /** The key's row when the key is a project's; throws IsolaError unauthorized or key_revoked. */
  async verify(token: string): Promise<VerifiedKey> {
    const parsed = parseApiKey(token);
    if (!parsed) throw unknownKey();
    const record = this.store.keyRecord(parsed.keyId);
    if (!record) throw unknownKey();
    const digest = keyDigest(token);
    if (!this.cached(parsed.keyId, digest)) {
      if (((await this.failures.get(parsed.keyId))?.consumedPoints ?? 0) >= this.failuresPerMinute) throw unknownKey();
      const id = digest.toString('hex');
      let check = this.pending.get(id);
      if (!check) {
        check = verifySecret(parsed.secret, record.hash).finally(() => this.pending.delete(id));
        this.pending.set(id, check);
      }
      if (!(await check)) {
        await this.failures.penalty(parsed.keyId, 1);
        throw unknownKey();
      }
      this.remember(parsed.keyId, digest);
    }
    // Only after the secret matched: a guessed key id with a wrong secret learns nothing about its state.
    if (record.revoked) {
      this.cache.delete(parsed.keyId);
      throw new IsolaError('key_revoked', `API key ${parsed.keyId} was revoked`, { issues: [{ field: '(authorization)', message: 'revoked key' }] });
    }
    return { keyId: parsed.keyId, record };
  }

  /** The row again, for a principal verified earlier (a batch's later items): revoked keys stop here too. */
  recheck(keyId: KeyId): KeyRecord {
    const record = this.store.keyRecord(keyId);
    if (!record) throw unknownKey();
    if (record.revoked) throw new IsolaError('key_revoked', `API key ${keyId} was revoked`, { issues: [{ field: '(authorization)', message: 'revoked key' }] });
    return record;
  }

  /** Forget a key at once (on revocation), so even the digest does not linger. */
  forget(keyId: string): void {
    this.cache.delete(keyId as KeyId);
  }

  private cached(keyId: KeyId, digest: Buffer): boolean {
    const entry = this.cache.get(keyId);
    if (!entry) return false;
    if (entry.until <= this.now()) {
      this.cache.delete(keyId);
      return false;
    }
    return timingSafeEqual(entry.digest, digest);
  }

  private remember(keyId: KeyId, digest: Buffer): void {
    this.cache.delete(keyId);
    if (this.cache.size >= this.cacheEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(keyId, { digest, until: this.now() + this.cacheMs });
  }
}
