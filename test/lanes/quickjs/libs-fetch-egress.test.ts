// The guest fetch library against a real HTTP server, through the engine's egress bridge: binary bodies
// survive the base64 crossing both ways, Blob bodies keep their type, and timeout signals end slow
// requests. (FormData uploads are covered in libs-fetch.test.ts until bootstrap exposes FormData.)
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../../engine/helpers.js';

// The operator opens loopback for this test file only.
const { run } = useEngine({ egress: { allowPrivate: true } });
const BIG = Buffer.alloc(1 << 20, 0).map((_, i) => (i * 7 + 3) & 255);

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(BIG);
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 3000);
      if (req.url === '/form') {
        const form = await new Request('http://local/form', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body }).formData();
        const file = form.get('file') as File;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: form.get('name'), file: [file.name, file.type, await file.text()] }));
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-sha256': createHash('sha256').update(body).digest('hex') });
      res.end(JSON.stringify({ length: body.length, type: req.headers['content-type'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const allow = () => ({ network: { allow: [new URL(base).host] } });

describe('guest fetch through the egress bridge', () => {
  it('binary bodies cross intact in both directions', async () => {
    const response = await run({
      ...allow(),
      inputs: { base },
      // Hashing 300 KB and the big body in the interpreter takes seconds on a loaded machine: this checks bytes, not speed.
      timeout_ms: 30_000,
      code: `async function main({ base }) {
  const crypto = require('crypto');
  const sent = new Uint8Array(300000).map((_, i) => (i * 13) & 255);
  const echo = await fetch(base + '/echo', { method: 'POST', body: sent });
  const big = new Uint8Array(await (await fetch(base + '/big')).arrayBuffer());
  return { echo: await echo.json(), sentSha: crypto.createHash('sha256').update(sent).digest('hex'), echoSha: echo.headers.get('x-sha256'),
    bigLength: big.length, bigSha: crypto.createHash('sha256').update(big).digest('hex') };
}`,
    });
    expect(response.error).toBeNull();
    const output = response.output as Record<string, unknown>;
    expect(output['echo']).toEqual({ length: 300000, type: null });
    expect(output['echoSha']).toBe(output['sentSha']);
    expect(output['bigLength']).toBe(BIG.length);
    expect(output['bigSha']).toBe(createHash('sha256').update(BIG).digest('hex'));
  }, 40_000);

  it('a Blob body is sent with its type', async () => {
    const response = await run({
      ...allow(),
      inputs: { base },
      code: `async function main({ base }) {
  const { Blob } = require('node:buffer');
  const res = await fetch(base + '/echo', { method: 'PUT', body: new Blob(['a,b\\n', new Uint8Array([49, 44, 50])], { type: 'text/csv' }) });
  return res.json();
}`,
    });
    expect(response.output).toEqual({ length: 7, type: 'text/csv' });
  });

  // Regression: the run ended while the host still held the guest's fetch promise, and freeing the
  // context with it alive aborted the whole Wasm module (an internal error instead of the result).
  it('a run that returns while a fetch is still in flight completes normally', async () => {
    const response = await run({
      ...allow(),
      inputs: { base },
      code: `async function main({ base }) { fetch(base + '/slow').catch(() => {}); return 'done'; }`,
    });
    expect(response.error).toBeNull();
    expect(response.output).toBe('done');
  });

  it('an AbortSignal.timeout ends a slow request with TimeoutError', async () => {
    const started = Date.now();
    const response = await run({
      ...allow(),
      inputs: { base },
      code: `async function main({ base }) {
  try { await fetch(base + '/slow', { signal: AbortSignal.timeout(300) }); return 'resolved'; }
  catch (error) { return error.name; }
}`,
    });
    expect(response.error).toBeNull();
    expect(response.output).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
