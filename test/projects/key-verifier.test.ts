// The key verifier against a real SQLite store: the KDF runs once per key and then a digest stands in for
// it, revocation counts at once even for a remembered key, a remembered key expires, and a flood of wrong
// secrets for one key id stops running the KDF without locking out the key's remembered holder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isIsolaError } from '../../src/contract/errors.js';
import { hashSecret, newApiKey } from '../../src/projects/api-key.js';
import { KeyVerifier } from '../../src/projects/key-verifier.js';
import { ProjectStore } from '../../src/projects/project-store.js';

const dir = mkdtempSync(join(tmpdir(), 'isola-verifier-'));
const store = new ProjectStore(dir);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function project() {
  const key = newApiKey();
  const created = store.createProject('p', {}, { keyId: key.keyId, hash: await hashSecret(key.secret) });
  return { id: created.id, ...key };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (!isIsolaError(error)) throw error;
    return error.code;
  }
}

const wrong = (keyId: string) => `isola_${keyId.slice(4)}_${'A'.repeat(43)}`;

describe('KeyVerifier', () => {
  it('runs the KDF once: the next verification of the same key takes a fraction of it', async () => {
    const { apiKey } = await project();
    const verifier = new KeyVerifier(store);
    let started = performance.now();
    await verifier.verify(apiKey);
    const first = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 10; i++) await verifier.verify(apiKey);
    const tenMore = performance.now() - started;
    expect(tenMore).toBeLessThan(first);
  });

  it('revocation counts at once for a remembered key, and a remembered key expires', async () => {
    const { id, apiKey, keyId } = await project();
    let now = 1_000_000;
    const verifier = new KeyVerifier(store, { cacheMs: 1000, now: () => now });
    expect(await codeOf(verifier.verify(apiKey))).toBe('ok');
    // A spliced key with this key id is not taken for the remembered one.
    expect(await codeOf(verifier.verify(wrong(keyId)))).toBe('unauthorized');
    now += 2000;
    expect(await codeOf(verifier.verify(apiKey))).toBe('ok');
    store.revokeKey(id, keyId);
    expect(await codeOf(verifier.verify(apiKey))).toBe('key_revoked');
  });

  it('after failuresPerMinute wrong secrets a key id is refused without the KDF; its remembered holder still passes', async () => {
    const { apiKey, keyId } = await project();
    const verifier = new KeyVerifier(store, { failuresPerMinute: 3 });
    expect(await codeOf(verifier.verify(apiKey))).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await codeOf(verifier.verify(wrong(keyId)))).toBe('unauthorized');
    // The holder who already passed is remembered and keeps working...
    expect(await codeOf(verifier.verify(apiKey))).toBe('ok');
    // ...while anything that would need the KDF is refused without it: even the right key, once forgotten.
    verifier.forget(keyId);
    expect(await codeOf(verifier.verify(apiKey))).toBe('unauthorized');
  });
});
