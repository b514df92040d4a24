/**
 * SSRF attempts against the egress bridge: alternative spellings of loopback, userinfo confusion,
 * embedded IPv4 in IPv6, and DNS rebinding. Real servers listen on 127.0.0.1 (and 127.0.0.2 as the
 * rebinding victim); each attack asserts both the denial and that no request reached a server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge } from '../../src/egress/bridge.js';
import type { EgressBridge, EgressBridgeOptions } from '../../src/egress/bridge.js';
import { soon, startServer, tableLookup, text } from '../egress/servers.js';
import type { TestServer } from '../egress/servers.js';

let target: TestServer;
let victim: TestServer;
const bridges: EgressBridge[] = [];

function bridge(options: EgressBridgeOptions): EgressBridge {
  const created = createEgressBridge(options);
  bridges.push(created);
  return created;
}

beforeAll(async () => {
  target = await startServer((_req, res) => res.end('target'));
  victim = await startServer((_req, res) => res.end('victim'), '127.0.0.2');
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([target.close(), victim.close()]);
});

const get = (b: EgressBridge, allow: string[], url: string) => b.fetch('attack', allow, { url, method: 'GET', headers: [] }, soon());

describe('SSRF: alternative spellings of 127.0.0.1', () => {
  const spellings = ['2130706433', '0x7f.1', '017700000001', '0177.0.0.1', '0x7f000001', '127.1', '%31%32%37.0.0.1', '１２７.０.０.１'];

  it.each(spellings)('http://%s/ is not an allow-listed name', async (spelling) => {
    const before = target.seen.length;
    const res = await get(bridge({ allowPrivate: true }), [`allowed.test:${target.port}`], `http://${spelling}:${target.port}/`);
    expect(res).toEqual({ ok: false, kind: 'denied', message: `127.0.0.1:${target.port}: host and port are not in the allow-list` });
    expect(target.seen.length).toBe(before);
  });

  it.each(spellings)('http://%s/ is loopback even when 127.0.0.1 is allow-listed', async (spelling) => {
    const before = target.seen.length;
    const res = await get(bridge({ allowPrivate: false }), [`127.0.0.1:${target.port}`], `http://${spelling}:${target.port}/`);
    expect(res).toEqual({ ok: false, kind: 'denied', message: `127.0.0.1:${target.port}: address 127.0.0.1 is a loopback address` });
    expect(target.seen.length).toBe(before);
  });
});

describe('SSRF: IPv6 forms that lead to IPv4 loopback', () => {
  it('IPv4-mapped ::ffff:127.0.0.1 is refused without allowPrivate', async () => {
    const res = await get(bridge({ allowPrivate: false }), [`[::ffff:127.0.0.1]:${target.port}`], `http://[::ffff:127.0.0.1]:${target.port}/`);
    expect(res.ok === false && res.message).toBe(`[::ffff:7f00:1]:${target.port}: address ::ffff:7f00:1 (embeds 127.0.0.1) is a loopback address`);
  });

  it('the mapped form really reaches the IPv4 server when the operator allows private addresses', async () => {
    // Proves the previous refusal blocks a working path, not a dead one.
    const res = await get(bridge({ allowPrivate: true }), [`[::ffff:127.0.0.1]:${target.port}`], `http://[::ffff:127.0.0.1]:${target.port}/`);
    expect(res.ok && text(res.body)).toBe('target');
  });

  it.each(['[64:ff9b::7f00:1]', '[2002:7f00:1::1]', '[::127.0.0.1]', '[::ffff:0:127.0.0.1]'])('%s (NAT64, 6to4, compatible, translated) is refused', async (host) => {
    const res = await get(bridge({ allowPrivate: false }), [`${host}:${target.port}`], `http://${host}:${target.port}/`);
    expect(res.ok === false && res.kind).toBe('denied');
    expect(res.ok === false && res.message).toMatch(/embeds 127\.0\.0\.1\) is a loopback address$/);
  });

  it.each(['0.0.0.0', '[::]'])('unspecified %s is refused even with allowPrivate (it means "this host")', async (host) => {
    const before = target.seen.length;
    const res = await get(bridge({ allowPrivate: true }), [`${host}:${target.port}`], `http://${host}:${target.port}/`);
    expect(res.ok === false && res.message).toMatch(/is the unspecified address$/);
    expect(target.seen.length).toBe(before);
  });
});

describe('SSRF: URL confusion', () => {
  it('userinfo does not make http://allowed.test@127.0.0.1/ look allowed', async () => {
    const b = bridge({ allowPrivate: true, lookup: tableLookup({ 'allowed.test': ['127.0.0.2'] }) });
    const before = target.seen.length;
    const res = await get(b, [`allowed.test:${target.port}`], `http://allowed.test@127.0.0.1:${target.port}/`);
    expect(res).toEqual({ ok: false, kind: 'denied', message: `127.0.0.1:${target.port}: host and port are not in the allow-list` });
    expect(target.seen.length).toBe(before);
  });

  it('userinfo with a port-like password cannot change the port', async () => {
    const b = bridge({ allowPrivate: true, lookup: tableLookup({ 'allowed.test': ['127.0.0.1'] }) });
    const res = await get(b, ['allowed.test:80'], `http://allowed.test:80@allowed.test:${target.port}/`);
    expect(res.ok === false && res.message).toBe(`allowed.test:${target.port}: host and port are not in the allow-list`);
  });

  it('a redirect to a numeric spelling of an internal address is re-checked by address', async () => {
    // 127.0.0.1 plays a public host (opened with allowAddresses); 127.0.0.2 is internal.
    const redirector = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://0x7f.0.0.2:${victim.port}/` });
      res.end();
    });
    try {
      const b = bridge({ allowPrivate: false, allowAddresses: ['127.0.0.1'], lookup: tableLookup({ 'public.test': ['127.0.0.1'] }) });
      const before = victim.seen.length;
      const res = await get(b, [`public.test:${redirector.port}`, `127.0.0.2:${victim.port}`], `http://public.test:${redirector.port}/`);
      expect(res).toEqual({ ok: false, kind: 'denied', message: `127.0.0.2:${victim.port}: address 127.0.0.2 is a loopback address` });
      expect(victim.seen.length).toBe(before);
      expect(redirector.seen.length).toBe(1);
    } finally {
      await redirector.close();
    }
  });
});

describe('SSRF: DNS rebinding', () => {
  // 127.0.0.1 plays the "public" address (the operator opened it with allowAddresses) and 127.0.0.2 the
  // internal victim. The resolver answers the good address first, then the victim's.
  it('connects to the address it checked, not to a second answer', async () => {
    let calls = 0;
    const lookup = tableLookup({ 'rebind.test': () => (calls++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    const b = bridge({ allowPrivate: false, allowAddresses: ['127.0.0.1'], lookup });
    const victimBefore = victim.seen.length;
    const res = await get(b, [`rebind.test:${target.port}`], `http://rebind.test:${target.port}/`);
    expect(res.ok && text(res.body)).toBe('target');
    expect(lookup.calls).toEqual(['rebind.test']);
    expect(victim.seen.length).toBe(victimBefore);

    // The next request resolves again, sees the victim's address and is refused.
    const second = await get(b, [`rebind.test:${target.port}`], `http://rebind.test:${target.port}/`);
    expect(second).toEqual({ ok: false, kind: 'denied', message: `rebind.test:${target.port}: resolves to a loopback address` });
    expect(victim.seen.length).toBe(victimBefore);
  });

  it('refuses a mixed answer (good and internal) as a whole', async () => {
    const b = bridge({ allowPrivate: false, allowAddresses: ['127.0.0.1'], lookup: tableLookup({ 'mixed.test': ['127.0.0.1', '127.0.0.2'] }) });
    const res = await get(b, [`mixed.test:${target.port}`], `http://mixed.test:${target.port}/`);
    expect(res.ok === false && res.message).toBe(`mixed.test:${target.port}: resolves to a loopback address`);
  });
});
