// node:crypto in the sandbox: hashes and HMACs equal node:crypto's; randomness is well-formed and fresh.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { guestValue } from './lib-harness.js';

const INPUTS = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(1000), 'héllo 😀', 'The quick brown fox jumps over the lazy dog'];
const ALGORITHMS = ['sha256', 'sha1', 'md5'];

describe('crypto lib', () => {
  it('hashes and HMACs like node:crypto, including chunked updates and long keys', async () => {
    const got = await guestValue(`const c = lib('crypto'); const out = [];
      for (const s of ${JSON.stringify(INPUTS)}) for (const a of ${JSON.stringify(ALGORITHMS)}) {
        const chunked = c.createHash(a); for (const ch of s) chunked.update(ch);
        out.push(c.createHash(a).update(s).digest('hex'), chunked.digest('base64url'), c.createHmac(a, 'key').update(s).digest('base64'),
          c.createHmac(a, 'k'.repeat(100)).update(Buffer.from(s)).digest('hex'));
      }
      return out;`);
    const expected: string[] = [];
    for (const s of INPUTS) {
      for (const a of ALGORITHMS) {
        expected.push(createHash(a).update(s).digest('hex'), createHash(a).update(s).digest('base64url'), createHmac(a, 'key').update(s).digest('base64'),
          createHmac(a, 'k'.repeat(100)).update(Buffer.from(s)).digest('hex'));
      }
    }
    expect(got).toEqual(expected);
  });

  it('returns Buffers, supports copy(), and rejects unknown digests and reuse', async () => {
    const got = await guestValue(`const c = lib('crypto');
      const h = c.createHash('sha256').update('ab'); const copy = h.copy().update('c');
      const errors = [];
      for (const f of [() => c.createHash('sha3-999'), () => h.digest() && h.digest()]) { try { f(); } catch (e) { errors.push(e.message); } }
      return [Buffer.isBuffer(c.createHash('md5').update('x').digest()), copy.digest('hex'), c.hash('sha1', 'abc'), errors];`);
    expect(got).toEqual([true, createHash('sha256').update('abc').digest('hex'), createHash('sha1').update('abc').digest('hex'), ['Digest method not supported', 'Digest already called']]);
  });

  it('produces well-formed, distinct random values from the host CSPRNG', async () => {
    const got = await guestValue<[string[], number[], number, boolean, number[], string]>(`const c = lib('crypto');
      const ints = Array.from({ length: 200 }, () => c.randomInt(5, 10));
      let quota; try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e) { quota = e.name; }
      return [[c.randomUUID(), c.randomUUID(), crypto.randomUUID()], ints, c.randomBytes(16).length,
        c.timingSafeEqual(Buffer.from('same'), Buffer.from('same')), Array.from(crypto.getRandomValues(new Uint32Array(4))), quota];`);
    const [uuids, ints, length, equal, words, quota] = got;
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(3);
    expect(Math.min(...ints)).toBe(5);
    expect(Math.max(...ints)).toBe(9);
    expect([length, equal, quota]).toEqual([16, true, 'QuotaExceededError']);
    expect(new Set(words).size).toBe(4);
  });
});
