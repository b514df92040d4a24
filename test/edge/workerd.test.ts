// `isola/edge` inside workerd (Cloudflare's Workers runtime, from npm): a Worker script imports the bundle
// and QuickJS's module as a static Wasm import, as Workers require, and answers POST requests by running
// code. Its envelopes must equal the Node engine's for the same requests, save ids and clocks.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';

const EDGE_DIR = fileURLToPath(new URL('../../dist/edge/', import.meta.url));
const WORKERD = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));

const WORKER = `import { createEngine } from './isola-edge.js';
import wasm from './quickjs.wasm';
let engine;
export default {
  async fetch(request) {
    // Created on the first request: a Worker may not do this work at start-up.
    engine ??= createEngine({ wasm, host: 'inline' });
    const isola = await engine;
    let body;
    try { body = await request.json(); } catch { return Response.json({ error: { code: 'invalid_request', message: 'not JSON' } }, { status: 400 }); }
    try { return Response.json(await isola.execute(body)); }
    catch (error) { return Response.json(error.toBody ? error.toBody() : { error: { code: 'internal', message: String(error) } }, { status: error.status ?? 500 }); }
  },
};
`;

function config(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .isola) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const isola :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "isola-edge.js", esModule = embed "isola-edge.js"),
    (name = "quickjs.wasm", wasm = embed "quickjs.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

const REQUESTS: unknown[] = [
  { language: 'javascript', code: 'function main({ a, b }) { console.log("adding"); return { sum: a + b }; }', inputs: { a: 2, b: 40 } },
  { language: 'javascript', code: 'function main() { throw new RangeError("out of range"); }' },
  { language: 'javascript', code: 'globalThis.leak = 1; function main() { return { first: true } }' },
  { language: 'javascript', code: 'function main() { return { leak: typeof globalThis.leak } }' },
  { language: 'javascript', code: 'const keep = []; while (true) keep.push("x".repeat(1 << 20) + keep.length);', memory_mb: 32 },
  { language: 'javascript', code: 'while (true) {}', timeout_ms: 300 },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function normalise(envelope: unknown): unknown {
  if (typeof envelope !== 'object' || envelope === null || !('id' in envelope)) return envelope;
  const { id: _id, started_at: _s, finished_at: _f, elapsed_ms: _e, timings: _t, ...rest } = envelope as Record<string, unknown>;
  return rest;
}

let dir: string;
let workerd: ChildProcess;
let url: string;
let node: Engine;
let log = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'isola-workerd-'));
  for (const file of ['isola-edge.js', 'quickjs.wasm']) await copyFile(join(EDGE_DIR, file), join(dir, file));
  await writeFile(join(dir, 'worker.js'), WORKER);
  const port = await freePort();
  await writeFile(join(dir, 'config.capnp'), config(port));
  url = `http://127.0.0.1:${port}/`;
  workerd = spawn(WORKERD, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  workerd.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  workerd.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(url, { method: 'POST', body: JSON.stringify(REQUESTS[0]) });
      break;
    } catch {
      if (Date.now() > until || workerd.exitCode !== null) throw new Error(`workerd did not start: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  node = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
}, 120_000);

afterAll(async () => {
  workerd?.kill('SIGKILL');
  await node?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Typed inputs and outputs, which need a JSON Schema validator that compiles nothing (workerd forbids eval). */
const TYPED: unknown[] = [
  { language: 'javascript', code: 'function main({ n }) { return { twice: n * 2 } }', inputs: { n: '21' }, input_schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }, coerce: true, output_schema: { type: 'object', properties: { twice: { type: 'integer', maximum: 100 } } } },
  { language: 'javascript', code: 'function main() { return { twice: 1000 } }', output_schema: { type: 'object', properties: { twice: { type: 'integer', maximum: 100 } } } },
  { language: 'javascript', code: 'function main(i) { return i }', inputs: { tags: ['ok', 7] }, input_schema: { properties: { tags: { type: 'array', items: { type: 'string' } } } } },
  { language: 'javascript', code: 'function main(i) { return i }', inputs: {}, input_schema: { required: ['name'] } },
  { language: 'javascript', code: 'function main(i) { return i }', inputs: { s: `${'a'.repeat(30_000)}!` }, input_schema: { properties: { s: { pattern: '^(a+)+$' } } } },
  { language: 'javascript', code: 'function main(i) { return i }', input_schema: { type: 'object', propertys: {} } },
];

/** What the Node engine answers: its envelope, or its error body and status. */
async function nodeAnswer(request: unknown): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: normalise(await node.execute(request)) };
  } catch (error) {
    const refused = error as { status: number; toBody(): unknown };
    return { status: refused.status, body: refused.toBody() };
  }
}

describe('isola/edge in workerd', () => {
  it('checks input_schema and output_schema (coerce included) as the Node engine does, without eval', async () => {
    for (const [i, request] of TYPED.entries()) {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(request), signal: AbortSignal.timeout(10_000) });
      const edge = { status: response.status, body: normalise(await response.json()) };
      const expected = await nodeAnswer(request);
      // The rule and pointer must agree; the wording is each validator's own.
      const withoutMessages = (answer: { status: number; body: unknown }) => JSON.parse(JSON.stringify(answer, (key, value) => (key === 'message' ? undefined : value)));
      expect(withoutMessages(edge), `request ${i}: ${log}`).toEqual(withoutMessages(expected));
    }
  }, 60_000);

  it('runs code in a Worker and answers as the Node engine does', async () => {
    for (const [i, request] of REQUESTS.entries()) {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(request), signal: AbortSignal.timeout(10_000) });
      expect(response.status, log).toBe(200);
      const edge = normalise(await response.json());
      expect(edge, `request ${i}`).toEqual(normalise(await node.execute(request)));
    }
  }, 60_000);

  it('refuses what the contract refuses, with the catalog code', async () => {
    const response = await fetch(url, { method: 'POST', body: JSON.stringify({ language: 'python', code: 'print(1)' }) });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported');
    const invalid = await fetch(url, { method: 'POST', body: JSON.stringify({ language: 'javascript', code: 7 }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });
});
