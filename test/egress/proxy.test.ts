/**
 * The native lane's forward proxy, driven by real clients (curl and Python `requests`) as subprocesses.
 * Subprocesses run asynchronously: the proxy and the servers live in this process's event loop.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge } from '../../src/egress/bridge.js';
import type { EgressBridge } from '../../src/egress/bridge.js';
import { createEgressProxy } from '../../src/egress/proxy.js';
import type { EgressProxy } from '../../src/egress/proxy.js';
import { selfSignedCert, startServer, tableLookup } from './servers.js';
import type { TestServer } from './servers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    // A clean environment: no proxy or CA settings of the host leak into the client.
    execFile(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let plain: TestServer;
let tls: Server;
let tlsPort: number;
let dir: string;
let caFile: string;
let bridge: EgressBridge;
let proxy: EgressProxy;
const denied: string[] = [];
const tlsSeen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isola-egress-proxy-'));
  const pair = selfSignedCert('secure.test');
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pair.cert);
  tls = createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    tlsSeen.push(req.url ?? '');
    res.end('tls ok');
  });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  tlsPort = (tls.address() as AddressInfo).port;
  plain = await startServer((req, res) => {
    if (req.url === '/hop') {
      res.writeHead(302, { location: `http://other.test:${plain.port}/landed` });
      res.end();
    } else {
      res.end(`plain ok ${req.method} ${req.url}`);
    }
  });
  bridge = createEgressBridge({
    allowPrivate: true,
    lookup: tableLookup({ 'api.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'], 'secure.test': ['127.0.0.1'] }),
    onDenied: (host, reason) => denied.push(`${host}: ${reason}`),
  });
  proxy = await createEgressProxy(bridge);
});

afterAll(async () => {
  await proxy.close();
  await bridge.close();
  tls.closeAllConnections();
  await new Promise<void>((resolve) => tls.close(() => resolve()));
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

const curl = (proxyUrl: string, url: string, extra: string[] = []) =>
  run('curl', ['-sS', '--max-time', '10', '-x', proxyUrl, '--cacert', caFile, '-w', '\n%{http_code}', ...extra, url]);

describe('egress proxy: plain HTTP', () => {
  it('forwards an allowed request without the proxy credentials', async () => {
    const url = proxy.url('p1', [`api.test:${plain.port}`]);
    const before = plain.seen.length;
    const res = await curl(url, `http://api.test:${plain.port}/path?x=1`, ['-H', 'X-Guest: 1']);
    expect(res.stdout).toBe('plain ok GET /path?x=1\n200');
    const seen = plain.seen[before]?.headers ?? {};
    expect(seen.host).toBe(`api.test:${plain.port}`);
    expect(seen['x-guest']).toBe('1');
    expect(seen['proxy-authorization']).toBeUndefined();
  });

  it('answers 403 for a host outside the allow-list and reports the denial', async () => {
    const url = proxy.url('p2', [`api.test:${plain.port}`]);
    const before = plain.seen.length;
    const res = await curl(url, `http://other.test:${plain.port}/`);
    expect(res.stdout).toBe(`isola egress: denied: other.test:${plain.port}: host and port are not in the allow-list\n\n403`);
    expect(plain.seen.length).toBe(before);
    expect(denied).toContain(`other.test:${plain.port}: host and port are not in the allow-list`);
  });

  it('leaves redirects to the client, and checks the next hop when it comes back', async () => {
    const url = proxy.url('p3', [`api.test:${plain.port}`]);
    const res = await curl(url, `http://api.test:${plain.port}/hop`, ['-L']);
    expect(res.stdout.endsWith('403')).toBe(true);
    expect(res.stdout).toContain(`other.test:${plain.port}: host and port are not in the allow-list`);
  });

  it('requires the job token', async () => {
    const res = await curl(proxy.address, `http://api.test:${plain.port}/`);
    expect(res.stdout.endsWith('407')).toBe(true);
    const wrong = await curl(`http://isola:not-a-token@${proxy.address}`, `http://api.test:${plain.port}/`);
    expect(wrong.stdout.endsWith('407')).toBe(true);
  });
});

describe('egress proxy: CONNECT', () => {
  it('tunnels HTTPS to an allowed host', async () => {
    const url = proxy.url('p4', [`secure.test:${tlsPort}`]);
    const res = await curl(url, `https://secure.test:${tlsPort}/tunnelled`);
    expect(res.stdout).toBe('tls ok\n200');
    expect(tlsSeen).toContain('/tunnelled');
  });

  it('refuses a tunnel to a host outside the allow-list', async () => {
    const url = proxy.url('p5', [`secure.test:${tlsPort}`]);
    const res = await curl(url, `https://api.test:${tlsPort}/`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/403/);
    expect(denied).toContain(`api.test:${tlsPort}: host and port are not in the allow-list`);
  });

  it('refuses a tunnel to loopback when the operator did not allow private addresses', async () => {
    const strictBridge = createEgressBridge({ allowPrivate: false, lookup: tableLookup({ 'secure.test': ['127.0.0.1'] }) });
    const strictProxy = await createEgressProxy(strictBridge);
    try {
      const before = tlsSeen.length;
      const res = await curl(strictProxy.url('p6', [`secure.test:${tlsPort}`]), `https://secure.test:${tlsPort}/`);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/403/);
      expect(tlsSeen.length).toBe(before);
    } finally {
      await strictProxy.close();
      await strictBridge.close();
    }
  });

  it('works for Python requests through HTTPS_PROXY, and a released token stops working', async () => {
    const url = proxy.url('p7', [`secure.test:${tlsPort}`]);
    const script = [
      'import requests, sys',
      `r = requests.get("https://secure.test:${tlsPort}/py", params={"a": "1"}, timeout=10)`,
      'r.raise_for_status()',
      'print(r.status_code, r.text)',
    ].join('\n');
    const env = { HTTPS_PROXY: url, REQUESTS_CA_BUNDLE: caFile };
    const ok = await run('python3', ['-c', script], env);
    expect(ok.stdout.trim()).toBe('200 tls ok');
    expect(tlsSeen).toContain('/py?a=1');
    proxy.release('p7');
    const after = await run('python3', ['-c', script], env);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/407/);
  });
});

/** Open a CONNECT tunnel with Node's own client; resolves with the status and, on 200, the socket. */
function connectThrough(proxyUrl: string, authority: string): Promise<{ status: number; socket: Socket }> {
  const url = new URL(proxyUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: Number(url.port), method: 'CONNECT', path: authority, headers: { 'proxy-authorization': `Basic ${auth}` } });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

