/**
 * HTTPS through the pinned dispatcher: the bridge connects to the checked IP, yet TLS still sends SNI
 * for the name and verifies the certificate against the name.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressBridge } from '../../src/egress/bridge.js';
import type { EgressBridge, EgressBridgeOptions } from '../../src/egress/bridge.js';
import { selfSignedCert, soon, tableLookup, text } from './servers.js';

let server: Server;
let port: number;
let cert: string;
const seen: { servername: string | false; host: string | undefined }[] = [];
const bridges: EgressBridge[] = [];

function bridge(options: EgressBridgeOptions = {}): EgressBridge {
  const created = createEgressBridge({
    allowPrivate: true,
    lookup: tableLookup({ 'secure.test': ['127.0.0.1'], 'wrong.test': ['127.0.0.1'] }),
    ...options,
  });
  bridges.push(created);
  return created;
}

beforeAll(async () => {
  const pair = selfSignedCert('secure.test');
  cert = pair.cert;
  server = createServer({ key: pair.key, cert }, (req, res) => {
    seen.push({ servername: (req.socket as TLSSocket).servername ?? false, host: req.headers.host });
    res.end('secret-free hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('egress bridge over TLS', () => {
  it('sends SNI and Host for the name while connecting to the checked address', async () => {
    const before = seen.length;
    const res = await bridge({ ca: cert }).fetch('t1', [`secure.test:${port}`], { url: `https://secure.test:${port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok && text(res.body)).toBe('secret-free hello');
    expect(seen.slice(before)).toEqual([{ servername: 'secure.test', host: `secure.test:${port}` }]);
  });

  it('verifies the certificate against the name, not the address', async () => {
    const res = await bridge({ ca: cert }).fetch('t2', [`wrong.test:${port}`], { url: `https://wrong.test:${port}/`, method: 'GET', headers: [] }, soon());
    expect(res).toEqual({ ok: false, kind: 'network', message: `wrong.test:${port}: connection to 127.0.0.1 failed (ERR_TLS_CERT_ALTNAME_INVALID)` });
  });

  it('rejects an untrusted certificate by default', async () => {
    const res = await bridge().fetch('t3', [`secure.test:${port}`], { url: `https://secure.test:${port}/`, method: 'GET', headers: [] }, soon());
    expect(res.ok === false && res.kind).toBe('network');
    expect(res.ok === false && res.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('switches SNI when two names share one pooled address', async () => {
    const b = bridge({ ca: cert, lookup: tableLookup({ 'secure.test': ['127.0.0.1'], 'wrong.test': ['127.0.0.1'] }) });
    const ok = await b.fetch('t4', [`secure.test:${port}`], { url: `https://secure.test:${port}/`, method: 'GET', headers: [] }, soon());
    expect(ok.ok).toBe(true);
    const wrong = await b.fetch('t4', [`wrong.test:${port}`], { url: `https://wrong.test:${port}/`, method: 'GET', headers: [] }, soon());
    expect(wrong.ok === false && wrong.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});
