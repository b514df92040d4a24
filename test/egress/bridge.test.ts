import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge } from '../../src/egress/bridge.js';
import type { EgressBridge, EgressBridgeOptions } from '../../src/egress/bridge.js';
import { header, soon, startServer, tableLookup, text } from './servers.js';
import type { TestServer } from './servers.js';

let server: TestServer;
let inFlight = 0;
let maxInFlight = 0;
const bridges: EgressBridge[] = [];
const denials: string[] = [];

function bridge(options: EgressBridgeOptions = {}): EgressBridge {
  const created = createEgressBridge({
    allowPrivate: true,
    lookup: tableLookup({ 'api.test': ['127.0.0.1'], 'a.svc.test': ['127.0.0.1'], 'deep.a.svc.test': ['127.0.0.1'], 'svc.test': ['127.0.0.1'] }),
    onDenied: (host, reason) => denials.push(`${host}: ${reason}`),
    ...options,
  });
  bridges.push(created);
  return created;
}

beforeAll(async () => {
  server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/big') {
      const n = Number(url.searchParams.get('n'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
      res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(n, 0x61));
    } else if (url.pathname === '/stream-big') {
      // No content-length: the cap must stop a body that never says how long it is.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent >= 50) res.end();
        else res.once('drain', pump);
      };
      pump();
    } else if (url.pathname === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end(gzipSync(Buffer.from(url.searchParams.get('text') ?? '')));
    } else if (url.pathname === '/slow') {
      const timer = setTimeout(() => res.end('late'), 5_000);
      res.on('close', () => clearTimeout(timer));
    } else if (url.pathname === '/hold') {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('held');
      }, 50);
    } else if (url.pathname === '/drip') {
      // Headers at once, then one byte every 100 ms: only a deadline on the body stops this.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    } else if (url.pathname === '/echo') {
      res.writeHead(201, { 'content-type': 'application/json', 'x-reply': 'yes' });
      res.end(JSON.stringify({ method: req.method, body, headers: req.headers, query: url.search }));
    } else {
      res.end('hello');
    }
  });
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await server.close();
});

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

