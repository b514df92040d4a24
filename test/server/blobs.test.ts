/** POST /v1/blobs and GET /v1/blobs/:id through the HTTP face: content addressing, the cap, ranges. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JS_ONLY, useAppWithStore } from './helpers.js';

describe('blob store routes', () => {
  const served = useAppWithStore('isola-blobs-', { workers: JS_ONLY, maxBlobBytes: 1024 * 1024, prewarm: false });

  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const sha = createHash('sha256').update(bytes).digest('hex');
  const upload = (payload: Buffer | string, contentType = 'image/png') => served.app().inject({ method: 'POST', url: '/v1/blobs', headers: { 'content-type': contentType }, payload });

  it('stores bytes under their SHA-256 and answers id, size, sha256 and mime_type', async () => {
    const res = await upload(bytes);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: sha, size: 1000, sha256: sha, mime_type: 'image/png' });
    // The same bytes again: the same id, nothing new.
    expect((await upload(bytes)).json()).toMatchObject({ id: sha });
  });

  it('takes any content type, JSON included, as raw bytes', async () => {
    const res = await upload('{"not": "parsed"}', 'application/json');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ size: 17, mime_type: 'application/json', id: createHash('sha256').update('{"not": "parsed"}').digest('hex') });
  });

  it('streams a blob back whole, and one range with 206', async () => {
    await upload(bytes);
    const whole = await served.app().inject({ method: 'GET', url: `/v1/blobs/${sha}` });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('image/png');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(bytes)).toBe(true);
    for (const [range, start, end] of [['bytes=10-19', 10, 19], ['bytes=990-', 990, 999], ['bytes=-5', 995, 999], ['bytes=995-5000', 995, 999]] as const) {
      const part = await served.app().inject({ method: 'GET', url: `/v1/blobs/${sha}`, headers: { range } });
      expect(part.statusCode, range).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
      expect(part.rawPayload.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers 416 for a range past the end and 404 for an unknown id', async () => {
    await upload(bytes);
    const past = await served.app().inject({ method: 'GET', url: `/v1/blobs/${sha}`, headers: { range: 'bytes=1000-' } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */1000');
    expect(past.json().error.code).toBe('range_not_satisfiable');
    for (const id of ['0'.repeat(64), '../../etc/passwd', 'not-hex']) {
      const missing = await served.app().inject({ method: 'GET', url: `/v1/blobs/${encodeURIComponent(id)}` });
      expect(missing.statusCode, id).toBe(404);
      expect(missing.json().error.code).toBe('blob_not_found');
    }
  });

  it('refuses a blob over the limit with 413 and keeps nothing of it', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 7);
    const res = await upload(big, 'application/octet-stream');
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    const id = createHash('sha256').update(big).digest('hex');
    expect((await served.app().inject({ method: 'GET', url: `/v1/blobs/${id}` })).statusCode).toBe(404);
  });

  it('is in /openapi.json', async () => {
    const doc = (await served.app().inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/blobs', '/v1/blobs/{id}']));
  });
});

describe('blob expiry', () => {
  const TTL_MS = 1000;
  // The sweeper's own timer is off (0): the test sweeps when it wants, at a time it chooses.
  const served = useAppWithStore('isola-blobs-ttl-', { workers: JS_ONLY, blobTtlMs: TTL_MS, blobSweepMs: 0 });
  const upload = async (payload: string) => (await served.app().inject({ method: 'POST', url: '/v1/blobs', headers: { 'content-type': 'text/plain' }, payload })).json() as { id: string };
  const onDisk = (id: string) => existsSync(join(served.storeDir(), 'blobs', id.slice(0, 2), id));

  it('a blob unused for the TTL is deleted from disk by the sweeper and answers 404; one referenced recently stays', async () => {
    const unused = await upload('nobody reads me');
    const read = await upload('read again later');
    expect(onDisk(unused.id) && onDisk(read.id)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    // A download is a reference: this blob's TTL starts again now.
    expect((await served.app().inject({ method: 'GET', url: `/v1/blobs/${read.id}` })).statusCode).toBe(200);
    // Half a TTL from now: the first blob is 1.1 TTL old, the second half a TTL.
    const report = await served.engine().blobs!.sweep(Date.now() + TTL_MS / 2);
    expect(report).toEqual({ records: 1, blobs: 1 });
    expect(onDisk(unused.id)).toBe(false);
    const gone = await served.app().inject({ method: 'GET', url: `/v1/blobs/${unused.id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('blob_not_found');
    expect(onDisk(read.id)).toBe(true);
    expect((await served.app().inject({ method: 'GET', url: `/v1/blobs/${read.id}` })).body).toBe('read again later');
  });

  it('an item naming a blob renews it; an expired one is blob_not_found naming the field', async () => {
    const named = await upload('named by an item');
    const code = 'function execute(args, ctx) { return { text: new TextDecoder().decode(ctx.binary.get("f")) } }';
    const run = (id: string) => served.app().inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json' }, payload: { language: 'javascript', code, items: [{ json: {}, binary: { f: { id } } }] } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await run(named.id)).json().items.main[0].json).toEqual({ text: 'named by an item' });
    await served.engine().blobs!.sweep(Date.now() + TTL_MS / 2);
    expect(onDisk(named.id)).toBe(true);
    await served.engine().blobs!.sweep(Date.now() + TTL_MS * 2);
    expect(onDisk(named.id)).toBe(false);
    const expired = await run(named.id);
    expect(expired.statusCode).toBe(404);
    expect(expired.json().error).toMatchObject({ code: 'blob_not_found', issues: [{ field: 'items.0.binary.f.id' }] });
  });

  it('the same bytes held by two owners stay on disk until both records expired', async () => {
    const store = served.engine().blobs!;
    const a = await store.putBytes('prj_a', new TextEncoder().encode('shared bytes'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await store.putBytes('prj_b', new TextEncoder().encode('shared bytes'));
    expect(await store.sweep(Date.now() + TTL_MS / 2)).toEqual({ records: 1, blobs: 0 });
    expect(await store.stat('prj_a', a.id)).toBeUndefined();
    expect(onDisk(a.id)).toBe(true);
    expect(await store.sweep(Date.now() + TTL_MS * 2)).toMatchObject({ blobs: 1 });
    expect(onDisk(a.id)).toBe(false);
  });
});
