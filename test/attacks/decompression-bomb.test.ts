// A decompression bomb: 1 GiB of zeros that travels as a small compressed body. Decoded, it is far past
// the body limit: the answer is a 413 naming the body, and decoding stops at the limit (the rest of
// the gigabyte is never inflated: seconds of CPU and a gigabyte of garbage if it were). One case per
// Content-Encoding the service accepts.
import { once } from 'node:events';
import { request } from 'node:http';
import { constants, createBrotliCompress, gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useApp } from '../server/helpers.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** gzip and zstd decoders read concatenated members/frames as one stream: 64 x 16 MiB of zeros. */
function repeated(member: Buffer): Buffer {
  return Buffer.concat(Array.from({ length: GIB / (16 * MIB) }, () => member));
}

async function brotliBomb(): Promise<Buffer> {
  const encoder = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 } });
  const chunks: Buffer[] = [];
  encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  const zeros = Buffer.alloc(MIB);
  for (let i = 0; i < GIB / MIB; i++) if (!encoder.write(zeros)) await once(encoder, 'drain');
  encoder.end();
  await once(encoder, 'end');
  return Buffer.concat(chunks);
}

const BOMBS: { encoding: string; make: () => Promise<Buffer> }[] = [
  { encoding: 'gzip', make: async () => repeated(gzipSync(Buffer.alloc(16 * MIB), { level: 9 })) },
  { encoding: 'zstd', make: async () => repeated(zstdCompressSync(Buffer.alloc(16 * MIB))) },
  { encoding: 'br', make: brotliBomb },
];

/** Process CPU time (all threads) in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

describe('decompression bombs', () => {
  const app = useApp();

  it.each(BOMBS)('1 GiB of zeros as $encoding is a 413 and decoding stops at the limit', async ({ encoding, make }) => {
    const bomb = await make();
    expect(bomb.length).toBeLessThan(2 * MIB);
    const before = cpuMs();
    const response = await app().inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, payload: bomb });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large', issues: [{ field: '(body)', message: expect.stringMatching(/^decodes to more than the limit of \d+ bytes$/) }] } });
    // Anything still inflating the rest in the background would show up here.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Decoding the whole gigabyte costs 3-8 s of CPU (measured: gunzip 3.0 s, zstd 6.5 s, br 7.7 s).
    expect(cpuMs() - before).toBeLessThan(1_500);
    // And the service goes on.
    const next = await app().inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ language: 'javascript', code: 'console.log(1)' }) });
    expect(next.json()).toMatchObject({ status: 'completed', stdout: '1\n' });
  }, 60_000);

  it('over a real socket the 413 comes back while the client is still sending', async () => {
    const address = await app().listen({ host: '127.0.0.1', port: 0 });
    const bomb = await BOMBS[0]!.make();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(`${address}/v1/execute`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length } }, (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += String(chunk)));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      });
      outgoing.on('error', reject);
      outgoing.end(bomb);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  }, 60_000);
});