describe('egress proxy: tunnel limits', () => {
  it('cuts a tunnel at the job deadline and after maxResponseBytes', async () => {
    const raw = createTcpServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.on('data', (data) => {
        if (data.toString() === 'flood') socket.write(Buffer.alloc(200_000, 0x66));
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const rawPort = (raw.address() as AddressInfo).port;
    const small = createEgressBridge({ allowPrivate: true, maxResponseBytes: 10_000, lookup: tableLookup({ 'raw.test': ['127.0.0.1'] }) });
    const limited = await createEgressProxy(small);
    try {
      const started = Date.now();
      const idle = await connectThrough(limited.url('t1', [`raw.test:${rawPort}`], Date.now() + 300), `raw.test:${rawPort}`);
      expect(idle.status).toBe(200);
      await new Promise((resolve) => idle.socket.on('close', resolve));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(2_000);

      const flood = await connectThrough(limited.url('t2', [`raw.test:${rawPort}`]), `raw.test:${rawPort}`);
      expect(flood.status).toBe(200);
      let received = 0;
      flood.socket.on('data', (chunk: Buffer) => (received += chunk.byteLength));
      flood.socket.write('flood');
      await new Promise((resolve) => flood.socket.on('close', resolve));
      expect(received).toBeLessThanOrEqual(10_000);
    } finally {
      await limited.close();
      await small.close();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('accepts only authority-form CONNECT targets', async () => {
    const url = proxy.url('t4', [`secure.test:${tlsPort}`]);
    for (const authority of [`secure.test@127.0.0.1:${tlsPort}`, `secure.test:${tlsPort}/x`, 'secure.test', `[::1:${tlsPort}`]) {
      const res = await connectThrough(url, authority);
      expect(res.status).toBe(400);
      res.socket.destroy();
    }
  });

  it('refuses CONNECT to a port the allow-list does not name', async () => {
    const res = await connectThrough(proxy.url('t3', ['secure.test']), `secure.test:${tlsPort}`);
    expect(res.status).toBe(403);
    res.socket.destroy();
  });
});

describe('egress proxy: the seed pattern from native Python', () => {
  it('requests.get with Authorization, params, timeout and raise_for_status; an error dict on RequestException', async () => {
    const url = proxy.url('seed', [`api.test:${plain.port}`, `secure.test:${tlsPort}`]);
    const script = [
      'import json, sys, requests',
      'def call(url):',
      '    try:',
      '        r = requests.get(url, headers={"Authorization": "Bearer user-token"}, params={"q": "isola"}, timeout=10)',
      '        r.raise_for_status()',
      '        return {"status": r.status_code, "text": r.text}',
      '    except requests.exceptions.RequestException as e:',
      '        return {"error": type(e).__name__}',
      'print(json.dumps([call(u) for u in sys.argv[1:]]))',
    ].join('\n');
    const before = plain.seen.length;
    const res = await run('python3', ['-c', script, `http://api.test:${plain.port}/seed`, `http://other.test:${plain.port}/`, `https://other.test:${tlsPort}/`], {
      HTTP_PROXY: url,
      HTTPS_PROXY: url,
      REQUESTS_CA_BUNDLE: caFile,
    });
    expect(JSON.parse(res.stdout)).toEqual([
      { status: 200, text: 'plain ok GET /seed?q=isola' },
      { error: 'HTTPError' },
      { error: 'ProxyError' },
    ]);
    expect(plain.seen[before]?.headers.authorization).toBe('Bearer user-token');
    expect(plain.seen.length).toBe(before + 1);
  });
});

describe('egress proxy: Unix socket', () => {
  it('listens on a socket path and advertises the address the guest will use', async () => {
    const socketPath = join(dir, 'proxy.sock');
    const onSocket = await createEgressProxy(bridge, { socketPath, advertise: '127.0.0.1:3128' });
    try {
      const url = new URL(onSocket.url('u1', [`api.test:${plain.port}`]));
      expect(onSocket.address).toBe(socketPath);
      expect(url.host).toBe('127.0.0.1:3128');
      const auth = Buffer.from(`isola:${url.password}`).toString('base64');
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ socketPath, path: `http://api.test:${plain.port}/via-socket`, headers: { 'proxy-authorization': `Basic ${auth}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(`${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('200 plain ok GET /via-socket');
    } finally {
      await onSocket.close();
    }
  });
});
