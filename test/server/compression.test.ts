// Compressed bodies both ways, over app.inject: requests in gzip, br or zstd on every route, decoded
// under the route's limits; answers in what Accept-Encoding asks for. The bomb cases are in
// test/attacks/decompression-bomb.test.ts.
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useApp } from './helpers.js';

const ENCODERS: Record<string, (body: Buffer) => Buffer> = { gzip: gzipSync, br: brotliCompressSync, zstd: zstdCompressSync };
const DECODERS: Record<string, (body: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync, zstd: zstdDecompressSync };
const SUM = { language: 'javascript', code: 'function main({ values }) { return values.reduce((a, b) => a + b, 0) }', inputs: { values: [1, 2, 3] } };
const json = { 'content-type': 'application/json' };

describe('compressed request bodies', () => {
  const app = useApp();
  const send = (payload: Buffer, headers: Record<string, string>, url = '/v1/execute') => app().inject({ method: 'POST', url, headers: { ...json, ...headers }, payload });

  it.each(Object.keys(ENCODERS))('a %s body is decoded and runs', async (encoding) => {
    const response = await send(ENCODERS[encoding]!(Buffer.from(JSON.stringify(SUM))), { 'content-encoding': encoding });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'completed', output: 6 });
  });

  it('the header is case-insensitive, and identity means none', async () => {
    expect((await send(gzipSync(JSON.stringify(SUM)), { 'content-encoding': 'GZip' })).json()).toMatchObject({ output: 6 });
    expect((await send(Buffer.from(JSON.stringify(SUM)), { 'content-encoding': 'identity' })).json()).toMatchObject({ output: 6 });
  });

  it.each(['deflate', 'compress', 'gzip, br', 'x-unknown'])('Content-Encoding %s is a 415 naming the header', async (encoding) => {
    const response = await send(gzipSync(JSON.stringify(SUM)), { 'content-encoding': encoding });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_media_type', issues: [{ field: '(content-encoding)' }] } });
  });

  it.each(Object.keys(ENCODERS))('a body that is not %s is a 400 naming the body', async (encoding) => {
    const response = await send(Buffer.from('{"not": "compressed", "but": "labelled so"}'), { 'content-encoding': encoding });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: '(body)', message: expect.stringContaining(`is not valid ${encoding}`) }] } });
  });

  it('the inputs limit applies to the decoded inputs: 11 MiB of inputs in a 12 KB body is a 413 naming inputs', async () => {
    const body = gzipSync(JSON.stringify({ ...SUM, inputs: { text: 'a'.repeat(11 * 1024 * 1024) } }));
    expect(body.length).toBeLessThan(100_000);
    const response = await send(body, { 'content-encoding': 'gzip' });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large', issues: [{ field: 'inputs' }] } });
  });

  it('over a real socket, with the encoded Content-Length', async () => {
    const address = await app().listen({ host: '127.0.0.1', port: 0 });
    const body = brotliCompressSync(Buffer.from(JSON.stringify(SUM)));
    const response = await fetch(`${address}/v1/execute`, { method: 'POST', headers: { ...json, 'content-encoding': 'br', 'content-length': String(body.length), 'accept-encoding': 'gzip' }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'completed', output: 6 });
  });

  it('other routes take compressed bodies too: /v1/batch NDJSON in zstd', async () => {
    const lines = [JSON.stringify({ ...SUM, id: 'a' }), JSON.stringify({ ...SUM, id: 'b', inputs: { values: [5] } })].join('\n');
    const response = await send(zstdCompressSync(Buffer.from(lines)), { 'content-type': 'application/x-ndjson', 'content-encoding': 'zstd', 'accept-encoding': 'zstd' }, '/v1/batch');
    expect(response.statusCode).toBe(200);
    // A stream is sent as it comes (lines arrive as executions finish), never compressed.
    expect(response.headers['content-encoding']).toBeUndefined();
    const results = response.body.trim().split('\n').map((line) => JSON.parse(line) as { id: string; result: { output: number } });
    expect(Object.fromEntries(results.map((line) => [line.id, line.result.output]))).toEqual({ a: 6, b: 5 });
  });
});

describe('compressed answers', () => {
  const app = useApp();
  const big = { language: 'javascript', code: 'console.log("row,".repeat(2000))' };
  const ask = (acceptEncoding: string | undefined, body: unknown = big) =>
    app().inject({ method: 'POST', url: '/v1/execute', headers: { ...json, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) }, payload: JSON.stringify(body) });

  it.each(Object.keys(DECODERS))('Accept-Encoding %s gets the envelope in %s', async (encoding) => {
    const response = await ask(encoding);
    expect(response.headers['content-encoding']).toBe(encoding);
    expect(response.headers['vary']).toMatch(/accept-encoding/i);
    expect(response.rawPayload.length).toBeLessThan(2_000);
    const envelope = JSON.parse(DECODERS[encoding]!(response.rawPayload).toString('utf8')) as { stdout: string };
    expect(envelope.stdout).toBe(`${'row,'.repeat(2000)}\n`);
  });

  it('the client weights win; with none, zstd is preferred', async () => {
    expect((await ask('gzip;q=1, br;q=0.5')).headers['content-encoding']).toBe('gzip');
    expect((await ask('gzip, br, zstd')).headers['content-encoding']).toBe('zstd');
  });

  it('no Accept-Encoding, identity only, or a small body: sent as is', async () => {
    expect((await ask(undefined)).headers['content-encoding']).toBeUndefined();
    expect((await ask('identity')).headers['content-encoding']).toBeUndefined();
    const small = await ask('gzip', { language: 'javascript', code: '1' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json()).toMatchObject({ status: 'completed' });
  });
});
