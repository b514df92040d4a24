import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { useEngine } from './helpers.js';

const events: EngineEvent[] = [];
// The operator opens loopback for this test (a request can never do it on its own).
const { run } = useEngine({ egress: { allowPrivate: true }, onEvent: (e) => events.push(e) });

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect-to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('JavaScript fetch through the egress bridge', () => {
  it('an allow-listed host answers; method, headers, query and JSON body go through', async () => {
    const response = await run({
      code: `async function main({ base }) {
        const res = await fetch(base + '/items?page=2', { method: 'POST', headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
        return { status: res.status, ok: res.ok, type: res.headers.get('content-type'), data: await res.json() };
      }`,
      inputs: { base: `http://127.0.0.1:${port}` },
      network: { allow: [`127.0.0.1:${port}`] },
    });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ status: 200, ok: true, type: 'application/json', data: { method: 'POST', url: '/items?page=2', auth: 'Bearer t0k', body: '{"a":1}' } });
  });

  it('a host missing from the allow-list is denied with a TypeError naming it', async () => {
    const response = await run({
      code: `async function main({ base }) { try { await fetch(base) } catch (e) { return e.name + ': ' + e.message } }`,
      inputs: { base: `http://127.0.0.1:${port}/` },
      network: { allow: ['api.example.com'] },
    });
    expect(response.output).toMatch(/^TypeError: fetch denied: 127\.0\.0\.1:\d+: /);
    expect(events.some((e) => e.type === 'egress_denied')).toBe(true);
  });

  it('a redirect to the metadata address is refused at the hop', async () => {
    const response = await run({
      code: `async function main({ base }) { try { const r = await fetch(base + '/redirect-to-metadata'); return 'got ' + r.status } catch (e) { return e.message } }`,
      inputs: { base: `http://127.0.0.1:${port}` },
      network: { allow: [`127.0.0.1:${port}`, '169.254.169.254'] },
    });
    expect(response.output).toMatch(/fetch denied: 169\.254\.169\.254/);
  });
});
