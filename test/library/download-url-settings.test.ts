// The settings of signed download URLs on a real `isola serve`: ISOLA_PUBLIC_URL names the base URLs point
// at (behind a proxy or TLS terminator), and a bad ISOLA_PUBLIC_URL, ISOLA_URL_SIGNING_KEY or
// ISOLA_DOWNLOAD_URL_TTL_S stops the start with the setting named, before anything listens.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorLimitsError } from '../../src/contract/operator-limits.js';
import { startServer } from '../../src/server/serve.js';
import { ADMIN_TOKEN } from '../projects/helpers.js';

const SETTINGS = ['ISOLA_PUBLIC_URL', 'ISOLA_URL_SIGNING_KEY', 'ISOLA_DOWNLOAD_URL_TTL_S'] as const;
const saved = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));
const dirs: string[] = [];
afterEach(() => {
  for (const name of SETTINGS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const start = () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'isola-url-settings-'));
  chmodSync(storeDir, 0o755);
  dirs.push(storeDir);
  return startServer({ port: 0, handleSignals: false, adminToken: ADMIN_TOKEN, logger: pino({ level: 'silent' }), engineOptions: { storeDir, workers: { quickjs: 1, cpython: 0, native: 0, wasi: 0 } } });
};

describe('download URL settings', () => {
  it('ISOLA_PUBLIC_URL is the base of every signed URL; ISOLA_DOWNLOAD_URL_TTL_S their default lifetime', async () => {
    process.env['ISOLA_PUBLIC_URL'] = 'https://isola.example.com/sandbox/';
    process.env['ISOLA_DOWNLOAD_URL_TTL_S'] = '120';
    const server = await start();
    try {
      const project = (await (await fetch(`${server.address}/v1/admin/projects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ name: 'p' }) })).json()) as { api_key: string };
      const auth = { authorization: `Bearer ${project.api_key}` };
      const file = (await (await fetch(`${server.address}/v1/library/files?name=a.txt`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' })).json()) as { id: string };
      const before = Date.now();
      const signed = (await (await fetch(`${server.address}/v1/library/files/${file.id}/download-url`, { method: 'POST', headers: auth })).json()) as { url: string; expires_at: string };
      expect(signed.url.startsWith('https://isola.example.com/sandbox/v1/library/download/')).toBe(true);
      const lifetime = Date.parse(signed.expires_at) - before;
      expect(lifetime).toBeGreaterThan(110_000);
      expect(lifetime).toBeLessThanOrEqual(121_000);
      // The path after the public base is the service's own route.
      const local = await fetch(`${server.address}${new URL(signed.url).pathname.replace('/sandbox', '')}`);
      expect(await local.text()).toBe('hi');
      const bad = await fetch(`${server.address}/v1/library/files/${file.id}/download-url?expires_in=0`, { method: 'POST', headers: auth });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { issues: { field: string }[] } }).error.issues[0]?.field).toBe('expires_in');
    } finally {
      await server.shutdown();
    }
  }, 60_000);

  it.each([
    ['ISOLA_PUBLIC_URL', 'ftp://isola.example.com'],
    ['ISOLA_PUBLIC_URL', 'not a url'],
    ['ISOLA_URL_SIGNING_KEY', 'too-short'],
    ['ISOLA_DOWNLOAD_URL_TTL_S', '0'],
    ['ISOLA_DOWNLOAD_URL_TTL_S', 'soon'],
  ] as const)('%s=%s stops the start, naming the setting', async (name, value) => {
    process.env[name] = value;
    const error = await start().then(
      async (server) => {
        await server.shutdown();
        return undefined;
      },
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(OperatorLimitsError);
    expect((error as OperatorLimitsError).setting).toBe(name);
    expect((error as Error).message).toContain(name);
  }, 60_000);
});
