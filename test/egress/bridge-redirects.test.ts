import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge } from '../../src/egress/bridge.js';
import type { EgressBridge, EgressBridgeOptions } from '../../src/egress/bridge.js';
import { soon, startServer, tableLookup, text } from './servers.js';
import type { TestServer } from './servers.js';

// Two servers stand for two hosts: `api.test` (origin) and `other.test` (another host).
let api: TestServer;
let other: TestServer;
const bridges: EgressBridge[] = [];
const denied: string[] = [];

function bridge(options: EgressBridgeOptions = {}): EgressBridge {
  const created = createEgressBridge({
    allowPrivate: true,
    lookup: tableLookup({ 'api.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'], 'metadata.test': ['169.254.169.254'] }),
    onDenied: (host, reason) => denied.push(`${host}: ${reason}`),
    ...options,
  });
  bridges.push(created);
  return created;
}

beforeAll(async () => {
  other = await startServer((req, res) => res.end(`other saw ${req.method} ${req.url}`));
  api = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to');
    if (url.pathname === '/redirect' && to !== null) {
      res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to.replace('OTHER', String(other.port)).replace('API', String(api.port)) });
      res.end('moving');
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else {
      res.end(`api saw ${req.method} ${req.url}`);
    }
  });
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([api.close(), other.close()]);
});

const allowBoth = (): string[] => [`api.test:${api.port}`, `other.test:${other.port}`];

