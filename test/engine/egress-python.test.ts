import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

// A local API on 127.0.0.1; the operator opens loopback for the test (a request never can), and injects
// a credential for it that guest code must never see.
let server: Server;
let port = 0;
let engine: Engine;
const seen: { path: string; auth: string | undefined; apiKey: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization, apiKey: req.headers['x-api-key'] as string | undefined });
    if (req.url?.startsWith('/fail')) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.end('late'), 3000).unref();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  engine = await createEngine({
    workers: { quickjs: 1, cpython: 1, native: 0 },
    egress: { allowPrivate: true, credentials: [{ host: `127.0.0.1:${port}`, headers: { 'x-api-key': 'operator-secret' } }] },
  });
}, 180_000);
afterAll(async () => {
  await engine?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const SEED = [
  'import requests',
  '',
  'def main(base: str, token: str) -> dict:',
  '    try:',
  '        r = requests.get(f"{base}/items", headers={"Authorization": f"Bearer {token}"}, params={"page": 2, "q": "a b"}, timeout=5)',
  '        r.raise_for_status()',
  '        return {"ok": True, "status": r.status_code, "data": r.json()}',
  '    except requests.exceptions.RequestException as e:',
  '        return {"ok": False, "error": type(e).__name__, "detail": str(e)}',
].join('\n');

describe('Python egress through the host bridge', () => {
  it('seed: requests.get with auth header, params, timeout and raise_for_status', async () => {
    const response = await engine.execute({ language: 'python', code: SEED, inputs: { base: `http://127.0.0.1:${port}`, token: 't0k' }, network: { allow: [`127.0.0.1:${port}`] } });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ ok: true, status: 200, data: { path: '/items?page=2&q=a+b', method: 'GET' } });
    const hit = seen.at(-1)!;
    expect(hit.auth).toBe('Bearer t0k');
    expect(hit.apiKey).toBe('operator-secret');
  });

  it('seed: an HTTP error becomes the error dict through raise_for_status', async () => {
    const response = await engine.execute({ language: 'python', code: SEED.replace('/items', '/fail'), inputs: { base: `http://127.0.0.1:${port}`, token: 't' }, network: { allow: [`127.0.0.1:${port}`] } });
    expect(response.output).toMatchObject({ ok: false, error: 'HTTPError' });
  });

  it('a host off the allow-list raises a PermissionError subclass naming it', async () => {
    const code = 'import requests\ndef main(base: str):\n    try:\n        requests.get(base)\n    except PermissionError as e:\n        return {"denied": str(e), "is_request_exception": isinstance(e, requests.exceptions.RequestException)}';
    const response = await engine.execute({ language: 'python', code, inputs: { base: `http://127.0.0.1:${port}/` }, network: { allow: ['api.example.com'] } });
    expect(response.error).toBeNull();
    expect(response.output).toMatchObject({ denied: expect.stringMatching(/127\.0\.0\.1:\d+: /), is_request_exception: true });
    const urllibCode = 'import urllib.request, urllib.error\ndef main(base: str):\n    try:\n        urllib.request.urlopen(base)\n    except urllib.error.URLError as e:\n        return isinstance(e, PermissionError)';
    const viaUrllib = await engine.execute({ language: 'python', code: urllibCode, inputs: { base: `http://127.0.0.1:${port}/` } });
    expect(viaUrllib.output).toBe(true);
  });

  it('requests.Session and responses work as context managers, with session headers merged', async () => {
    const code = 'import requests\ndef main(base: str):\n    with requests.Session() as s:\n        s.headers["Authorization"] = "Bearer sess"\n        with s.get(base + "/s", params={"k": "v"}) as r:\n            return r.json()';
    const response = await engine.execute({ language: 'python', code, inputs: { base: `http://127.0.0.1:${port}` }, network: { allow: [`127.0.0.1:${port}`] } });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ path: '/s?k=v', method: 'GET' });
    expect(seen.at(-1)!.auth).toBe('Bearer sess');
  });

  it('urllib.request.urlopen goes through the same bridge', async () => {
    const code = 'import json, urllib.request\ndef main(base: str):\n    with urllib.request.urlopen(base + "/u", timeout=5) as r:\n        return json.loads(r.read())';
    const response = await engine.execute({ language: 'python', code, inputs: { base: `http://127.0.0.1:${port}` }, network: { allow: [`127.0.0.1:${port}`] } });
    expect(response.output).toEqual({ path: '/u', method: 'GET' });
  });

  it('a slow server runs into the request timeout, as a requests exception', async () => {
    const code = 'import requests\ndef main(base: str):\n    try:\n        requests.get(base + "/slow", timeout=0.5)\n    except requests.exceptions.Timeout as e:\n        return "timeout"';
    const response = await engine.execute({ language: 'python', code, inputs: { base: `http://127.0.0.1:${port}` }, network: { allow: [`127.0.0.1:${port}`] } });
    expect(response.output).toBe('timeout');
  });

  it('the operator credential is invisible to guest code', async () => {
    const code = 'import os, sys\ndef main():\n    blob = repr(dict(os.environ)) + repr(sys.modules.keys())\n    return "operator-secret" in blob';
    const response = await engine.execute({ language: 'python', code });
    expect(response.output).toBe(false);
  });
});
