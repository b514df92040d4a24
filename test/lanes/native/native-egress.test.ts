/**
 * Network for native jobs with an allow-list: the only way out of the sandbox is the host's egress proxy
 * (src/egress), reached through a Unix socket bound into the sandbox. Real proxy, real bridge, a real
 * HTTP server on 127.0.0.1 (private addresses opened for the test with allowPrivate).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge, createEgressProxy, type EgressBridge, type EgressProxy } from '../../../src/egress/index.js';
import type { LaneDriver } from '../../../src/lanes/lane.js';
import { EGRESS_PORT } from '../../../src/lanes/native/native-egress.js';
import { createDriver, type NativeDriverHost } from '../../../src/lanes/native/worker-entry.js';
import { lines, nodeJob, pythonJob, testHost } from './native-fixture.js';

let driver: LaneDriver;
let bridge: EgressBridge;
let proxy: EgressProxy;
let server: Server;
let socketDir = '';
let port = 0;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, via: 'host server' }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  socketDir = mkdtempSync(join(tmpdir(), 'isola-egress-test-'));
  chmodSync(socketDir, 0o755); // the sandbox's unprivileged host uid must reach the socket
  bridge = createEgressBridge({ allowPrivate: true });
  proxy = await createEgressProxy(bridge, { socketPath: join(socketDir, 'proxy.sock'), advertise: `127.0.0.1:${EGRESS_PORT}` });
  chmodSync(proxy.address, 0o666);
  const host: NativeDriverHost = { ...testHost(), egressProxy: proxy };
  driver = await createDriver(host, { options: {} });
});
afterAll(async () => {
  await driver.dispose();
  await proxy.close();
  await bridge.close();
  await new Promise<void>((closed) => server.close(() => closed()));
  rmSync(socketDir, { recursive: true, force: true });
});

const fetchCode = (url: string): string =>
  lines(
    'import json, urllib.request, urllib.error',
    'def main():',
    '    try:',
    `        with urllib.request.urlopen(${JSON.stringify(url)}, timeout=5) as response:`,
    '            return {"status": response.status, "body": json.loads(response.read())}',
    '    except urllib.error.HTTPError as error:',
    '        return {"status": error.code}',
    '    except OSError as error:',
    '        return {"error": type(error).__name__}',
  );

describe('native lane egress', () => {
  it('reaches an allow-listed host through the proxy', async () => {
    const before = hits;
    const result = await driver.run(pythonJob(fetchCode(`http://127.0.0.1:${port}/hello`), { allowHosts: [`127.0.0.1:${port}`] }));
    expect(JSON.parse(result.returnJson ?? 'null')).toEqual({ status: 200, body: { path: '/hello', via: 'host server' } });
    expect(hits).toBe(before + 1);
  });

  it('is refused by the proxy for a host not on the list', async () => {
    const before = hits;
    const result = await driver.run(pythonJob(fetchCode(`http://127.0.0.1:${port}/nope`), { allowHosts: ['example.com'] }));
    expect(JSON.parse(result.returnJson ?? 'null')).toEqual({ status: 403 });
    expect(hits).toBe(before);
  });

  it('has no way out at all without an allow-list', async () => {
    const before = hits;
    const result = await driver.run(pythonJob(fetchCode(`http://127.0.0.1:${port}/none`)));
    expect(JSON.parse(result.returnJson ?? 'null')).toEqual({ error: 'URLError' });
    expect(hits).toBe(before);
  });

  it('cannot reuse a finished job token', async () => {
    const code = lines('import os', 'print(os.environ["HTTP_PROXY"])');
    const first = await driver.run(pythonJob(code, { allowHosts: [`127.0.0.1:${port}`] }));
    const stale = first.stdout.trim();
    expect(stale).toMatch(/^http:\/\/isola:[^@]+@127\.0\.0\.1:3128$/);
    const before = hits;
    const replay = lines(
      'import json, urllib.request, urllib.error',
      `proxy = urllib.request.ProxyHandler({"http": ${JSON.stringify(stale)}})`,
      'try:',
      `    urllib.request.build_opener(proxy).open("http://127.0.0.1:${port}/replay", timeout=5)`,
      '    print("open")',
      'except urllib.error.HTTPError as error:',
      '    print(error.code)',
    );
    const result = await driver.run(pythonJob(replay, { allowHosts: ['example.com'] }));
    expect(result.stdout.trim()).toBe('407');
    expect(hits).toBe(before);
  });

  it('gives JavaScript jobs the forwarder and proxy variables too', async () => {
    const code = lines(
      'const http = require("http");',
      'const proxy = new URL(process.env.HTTP_PROXY);',
      'const auth = Buffer.from(`${proxy.username}:${proxy.password}`).toString("base64");',
      `const req = http.request({ host: proxy.hostname, port: proxy.port, path: "http://127.0.0.1:${port}/js", headers: { "proxy-authorization": "Basic " + auth } }, (res) => {`,
      '  let body = "";',
      '  res.on("data", (c) => (body += c));',
      '  res.on("end", () => console.log(res.statusCode, body));',
      '});',
      'req.end();',
    );
    const result = await driver.run(nodeJob(code, { allowHosts: [`127.0.0.1:${port}`] }));
    expect(result.stdout).toBe(`200 {"path":"/js","via":"host server"}\n`);
  });
});