describe('egress bridge: redirects', () => {
  it('follows an allowed redirect and reports the final URL', async () => {
    const res = await bridge().fetch('r1', allowBoth(), { url: `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/landed`, method: 'GET', headers: [] }, soon());
    expect(res.ok && text(res.body)).toBe('other saw GET /landed');
    expect(res.ok && res.url).toBe(`http://other.test:${other.port}/landed`);
  });

  it('denies a redirect to a host outside the allow-list', async () => {
    const before = other.seen.length;
    const res = await bridge().fetch('r2', [`api.test:${api.port}`], { url: `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/x`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'denied', message: `other.test:${other.port}: host and port are not in the allow-list` });
    expect(other.seen.length).toBe(before);
  });

  it('denies a redirect to the metadata address by IP, even when allow-listed', async () => {
    // allowAddresses opens only 127.0.0.1, so the address policy (not the allow-list) must refuse 169.254.169.254.
    const b = bridge({ allowPrivate: false, allowAddresses: ['127.0.0.1'] });
    const allow = [`api.test:${api.port}`, '169.254.169.254'];
    const res = await b.fetch('r3', allow, { url: `http://api.test:${api.port}/redirect?to=http://169.254.169.254/latest/meta-data/`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'denied', message: '169.254.169.254:80: address 169.254.169.254 is a link-local address' });
    expect(denied).toContain('169.254.169.254:80: address 169.254.169.254 is a link-local address');
  });

  it('denies a redirect to a name that resolves to the metadata address', async () => {
    const b = bridge({ allowPrivate: false, allowAddresses: ['127.0.0.1/32'] });
    const res = await b.fetch('r4', [`api.test:${api.port}`, 'metadata.test'], { url: `http://api.test:${api.port}/redirect?to=http://metadata.test/`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.message).toBe('metadata.test:80: resolves to a link-local address');
  });

  it('refuses a redirect to another scheme', async () => {
    const res = await bridge().fetch('r5', allowBoth(), { url: `http://api.test:${api.port}/redirect?to=file:///etc/passwd`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.kind).toBe('denied');
  });

  it('caps the number of hops', async () => {
    const res = await bridge({ maxRedirects: 3 }).fetch('r6', allowBoth(), { url: `http://api.test:${api.port}/loop`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'network', message: `api.test:${api.port}: too many redirects (more than 3)` });
  });

  it('counts every hop against the request budget', async () => {
    const b = bridge({ maxRequestsPerExecution: 2, maxRedirects: 10 });
    const res = await b.fetch('r7', allowBoth(), { url: `http://api.test:${api.port}/loop`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.message).toBe(`api.test:${api.port}: request limit of 2 per execution reached`);
  });

  it('turns POST into GET on 302/303 and keeps method and body on 307', async () => {
    const b = bridge();
    const post = (status: number) =>
      b.fetch('r8', allowBoth(), {
        url: `http://api.test:${api.port}/redirect?status=${status}&to=http://other.test:OTHER/t${status}`,
        method: 'POST',
        headers: [['content-type', 'text/plain']],
        body: new TextEncoder().encode('data'),
      }, soon());
    const before = other.seen.length;
    expect((await post(303)).ok).toBe(true);
    expect((await post(307)).ok).toBe(true);
    const [after303, after307] = other.seen.slice(before);
    expect(after303).toMatchObject({ method: 'GET', body: '' });
    expect(after303?.headers['content-type']).toBeUndefined();
    expect(after307).toMatchObject({ method: 'POST', body: 'data' });
  });

  it('takes the mode from the request (redirect: "manual" / "error") when the caller gives none', async () => {
    const b = bridge();
    const url = `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/`;
    const manual = await b.fetch('r10', allowBoth(), { url, method: 'GET', headers: [], redirect: 'manual' } as Parameters<EgressBridge['fetch']>[2], soon());
    expect(manual.ok && manual.status).toBe(302);
    const error = await b.fetch('r10', allowBoth(), { url, method: 'GET', headers: [], redirect: 'error' } as Parameters<EgressBridge['fetch']>[2], soon());
    expect(error).toEqual({ ok: false, kind: 'network', message: `api.test:${api.port}: redirected while redirect mode is "error"` });
  });

  it('returns the 3xx itself in manual mode', async () => {
    const res = await bridge().fetch('r9', allowBoth(), { url: `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/`, method: 'GET', headers: [] }, soon(), { redirect: 'manual' });
    expect(res.ok && res.status).toBe(302);
    expect(res.ok && res.headers.find(([k]) => k === 'location')?.[1]).toBe(`http://other.test:${other.port}/`);
  });
});

describe('egress bridge: credentials', () => {
  it('injects operator headers for the matching host only, and not after a cross-host redirect', async () => {
    const b = bridge({ credentials: [{ host: `api.test:${api.port}`, headers: { Authorization: 'Bearer op-secret', 'X-Api-Key': 'k1' } }] });
    const apiBefore = api.seen.length;
    const otherBefore = other.seen.length;
    const res = await b.fetch('c1', allowBoth(), { url: `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/next`, method: 'GET', headers: [] }, soon());
    expect(res.ok).toBe(true);
    expect(api.seen[apiBefore]?.headers).toMatchObject({ authorization: 'Bearer op-secret', 'x-api-key': 'k1' });
    const atOther = other.seen[otherBefore]?.headers ?? {};
    expect(atOther.authorization).toBeUndefined();
    expect(atOther['x-api-key']).toBeUndefined();
  });

  it('operator headers win over the guest\'s, and the guest\'s own Authorization stays on its origin', async () => {
    const b = bridge({ credentials: [{ host: `api.test:${api.port}`, headers: { 'X-Api-Key': 'operator' } }] });
    const apiBefore = api.seen.length;
    const otherBefore = other.seen.length;
    await b.fetch('c2', allowBoth(), {
      url: `http://api.test:${api.port}/redirect?to=http://other.test:OTHER/`,
      method: 'GET',
      headers: [['x-api-key', 'guest'], ['authorization', 'Bearer guest-token'], ['cookie', 'sid=1']],
    }, soon());
    expect(api.seen[apiBefore]?.headers).toMatchObject({ 'x-api-key': 'operator', authorization: 'Bearer guest-token', cookie: 'sid=1' });
    const atOther = other.seen[otherBefore]?.headers ?? {};
    expect(atOther.authorization).toBeUndefined();
    expect(atOther.cookie).toBeUndefined();
    expect(atOther['x-api-key']).toBe('guest');
  });

  it('a pattern without a port is https-only: no secret over plain http', async () => {
    const b = bridge({ credentials: [{ host: 'api.test', headers: { Authorization: 'Bearer op-secret' } }] });
    const before = api.seen.length;
    await b.fetch('c3', [`api.test:${api.port}`], { url: `http://api.test:${api.port}/`, method: 'GET', headers: [] }, soon());
    expect(api.seen[before]?.headers.authorization).toBeUndefined();
  });

  it('rejects an invalid credential pattern at creation', () => {
    expect(() => createEgressBridge({ credentials: [{ host: 'bad host!', headers: { a: 'b' } }] })).toThrow(TypeError);
    expect(() => createEgressBridge({ credentials: [{ host: 'ok.test', headers: { a: 'b\r\nc: d' } }] })).toThrow(TypeError);
  });
});
