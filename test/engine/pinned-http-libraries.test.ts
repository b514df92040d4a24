import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

// The HTTP libraries users pin (Intellectible's own example pins requests==2.31.0) are real installs from
// the package registries, sending to a real local server through the host's egress bridge (Wasm lanes)
// or the egress proxy (native lane). The operator opens loopback for the test and injects a credential
// only the server sees; example.com is never allow-listed, so it is the denied host.
let server: Server;
let port = 0;
let engine: Engine;
let storeDir: string;
const seen: { path: string; method: string; apiKey: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', apiKey: req.headers['x-api-key'] as string | undefined });
      if (req.url?.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 4000).unref();
        return;
      }
      if (req.url?.startsWith('/moved')) {
        res.writeHead(302, { location: '/landed?from=moved' }).end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, method: req.method, body, ua: req.headers['user-agent'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  // A store the sandbox uid can reach (as in the other native-lane tests): the default one sits in the
  // checkout, which may be inside a 0700 directory (a mktemp -d clone), and the native lane refuses that.
  storeDir = mkdtempSync(join(tmpdir(), 'isola-pinned-http-'));
  chmodSync(storeDir, 0o755);
  engine = await createEngine({
    storeDir,
    workers: { quickjs: 1, cpython: 1, native: 1 },
    egress: { allowPrivate: true, credentials: [{ host: `127.0.0.1:${port}`, headers: { 'x-api-key': 'operator-secret' } }] },
  });
}, 180_000);
afterAll(async () => {
  await engine?.close();
  rmSync(storeDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

interface Probe {
  version: string;
  get: { path: string; method: string; ua: string | null };
  post: { path: string; method: string; body: string };
  redirected: string;
  timeout: string;
  denied: string;
}

const run = (language: 'python' | 'javascript', code: string, packages: string[], runtime: 'auto' | 'native' = 'auto') =>
  engine.execute({ language, code, packages, runtime, inputs: { base: `http://127.0.0.1:${port}` }, network: { allow: [`127.0.0.1:${port}`] }, timeout_ms: 60_000 });

/** Every library: the same five behaviours, in that library's own words. */
function expectProbe(output: unknown, expected: { ua: RegExp; timeout: RegExp; denied: RegExp }) {
  const probe = output as Probe;
  expect(probe.get).toMatchObject({ path: '/get?page=2&q=a+b', method: 'GET' });
  expect(probe.get.ua).toMatch(expected.ua);
  expect(probe.post).toMatchObject({ path: '/post', method: 'POST' });
  expect(JSON.parse(probe.post.body)).toEqual({ n: 1 });
  expect(probe.redirected).toBe('/landed?from=moved');
  expect(probe.timeout).toMatch(expected.timeout);
  expect(probe.denied).toMatch(expected.denied);
  // The operator's credential reached the server on the library's requests; guest code never saw it.
  expect(seen.filter((hit) => hit.path === '/get?page=2&q=a+b').at(-1)?.apiKey).toBe('operator-secret');
}

const REQUESTS = `
import requests

def main(base):
    out = {"version": requests.__version__}
    out["get"] = requests.get(base + "/get", params={"page": 2, "q": "a b"}, timeout=10).json()
    out["post"] = requests.post(base + "/post", json={"n": 1}).json()
    moved = requests.get(base + "/moved")
    out["redirected"] = moved.json()["path"] if [r.status_code for r in moved.history] == [302] else "no history"
    try:
        requests.get(base + "/slow", timeout=0.5)
        out["timeout"] = "none"
    except requests.exceptions.Timeout as e:
        out["timeout"] = type(e).__name__
    try:
        requests.get("http://example.com/")
        out["denied"] = "none"
    except requests.exceptions.ConnectionError as e:
        out["denied"] = type(e).__name__ + ": " + str(e)
    return out
`;

const HTTPX = `
import asyncio
import httpx

async def post(base):
    async with httpx.AsyncClient(base_url=base) as client:
        return (await client.post("/post", json={"n": 1})).json()

def main(base):
    out = {"version": httpx.__version__}
    out["get"] = httpx.get(base + "/get", params={"page": 2, "q": "a b"}).json()
    out["post"] = asyncio.run(post(base))
    with httpx.Client(follow_redirects=True) as client:
        moved = client.get(base + "/moved")
        out["redirected"] = moved.json()["path"] if [r.status_code for r in moved.history] == [302] else "no history"
    try:
        httpx.get(base + "/slow", timeout=0.5)
        out["timeout"] = "none"
    except httpx.TimeoutException as e:
        out["timeout"] = type(e).__name__
    try:
        httpx.get("http://example.com/")
        out["denied"] = "none"
    except httpx.ConnectError as e:
        out["denied"] = type(e).__name__ + " " + str(isinstance(e, PermissionError)) + ": " + str(e)
    return out
`;

const AIOHTTP = `
import asyncio
import aiohttp

async def probe(base):
    out = {"version": aiohttp.__version__}
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/get", params={"page": "2", "q": "a b"}) as r:
            out["get"] = await r.json()
        async with session.post(base + "/post", json={"n": 1}) as r:
            out["post"] = await r.json()
        async with session.get(base + "/moved") as r:
            out["redirected"] = (await r.json())["path"]
        try:
            await session.get(base + "/slow", timeout=aiohttp.ClientTimeout(total=0.5))
            out["timeout"] = "none"
        except asyncio.TimeoutError as e:
            out["timeout"] = type(e).__name__
        try:
            async with session.get("http://example.com/") as r:
                # Through the native lane's proxy a refusal is the proxy's own answer.
                out["denied"] = "status %d: %s" % (r.status, await r.text())
        except aiohttp.ClientConnectionError as e:
            out["denied"] = type(e).__name__ + " " + str(isinstance(e, PermissionError)) + ": " + str(e)
    return out

def main(base):
    return asyncio.run(probe(base))
`;

describe('pinned Python HTTP libraries go through the egress bridge', () => {
  it.each([
    ['requests==2.31.0', 'urllib3 2.x'],
    ['requests==2.25.1', 'urllib3 1.26'],
  ])('%s (%s): params, json, redirects, timeouts and denials as requests reports them', async (spec) => {
    const response = await run('python', REQUESTS, [spec]);
    expect(response.error).toBeNull();
    expect(response.environment?.lane).toBe('cpython');
    expect((response.output as Probe).version).toBe(spec.split('==')[1]);
    expectProbe(response.output, { ua: /^python-requests\//, timeout: /^ReadTimeout$/, denied: /^ConnectionError: .*denied: example\.com:80/ });
  }, 120_000);

  it('httpx (sync and async clients)', async () => {
    const response = await run('python', HTTPX, ['httpx']);
    expect(response.error).toBeNull();
    expectProbe(response.output, { ua: /^python-httpx\//, timeout: /^ReadTimeout$/, denied: /^EgressDenied True: example\.com:80/ });
  }, 120_000);

  it('aiohttp', async () => {
    const response = await run('python', AIOHTTP, ['aiohttp']);
    expect(response.error).toBeNull();
    expectProbe(response.output, { ua: /aiohttp\//, timeout: /TimeoutError$/, denied: /^EgressDenied True: example\.com:80/ });
  }, 120_000);

  it('aiohttp in the native lane reaches the egress proxy without trust_env=True', async () => {
    const response = await run('python', AIOHTTP, ['aiohttp'], 'native');
    expect(response.error).toBeNull();
    expect(response.environment?.lane).toBe('native');
    expectProbe(response.output, { ua: /aiohttp\//, timeout: /TimeoutError$/, denied: /^status 403: .*example\.com/ });
  }, 180_000);
});

const probeJs = (client: string, imports: string) => `
${imports}
export async function main({ base }) {
  const out = { version: 'n/a' };
  ${client}
  out.get = await getJson(base + '/get?page=2&q=a+b');
  out.post = await postJson(base + '/post', { n: 1 });
  out.redirected = (await getJson(base + '/moved')).path;
  try { await getJson(base + '/slow', 500); out.timeout = 'none'; } catch (e) { out.timeout = 'timeout: ' + (e?.name ?? e); }
  try { await getJson('http://example.com/'); out.denied = 'none'; } catch (e) { out.denied = 'denied: ' + (e?.name ?? e) + ' ' + (e?.message ?? ''); }
  return out;
}
`;

const JS_CLIENTS: [string, string, string, string[]][] = [
  [
    'axios',
    "import axios from 'axios';",
    `const getJson = async (url, timeout) => (await axios.get(url, { timeout })).data;
     const postJson = async (url, body) => (await axios.post(url, body)).data;`,
    ['axios'],
  ],
  [
    'ky',
    "import ky from 'ky';",
    `const getJson = (url, timeout) => ky.get(url, { timeout: timeout ?? 10000, retry: 0 }).json();
     const postJson = (url, body) => ky.post(url, { json: body }).json();`,
    ['ky'],
  ],
  [
    'node-fetch',
    "import fetch from 'node-fetch';",
    `const getJson = async (url, timeout) => (await fetch(url, { signal: timeout ? AbortSignal.timeout(timeout) : undefined })).json();
     const postJson = async (url, body) => (await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json();`,
    ['node-fetch'],
  ],
  [
    'got',
    "import got from 'got';",
    `const getJson = (url, timeout) => got(url, { timeout: timeout ? { request: timeout } : undefined, retry: { limit: 0 } }).json();
     const postJson = (url, body) => got.post(url, { json: body }).json();`,
    ['got'],
  ],
];

describe('pinned JavaScript HTTP clients go through the egress path of their lane', () => {
  it.each(JS_CLIENTS)('%s', async (_name, imports, client, packages) => {
    const response = await run('javascript', probeJs(client, imports), packages);
    expect(response.error).toBeNull();
    const probe = response.output as Probe;
    expect(probe.get).toMatchObject({ path: '/get?page=2&q=a+b', method: 'GET' });
    expect(JSON.parse(probe.post.body)).toEqual({ n: 1 });
    expect(probe.redirected).toBe('/landed?from=moved');
    expect(probe.timeout).toMatch(/^timeout: /);
    expect(probe.denied).toMatch(/^denied: /);
    expect(seen.filter((hit) => hit.path === '/get?page=2&q=a+b').at(-1)?.apiKey).toBe('operator-secret');
  }, 120_000);
});