describe('egress bridge: lifecycle', () => {
  it('close() frees pooled connections and later fetches fail as values', async () => {
    const baseline = openSockets();
    const b = createEgressBridge({ allowPrivate: true, lookup: tableLookup({ 'api.test': ['127.0.0.1'] }) });
    const res = await b.fetch('life', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok).toBe(true);
    expect(openSockets()).toBeGreaterThan(baseline);
    await Promise.all([b.close(), b.close()]);
    for (let i = 0; i < 50 && openSockets() > baseline; i++) await new Promise((r) => setTimeout(r, 10));
    expect(openSockets()).toBe(baseline);
    const late = await b.fetch('life', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(late).toEqual({ ok: false, kind: 'network', message: 'egress bridge is closed' });
  });
});

describe('egress bridge: allow-list', () => {
  it('fetches an allow-listed name and returns status, headers and body', async () => {
    const b = bridge();
    const res = await b.fetch('job-1', [`api.test:${server.port}`], {
      url: `http://api.test:${server.port}/echo?q=1`,
      method: 'POST',
      headers: [['content-type', 'text/plain'], ['x-custom', 'v']],
      body: new TextEncoder().encode('payload'),
    }, soon());
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.status).toBe(201);
    expect(res.url).toBe(`http://api.test:${server.port}/echo?q=1`);
    expect(header(res.headers, 'x-reply')).toBe('yes');
    const echoed = JSON.parse(text(res.body)) as { method: string; body: string; headers: Record<string, string>; query: string };
    expect(echoed).toMatchObject({ method: 'POST', body: 'payload', query: '?q=1' });
    expect(echoed.headers.host).toBe(`api.test:${server.port}`);
    expect(echoed.headers['x-custom']).toBe('v');
  });

  it('denies a host that is not listed, without resolving it', async () => {
    const lookup = tableLookup({ 'other.test': ['127.0.0.1'] });
    const b = bridge({ lookup });
    const before = denials.length;
    const res = await b.fetch('job-2', [`api.test:${server.port}`], { url: `http://other.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'denied', message: `other.test:${server.port}: host and port are not in the allow-list` });
    expect(lookup.calls).toEqual([]);
    expect(denials.slice(before)).toEqual([`other.test:${server.port}: host and port are not in the allow-list`]);
    expect(server.seen.some((r) => r.headers.host === `other.test:${server.port}`)).toBe(false);
  });

  it('denies everything when the allow-list is empty', async () => {
    const res = await bridge().fetch('job-3', [], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.kind).toBe('denied');
  });

  it('matches wildcards on subdomains only, at any depth', async () => {
    const b = bridge();
    const allow = [`*.svc.test:${server.port}`];
    const get = (host: string) => b.fetch('job-4', allow, { url: `http://${host}:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect((await get('a.svc.test')).ok).toBe(true);
    expect((await get('deep.a.svc.test')).ok).toBe(true);
    const apex = await get('svc.test');
    expect(apex.ok === false && apex.kind).toBe('denied');
  });

  it('requires the port: an entry without a port allows only the scheme default', async () => {
    const b = bridge();
    const res = await b.fetch('job-5', ['api.test'], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.kind).toBe('denied');
    const other = await b.fetch('job-5', [`api.test:${server.port + 1}`], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(other.ok === false && other.kind).toBe('denied');
  });

  it('refuses schemes other than http and https', async () => {
    const b = bridge();
    for (const url of ['file:///etc/passwd', 'ftp://api.test/', 'gopher://api.test:70/_x']) {
      const res = await b.fetch('job-6', ['api.test'], { url, method: 'GET', headers: [] }, soon());
      expect(res.ok === false && res.kind).toBe('denied');
    }
  });
});

describe('egress bridge: connecting', () => {
  it('connects to an IPv6 address (bracketed origin) with the name in Host', async () => {
    const v6 = await startServer((req, res) => res.end(`v6 ${req.headers.host}`), '::1');
    try {
      const b = bridge({ lookup: tableLookup({ 'v6.test': ['::1'] }) });
      const res = await b.fetch('job-v6', [`v6.test:${v6.port}`], { url: `http://v6.test:${v6.port}/`, method: 'GET', headers: [] }, soon());
      expect(res.ok && text(res.body)).toBe(`v6 v6.test:${v6.port}`);
      const literal = await b.fetch('job-v6', [`[::1]:${v6.port}`], { url: `http://[::1]:${v6.port}/`, method: 'GET', headers: [] }, soon());
      expect(literal.ok && text(literal.body)).toBe(`v6 [::1]:${v6.port}`);
    } finally {
      await v6.close();
    }
  });

  it('tries the next checked address when one refuses the connection', async () => {
    // Nothing listens on 127.0.0.9 at this port: ECONNREFUSED, then 127.0.0.1 answers.
    const b = bridge({ lookup: tableLookup({ 'multi.test': ['127.0.0.9', '127.0.0.1'] }) });
    const res = await b.fetch('job-multi', [`multi.test:${server.port}`], { url: `http://multi.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok && text(res.body)).toBe('hello');
    const none = bridge({ lookup: tableLookup({ 'dead.test': ['127.0.0.9'] }) });
    const dead = await none.fetch('job-multi', [`dead.test:${server.port}`], { url: `http://dead.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(dead).toEqual({ ok: false, kind: 'network', message: `dead.test:${server.port}: connection to 127.0.0.9 failed (ECONNREFUSED)` });
  });
});

describe('egress bridge: address policy', () => {
  it('refuses 127.0.0.1 without allowPrivate even when allow-listed', async () => {
    const b = bridge({ allowPrivate: false });
    const before = server.seen.length;
    const res = await b.fetch('job-7', [`127.0.0.1:${server.port}`], { url: `http://127.0.0.1:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'denied', message: `127.0.0.1:${server.port}: address 127.0.0.1 is a loopback address` });
    expect(server.seen.length).toBe(before);
  });

  it('refuses a name that resolves to a private address, telling the guest the class and the log the address', async () => {
    const logged: object[] = [];
    const logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (obj: object) => logged.push(obj) };
    const b = bridge({ allowPrivate: false, lookup: tableLookup({ 'internal.test': ['10.0.0.5'] }), logger });
    const before = denials.length;
    const res = await b.fetch('job-8', ['internal.test'], { url: 'http://internal.test/', method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'denied', message: 'internal.test:80: resolves to a private address' });
    expect(denials.slice(before)).toEqual(['internal.test:80: resolves to a private address']);
    expect(logged).toEqual([{ jobId: 'job-8', host: 'internal.test:80', reason: 'resolves to a private address', detail: 'address 10.0.0.5 is a private address' }]);
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const b = bridge({ allowPrivate: false, lookup: tableLookup({ 'mixed.test': ['93.184.215.14', '169.254.169.254'] }) });
    const res = await b.fetch('job-9', ['mixed.test'], { url: 'http://mixed.test/', method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.message).toBe('mixed.test:80: resolves to a link-local address');
  });

  it('refuses `localhost` through the system resolver', async () => {
    const b = createEgressBridge({ allowPrivate: false });
    bridges.push(b);
    const res = await b.fetch('job-10', [`localhost:${server.port}`], { url: `http://localhost:${server.port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.kind).toBe('denied');
    expect(res.ok === false && res.message).toBe(`localhost:${server.port}: resolves to a loopback address`);
  });

  it('reports an unknown name as a network failure', async () => {
    const res = await bridge().fetch('job-11', ['nowhere.test'], { url: 'http://nowhere.test/', method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'network', message: 'nowhere.test:80: DNS lookup failed (ENOTFOUND)' });
  });
});

describe('egress bridge: caps', () => {
  it('returns too_large for a body over the cap, declared or streamed', async () => {
    const b = bridge({ maxResponseBytes: 1000 });
    const allow = [`api.test:${server.port}`];
    const ok = await b.fetch('job-12', allow, { url: `http://api.test:${server.port}/big?n=1000`, method: 'GET', headers: [] }, soon());
    expect(ok.ok && ok.body.byteLength).toBe(1000);
    const declared = await b.fetch('job-12', allow, { url: `http://api.test:${server.port}/big?n=1001`, method: 'GET', headers: [] }, soon());
    expect(declared.ok === false && declared.kind).toBe('too_large');
    const streamed = await b.fetch('job-12', allow, { url: `http://api.test:${server.port}/stream-big`, method: 'GET', headers: [] }, soon());
    expect(streamed.ok === false && streamed.kind).toBe('too_large');
    // HEAD carries the length of a body it does not send: not too large.
    const head = await b.fetch('job-12', allow, { url: `http://api.test:${server.port}/big?n=5000`, method: 'HEAD', headers: [] }, soon());
    expect(head.ok && [head.status, head.body.byteLength, head.headers.find(([k]) => k === 'content-length')?.[1]]).toEqual([200, 0, '5000']);
  });

  it('decodes gzip and counts decoded bytes against the cap', async () => {
    const b = bridge({ maxResponseBytes: 5000 });
    const allow = [`api.test:${server.port}`];
    const small = await b.fetch('job-13', allow, { url: `http://api.test:${server.port}/gzip?text=hi%20there`, method: 'GET', headers: [['accept-encoding', 'gzip']] }, soon());
    expect(small.ok && text(small.body)).toBe('hi there');
    expect(small.ok && header(small.headers, 'content-encoding')).toBeUndefined();
    const bomb = await b.fetch('job-13', allow, { url: `http://api.test:${server.port}/gzip?text=${'z'.repeat(6000)}`, method: 'GET', headers: [] }, soon());
    expect(bomb.ok === false && bomb.kind).toBe('too_large');
  });

  it('stops a slow server at the job deadline', async () => {
    const b = bridge();
    const started = Date.now();
    const res = await b.fetch('job-14', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/slow`, method: 'GET', headers: [] }, Date.now() + 300);
    const elapsed = Date.now() - started;
    expect(res.ok === false && res.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('stops a body that trickles past the deadline', async () => {
    const started = Date.now();
    const res = await bridge().fetch('job-14b', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/drip`, method: 'GET', headers: [] }, Date.now() + 400);
    expect(res.ok === false && res.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('runs at most maxConcurrentPerExecution requests of one job at once', async () => {
    const b = bridge({ maxConcurrentPerExecution: 2 });
    maxInFlight = 0;
    const allow = [`api.test:${server.port}`];
    const all = await Promise.all(
      Array.from({ length: 6 }, () => b.fetch('job-conc', allow, { url: `http://api.test:${server.port}/hold`, method: 'GET', headers: [] }, soon())),
    );
    expect(all.every((r) => r.ok)).toBe(true);
    expect(maxInFlight).toBe(2);
  });

  it('uses the request timeout when it is shorter than the deadline', async () => {
    const started = Date.now();
    const res = await bridge().fetch('job-15', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/slow`, method: 'GET', headers: [], timeoutMs: 200 }, soon());
    expect(res.ok === false && res.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a NaN request timeout cannot switch off the job deadline', async () => {
    const started = Date.now();
    const res = await bridge().fetch('job-15b', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/slow`, method: 'GET', headers: [], timeoutMs: Number.NaN }, Date.now() + 200);
    expect(res.ok === false && res.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('caps requests per execution and releases the count when the job ends', async () => {
    const b = bridge({ maxRequestsPerExecution: 3 });
    const allow = [`api.test:${server.port}`];
    const get = (job: string) => b.fetch(job, allow, { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    for (let i = 0; i < 3; i++) expect((await get('job-16')).ok).toBe(true);
    const fourth = await get('job-16');
    expect(fourth.ok === false && fourth.message).toBe(`api.test:${server.port}: request limit of 3 per execution reached`);
    expect((await get('job-17')).ok).toBe(true);
    b.release('job-16');
    expect((await get('job-16')).ok).toBe(true);
  });
});

describe('egress bridge: headers', () => {
  it('strips hop-by-hop, Host, Proxy-* and Connection-named headers from the guest', async () => {
    const b = bridge();
    const before = server.seen.length;
    const res = await b.fetch('job-18', [`api.test:${server.port}`], {
      url: `http://api.test:${server.port}/echo`,
      method: 'GET',
      headers: [
        ['Host', 'evil.test'],
        ['Connection', 'close, x-secret-hop'],
        ['X-Secret-Hop', '1'],
        ['Keep-Alive', 'timeout=99'],
        ['Proxy-Authorization', 'Basic Zm9vOmJhcg=='],
        ['TE', 'trailers'],
        ['Upgrade', 'websocket'],
        ['X-Kept', 'kept'],
      ],
    }, soon());
    expect(res.ok).toBe(true);
    const got = server.seen[before]?.headers ?? {};
    expect(got.host).toBe(`api.test:${server.port}`);
    expect(got['x-kept']).toBe('kept');
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'te', 'upgrade']) expect(got[name]).toBeUndefined();
    expect(got.connection).not.toMatch(/x-secret-hop/);
  });

  it('refuses oversized request bodies and header sets before sending anything', async () => {
    const b = bridge({ maxRequestBytes: 100 });
    const allow = [`api.test:${server.port}`];
    const before = server.seen.length;
    const body = await b.fetch('job-19b', allow, { url: `http://api.test:${server.port}/`, method: 'POST', headers: [], body: new Uint8Array(101) }, soon());
    expect(body).toEqual({ ok: false, kind: 'too_large', message: `api.test:${server.port}: request body exceeds 100 bytes` });
    const many: [string, string][] = Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'v'.repeat(40)]);
    const headers = await b.fetch('job-19b', allow, { url: `http://api.test:${server.port}/`, method: 'GET', headers: many }, soon());
    expect(headers.ok === false && headers.message).toBe(`api.test:${server.port}: request headers exceed 65536 bytes`);
    expect(server.seen.length).toBe(before);
  });

  it('rejects header injection as a value, not a throw', async () => {
    const res = await bridge().fetch('job-19', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [['x-a', 'v\r\nInjected: 1']] }, soon());
    expect(res.ok === false && res.kind).toBe('network');
  });

  it('never adds ambient credentials, and sends userinfo only as the guest\'s own Basic auth', async () => {
    const b = bridge();
    const before = server.seen.length;
    await b.fetch('job-20', [`api.test:${server.port}`], { url: `http://api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    await b.fetch('job-20', [`api.test:${server.port}`], { url: `http://user:pa%20ss@api.test:${server.port}/`, method: 'GET', headers: [] }, soon());
    const [plain, withUser] = server.seen.slice(before);
    expect(plain?.headers.authorization).toBeUndefined();
    expect(plain?.headers.cookie).toBeUndefined();
    expect(withUser?.headers.authorization).toBe(`Basic ${Buffer.from('user:pa ss').toString('base64')}`);
  });
});

describe('egress bridge: methods', () => {
  it('refuses CONNECT and TRACE, and rejects a malformed method as a value', async () => {
    const b = bridge();
    const allow = [`api.test:${server.port}`];
    const before = server.seen.length;
    for (const method of ['CONNECT', 'trace']) {
      const res = await b.fetch('job-21', allow, { url: `http://api.test:${server.port}/`, method, headers: [] }, soon());
      expect(res).toEqual({ ok: false, kind: 'denied', message: `api.test:${server.port}: method ${method.toUpperCase()} is not allowed` });
    }
    const bad = await b.fetch('job-21', allow, { url: `http://api.test:${server.port}/`, method: 'GET /x HTTP/1.1\r\n', headers: [] }, soon());
    expect(bad.ok === false && bad.kind).toBe('network');
    expect(server.seen.length).toBe(before);
    const patch = await b.fetch('job-21', allow, { url: `http://api.test:${server.port}/echo`, method: 'patch', headers: [] }, soon());
    expect(patch.ok && JSON.parse(text(patch.body)).method).toBe('PATCH');
  });
});
