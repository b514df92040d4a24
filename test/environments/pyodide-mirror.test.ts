/**
 * Pyodide's own packages from a mirror given by URL (ISOLA_PYODIDE_PACKAGES): a real HTTP server on
 * 127.0.0.1 serves a lock file's wheels and a shared library; the manager fetches what the request
 * needs, checks each file against the lock's sha256 and resolves with pip against them. Offline, so
 * nothing else can satisfy the request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEnvironmentManager } from '../../src/environments/index.js';
import { freshStore, makeWheel } from './helpers.js';

let server: Server;
let baseUrl: string;
let mirrorDir: string;
let lockPath: string;
const served: string[] = [];
const cleanups: (() => void)[] = [];

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  const mirror = freshStore('isola-pyodide-mirror-');
  cleanups.push(mirror.cleanup);
  mirrorDir = mirror.dir;
  const demo = makeWheel(mirrorDir, 'isolamirrordemo', '1.2.0', 'cp314-cp314-pyemscripten_2026_0_wasm32', 'import isolamirrordep\n', ['isolamirrordep>=0.1']);
  const dep = makeWheel(mirrorDir, 'isolamirrordep', '0.1.0', 'py3-none-any', 'Y = 1\n');
  const tampered = makeWheel(mirrorDir, 'isolatampered', '1.0.0', 'cp314-cp314-pyemscripten_2026_0_wasm32', 'Z = 1\n');
  writeFileSync(join(mirrorDir, 'libdemo-1.0.zip'), 'not really a zip, only bytes to copy');
  const entry = (name: string, version: string, file: string, depends: string[], type = 'package') => ({
    name, version, file_name: file, sha256: sha256(join(mirrorDir, file)), depends, package_type: type,
    install_dir: type === 'package' ? 'site' : 'dynlib', imports: [name],
  });
  // The requirement in the wheel's metadata is what pip follows; the lock's depends is what we fetch.
  const lock = {
    info: { abi_version: '2026_0', arch: 'wasm32', platform: 'emscripten_5_0_3', python: '3.14.2' },
    packages: {
      isolamirrordemo: entry('isolamirrordemo', '1.2.0', demo, ['isolamirrordep', 'libdemo']),
      isolamirrordep: entry('isolamirrordep', '0.1.0', dep, []),
      libdemo: entry('libdemo', '1.0', 'libdemo-1.0.zip', [], 'shared_library'),
      isolatampered: { ...entry('isolatampered', '1.0.0', tampered, []), sha256: '0'.repeat(64) },
    },
  };
  lockPath = join(mirrorDir, 'pyodide-lock.json');
  writeFileSync(lockPath, JSON.stringify(lock));
  server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    served.push(name);
    try {
      if (!name.startsWith('pyodide/') || name.includes('..')) throw new Error('outside the mirror');
      res.end(readFileSync(join(mirrorDir, name.slice('pyodide/'.length))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pyodide/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const cleanup of cleanups) cleanup();
});

describe('Pyodide package mirror by URL', () => {
  it('fetches the closure of a requested Pyodide package and resolves it for the Pyodide lane', { timeout: 60_000 }, async () => {
    const store = freshStore();
    cleanups.push(store.cleanup);
    const manager = createEnvironmentManager({ storeDir: store.dir, pyodidePackages: baseUrl, pyodideLockPath: lockPath, pipOffline: true });
    try {
      const result = await manager.prepare({ language: 'python', packages: ['isolamirrordemo==1.2.0'], runtime: 'wasm' });
      if ('error' in result) throw new Error(result.error.message);
      expect(result.lane).toBe('pyodide');
      expect((result.spec.wheels as string[]).map((w) => w.split('/').pop()).sort()).toEqual([
        'isolamirrordemo-1.2.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl',
        'isolamirrordep-0.1.0-py3-none-any.whl',
      ]);
      const dynlibs = result.spec.dynlibs as string[];
      expect(dynlibs.map((d) => d.split('/').pop())).toEqual(['libdemo-1.0.zip']);
      expect(readFileSync(dynlibs[0] ?? '', 'utf8')).toBe('not really a zip, only bytes to copy');
      expect(served.some((path) => path.includes('isolatampered'))).toBe(false);
    } finally {
      await manager.close();
    }
  });

  it('uses a mirror directory in place (ISOLA_PYODIDE_PACKAGES as a path)', { timeout: 60_000 }, async () => {
    const store = freshStore();
    cleanups.push(store.cleanup);
    const before = served.length;
    const manager = createEnvironmentManager({ storeDir: store.dir, pyodidePackages: mirrorDir, pyodideLockPath: lockPath, pipOffline: true });
    try {
      const result = await manager.prepare({ language: 'python', packages: ['isolamirrordemo'], runtime: 'wasm' });
      if ('error' in result) throw new Error(result.error.message);
      expect(result.lane).toBe('pyodide');
      expect((result.spec.wheels as string[]).length).toBe(2);
      expect((result.spec.dynlibs as string[]).map((d) => d.split('/').pop())).toEqual(['libdemo-1.0.zip']);
      expect(served.length).toBe(before); // nothing fetched over HTTP
    } finally {
      await manager.close();
    }
  });

  it('refuses a mirror file whose sha256 differs from the lock', { timeout: 60_000 }, async () => {
    const store = freshStore();
    cleanups.push(store.cleanup);
    const manager = createEnvironmentManager({ storeDir: store.dir, pyodidePackages: baseUrl, pyodideLockPath: lockPath, pipOffline: true });
    try {
      const result = await manager.prepare({ language: 'python', packages: ['isolatampered'], runtime: 'auto' });
      expect(result).toMatchObject({ error: { type: 'package_install' } });
      expect(served).toContain('pyodide/isolatampered-1.0.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl');
    } finally {
      await manager.close();
    }
  });
});
