// Shared by the library-from-guest-code tests: a real `isola serve` (startServer, port 0) with projects on,
// every lane that guest SDKs run in (QuickJS, CPython on WASI, native), a known URL-signing key, and small
// helpers over its HTTP API. Its store is a temp dir the native lane's sandbox uid can traverse.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { ADMIN_TOKEN } from '../projects/helpers.js';

export const SIGNING_KEY = 'test-signing-key-shared-by-every-node-0123456789';

export interface GuestService {
  server: RunningServer;
  newProject(name: string): Promise<{ id: string; api_key: string }>;
  upload(key: string, name: string, body: string, type?: string): Promise<{ id: string; name: string }>;
  execute(key: string, request: Record<string, unknown>): Promise<Envelope>;
}

export interface Envelope {
  status: string;
  output: unknown;
  stdout: string;
  stderr: string;
  error: { type: string; message: string } | null;
  environment: { lane: string };
}

export function useGuestService(workers: { quickjs: number; cpython: number; native: number } = { quickjs: 1, cpython: 1, native: 1 }): () => GuestService {
  let state: GuestService | undefined;
  let storeDir: string | undefined;
  const saved = process.env['ISOLA_URL_SIGNING_KEY'];
  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'isola-library-guest-'));
    chmodSync(storeDir, 0o755);
    process.env['ISOLA_URL_SIGNING_KEY'] = SIGNING_KEY;
    const server = await startServer({ port: 0, handleSignals: false, adminToken: ADMIN_TOKEN, logger: pino({ level: 'silent' }), engineOptions: { storeDir, workers: { ...workers, wasi: 0 } } });
    const url = (path: string) => `${server.address}${path}`;
    state = {
      server,
      async newProject(name) {
        const res = await fetch(url('/v1/admin/projects'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ name }) });
        return (await res.json()) as { id: string; api_key: string };
      },
      async upload(key, name, body, type = 'text/csv') {
        const res = await fetch(url(`/v1/library/files?name=${encodeURIComponent(name)}`), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
        if (res.status >= 300) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
        return (await res.json()) as { id: string; name: string };
      },
      async execute(key, request) {
        const res = await fetch(url('/v1/execute'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(request) });
        if (res.status !== 200) throw new Error(`execute: ${res.status} ${await res.text()}`);
        return (await res.json()) as Envelope;
      },
    };
  }, 180_000);
  afterAll(async () => {
    await state?.server.shutdown();
    if (saved === undefined) delete process.env['ISOLA_URL_SIGNING_KEY'];
    else process.env['ISOLA_URL_SIGNING_KEY'] = saved;
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });
  return () => {
    if (!state) throw new Error('the guest service is not up');
    return state;
  };
}
