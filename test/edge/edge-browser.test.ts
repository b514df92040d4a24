// `isola/edge` in a real headless Chromium: the bundle built by `npm run build` is loaded by a page, runs
// the seed patterns (main with inputs, a script printing JSON, a throw, a deadline, a memory bomb, an
// isolation check, refusals), and every envelope must equal the Node engine's for the same request, save
// ids and clocks. Twice: on a cross-origin-isolated page (COOP/COEP: the interrupt word is a
// SharedArrayBuffer) and on a plain one (cancel stops the worker).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';

const EDGE_DIR = fileURLToPath(new URL('../../dist/edge/', import.meta.url));
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>isola/edge</title>
<script type="module">
import { createEngine } from '/edge/isola-edge.js';
const engine = await createEngine({ workers: 1, python: globalThis.crossOriginIsolated });
window.isolated = globalThis.crossOriginIsolated;
window.run = async (requests) => {
  const out = [];
  for (const request of requests) {
    try { out.push(await engine.execute(request)); }
    catch (error) { out.push({ refused: error.code, status: error.status }); }
  }
  return out;
};
window.runCancelled = async (request, afterMs) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), afterMs);
  return engine.execute(request, { signal: controller.signal });
};
window.ready = true;
</script>`;

/** The seed patterns, in the order they run on one worker. */
const SEEDS: unknown[] = [
  { language: 'javascript', code: 'function main({ a, b }) { console.log("adding"); return { sum: a + b }; }', inputs: { a: 2, b: 40 } },
  { language: 'javascript', code: 'const inputs = JSON.parse(require("fs").readFileSync("inputs.json", "utf8"));\nconsole.log(JSON.stringify({ echoed: inputs.x }));', inputs: { x: [1, 'two'] } },
  { language: 'javascript', code: 'function main() { throw new TypeError("bad thing"); }' },
  { language: 'javascript', code: 'console.error("spinning"); while (true) {}', timeout_ms: 200 },
  { language: 'javascript', code: 'const keep = []; while (true) keep.push("x".repeat(1 << 20) + keep.length);', memory_mb: 32 },
  { language: 'javascript', code: 'globalThis.leak = "secret"; Object.prototype.polluted = 1; Array.prototype.map = () => "hijacked"; function main() { return { set: true }; }' },
  { language: 'javascript', code: 'function main() { return { leak: typeof globalThis.leak, polluted: ({}).polluted ?? null, map: [1, 2].map((x) => x * 2) }; }' },
  { language: 'python', code: 'print(1)' },
  { language: 'javascript' },
];
/** Python: only on the cross-origin isolated page (its control memory is shared). */
const PYTHON_SEEDS: unknown[] = [
  { language: 'python', code: 'def main(a: int, b: int) -> dict:\n    print("adding")\n    return {"sum": a + b}\n', inputs: { a: 2, b: 40 } },
  { language: 'python', code: 'import json\nprint(json.dumps({"echoed": json.load(open("inputs.json"))["x"]}))\n', inputs: { x: [1, 'two'] } },
  { language: 'python', code: 'def main():\n    raise ValueError("bad thing")\n' },
  { language: 'python', code: 'while True:\n    pass\n', timeout_ms: 300 },
  { language: 'python', code: 'keep = []\nwhile True:\n    keep.append(bytearray(1 << 20))\n', memory_mb: 64 },
  { language: 'python', code: 'import builtins, json\nbuiltins.leak = "secret"\njson.dumps = lambda *a, **k: "hijacked"\nopen("/tmp/left", "w").write("x")\ndef main():\n    return {"set": True}\n' },
  { language: 'python', code: 'import builtins, json, os\ndef main():\n    return {"leak": hasattr(builtins, "leak"), "dumps": json.dumps([1]), "left": os.path.exists("/tmp/left")}\n' },
];

/** Where the edge differs from Node on purpose: no environment builds (npm installs) in a browser. */
const PACKAGES = { language: 'javascript', code: 'function main() { return 1 }', packages: ['lodash@4'] };

function normalise(envelope: unknown): unknown {
  if (typeof envelope !== 'object' || envelope === null || !('id' in envelope)) return envelope;
  const { id: _id, started_at: _s, finished_at: _f, elapsed_ms: _e, timings: _t, ...rest } = envelope as Record<string, unknown>;
  return rest;
}

async function serve(isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html']! }).end(PAGE);
      return;
    }
    const name = url.pathname.replace(/^\/edge\//, '');
    if (!url.pathname.startsWith('/edge/') || name.includes('/') || name.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(EDGE_DIR, name)).then(
      (bytes) => res.writeHead(200, { ...headers, 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

let browser: Browser;
let node: Engine;
let nodeEnvelopes: unknown[];
let nodePython: Engine;
let nodePythonEnvelopes: unknown[];
const servers: Server[] = [];

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error("no Chromium: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  node = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
  nodePython = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
  nodePythonEnvelopes = [];
  for (const request of PYTHON_SEEDS) nodePythonEnvelopes.push(normalise(await nodePython.execute(request)));
  nodeEnvelopes = [];
  for (const request of SEEDS) {
    try {
      nodeEnvelopes.push(normalise(await node.execute(request)));
    } catch (error) {
      const { code, status } = error as { code: string; status: number };
      nodeEnvelopes.push({ refused: code, status });
    }
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  await nodePython?.close();
  for (const server of servers) server.close();
});

async function openPage(isolated: boolean): Promise<Page> {
  const server = await serve(isolated);
  servers.push(server);
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 90_000 }).catch((error: unknown) => {
    throw new Error(`the edge engine did not start: ${problems.join('; ') || String(error)}`);
  });
  return page;
}

describe('the isola/edge bundle', () => {
  it('holds no Node module import', async () => {
    for (const file of ['isola-edge.js', 'quickjs-worker.js']) {
      const text = await readFile(join(EDGE_DIR, file), 'utf8');
      expect(text, file).not.toMatch(/(?:from\s*|import\(\s*|require\(\s*)["']node:/);
    }
  });
});

describe.each([
  { isolated: true, label: 'cross-origin isolated (SharedArrayBuffer interrupt)' },
  { isolated: false, label: 'not isolated (worker termination)' },
])('isola/edge in Chromium, $label', ({ isolated }) => {
  // One page per kind: on the isolated one the engine also loads Python (~180 MB), once.
  let page: Page;
  beforeAll(async () => {
    page = await openPage(isolated);
  }, 120_000);
  afterAll(async () => page?.close());

  it('answers every seed request exactly as the Node engine does', async () => {
    expect(await page.evaluate(() => (window as unknown as { isolated: boolean }).isolated)).toBe(isolated);
    const envelopes = await page.evaluate((requests) => (window as unknown as { run(r: unknown[]): Promise<unknown[]> }).run(requests), SEEDS);
    const edge = envelopes.map(normalise);
    // The figures the comparison rests on, stated outright (so a both-wrong answer fails too).
    expect(edge[0]).toMatchObject({ status: 'completed', output: { sum: 42 }, stdout: 'adding\n' });
    expect(edge[3]).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(edge[4]).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
    expect(edge[6]).toMatchObject({ output: { leak: 'undefined', polluted: null, map: [2, 4] } });
    // Python is refused where the page cannot share memory, as by a Node engine without the lane.
    if (!isolated) expect(edge[7]).toEqual({ refused: 'unsupported', status: 422 });
    expect(edge[8]).toEqual({ refused: 'invalid_request', status: 400 });
    for (const [i, envelope] of edge.entries()) {
      // Seed 7 is Python: the isolated page runs it (next test), the Node engine here has no Python lane.
      if (!(isolated && i === 7)) expect(envelope, `seed ${i}`).toEqual(nodeEnvelopes[i]);
    }
    const [packages] = await page.evaluate((request) => (window as unknown as { run(r: unknown[]): Promise<unknown[]> }).run([request]), PACKAGES);
    expect(packages).toMatchObject({ status: 'error', error: { type: 'package_unavailable' }, environment: { lane: 'quickjs' } });
  }, 90_000);

  it.runIf(isolated)('runs Python in a Web Worker exactly as the Node engine does', async () => {
    const edge = (await page.evaluate((requests) => (window as unknown as { run(r: unknown[]): Promise<unknown[]> }).run(requests), PYTHON_SEEDS)).map(normalise);
    expect(edge[0]).toMatchObject({ status: 'completed', output: { sum: 42 }, stdout: 'adding\n', environment: { lane: 'cpython' } });
    expect(edge[3]).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(edge[4]).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
    expect(edge[6]).toMatchObject({ output: { leak: false, dumps: '[1]', left: false } });
    for (const [i, envelope] of edge.entries()) expect(envelope, `python seed ${i}`).toEqual(nodePythonEnvelopes[i]);
  }, 120_000);

  it('cancels a running execution and keeps serving', async () => {
    const cancelled = await page.evaluate(() =>
      (window as unknown as { runCancelled(r: unknown, ms: number): Promise<unknown> }).runCancelled({ language: 'javascript', code: 'while (true) {}', timeout_ms: 20_000 }, 150),
    );
    expect(cancelled).toMatchObject({ status: 'error', error: { type: 'cancelled' }, return_code: null });
    const [after] = await page.evaluate(() => (window as unknown as { run(r: unknown[]): Promise<unknown[]> }).run([{ language: 'javascript', code: 'function main() { return { alive: true } }' }]));
    expect(after).toMatchObject({ status: 'completed', output: { alive: true } });
  }, 60_000);
});
