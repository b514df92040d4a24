/**
 * npm environments for the QuickJS lane: real installs from the registry, the bundle evaluated in a real
 * QuickJS context with no Node built-ins, and the failures a user can cause (unknown package, missing
 * version, a package that needs `fs`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { getQuickJS, type QuickJSContext } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEnvironmentManager, type EnvironmentManager, type PreparedEnvironment, type PrepareResult } from '../../src/environments/index.js';
import { SHARED_STORE } from './helpers.js';

let manager: EnvironmentManager;

beforeAll(() => {
  manager = createEnvironmentManager({ storeDir: SHARED_STORE });
});
afterAll(async () => {
  await manager.close();
});

function prepared(result: PrepareResult): PreparedEnvironment {
  if ('error' in result) throw new Error(`expected an environment, got ${result.error.type}: ${result.error.message}`);
  return result;
}

/** Evaluate the bundle, then `expression`, in a fresh QuickJS context; returns the JSON text of the value. */
async function inQuickJs(bundlePath: string, expression: string): Promise<string> {
  const quickjs = await getQuickJS();
  const ctx: QuickJSContext = quickjs.newContext();
  try {
    ctx.unwrapResult(ctx.evalCode(readFileSync(bundlePath, 'utf8'), 'bundle.js')).dispose();
    const handle = ctx.unwrapResult(ctx.evalCode(`JSON.stringify(${expression})`, 'probe.js'));
    try {
      return ctx.getString(handle);
    } finally {
      handle.dispose();
    }
  } finally {
    ctx.dispose();
  }
}

describe('npm packages bundled for QuickJS', () => {
  it('bundles lodash into a script that runs in a bare QuickJS context', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'javascript', packages: ['lodash@4.17.21'], runtime: 'auto' }));
    expect(env.lane).toBe('quickjs');
    expect(env.hash).toMatch(/^[0-9a-f]{64}$/);
    const bundlePath = env.spec.bundlePath as string;
    expect(bundlePath.startsWith(join(SHARED_STORE, 'envs', env.hash))).toBe(true);
    expect(await inQuickJs(bundlePath, '__isolaPackages.lodash().chunk([1, 2, 3], 2)')).toBe('[[1,2],[3]]');
    // The lockfile of the install is kept beside the bundle.
    const lock = JSON.parse(readFileSync(join(SHARED_STORE, 'envs', env.hash, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/lodash'].version).toBe('4.17.21');
  });

  it('exposes an ESM-only package as a namespace with its default export', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'typescript', packages: ['escape-string-regexp@5.0.0'], runtime: 'auto' }));
    expect(env.lane).toBe('quickjs');
    const out = await inQuickJs(env.spec.bundlePath as string, `__isolaPackages['escape-string-regexp']().default('a.b*c')`);
    expect(JSON.parse(out)).toBe('a\\.b\\*c');
  });

  it('is a cache hit on the second prepare, in well under a millisecond', { timeout: 120_000 }, async () => {
    const req = { language: 'javascript' as const, packages: ['lodash@4.17.21'], runtime: 'auto' as const };
    const first = prepared(await manager.prepare(req));
    const times: number[] = [];
    let last: PreparedEnvironment | undefined;
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      last = prepared(await manager.prepare(req));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    expect(last?.cache).toBe('hit');
    expect(last?.hash).toBe(first.hash);
    // Median of an in-process hit; the target is < 1 ms, asserted with room for a loaded CI machine.
    expect(times[100]).toBeLessThan(1);
  });

  it('a new manager on the same store finds the environment without npm (disk index)', { timeout: 120_000 }, async () => {
    const req = { language: 'javascript' as const, packages: ['lodash@4.17.21'], runtime: 'auto' as const };
    const first = prepared(await manager.prepare(req));
    // An npm that cannot start proves no installer ran.
    const other = createEnvironmentManager({ storeDir: SHARED_STORE, npm: '/nonexistent/npm' });
    try {
      const again = prepared(await other.prepare(req));
      expect(again.cache).toBe('hit');
      expect(again.hash).toBe(first.hash);
    } finally {
      await other.close();
    }
  });

  it('reports an unknown package as package_install naming it', { timeout: 120_000 }, async () => {
    const result = await manager.prepare({ language: 'javascript', packages: ['nonexistent-pkg-xyz-isola-7f3a'], runtime: 'auto' });
    expect(result).toEqual({ error: { type: 'package_install', message: 'package not found: nonexistent-pkg-xyz-isola-7f3a' } });
  });

  it('reports a version that does not exist as package_install', { timeout: 120_000 }, async () => {
    const result = await manager.prepare({ language: 'javascript', packages: ['lodash@99.99.99'], runtime: 'auto' });
    expect(result).toEqual({ error: { type: 'package_install', message: 'version not found: lodash@99.99.99' } });
  });

  it('refuses a package that needs a Node built-in the guest lacks under runtime "wasm", naming both', { timeout: 120_000 }, async () => {
    const result = await manager.prepare({ language: 'javascript', packages: ['lodash@4.17.21', 'fs-extra@11.2.0'], runtime: 'wasm' });
    expect('error' in result && result.error.type).toBe('package_unavailable');
    const message = 'error' in result ? result.error.message : '';
    // fs-extra's own imports (fs, path...) are provided by the guest; its dependency graceful-fs needs more.
    expect(message).toMatch(/^fs-extra needs the Node built-in "(constants|stream|os)"( \(required by its dependency graceful-fs\))?, which the QuickJS sandbox does not provide; use runtime "auto" or "native"/);
    expect(message).not.toMatch(/lodash/);
  });

  it('sends such a package to the native lane under runtime "auto", saying why', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'javascript', packages: ['fs-extra@11.2.0'], runtime: 'auto' }));
    expect(env.lane).toBe('native');
    expect(env.reason).toMatch(/^fs-extra needs the Node built-in "\w+".*which the QuickJS sandbox does not provide$/);
    expect(existsSync(join(env.spec.nodeModules as string, 'fs-extra', 'package.json'))).toBe(true);
  });

  it('gives runtime "native" the installed node_modules instead of a bundle', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'javascript', packages: ['fs-extra@11.2.0'], runtime: 'native' }));
    expect(env.lane).toBe('native');
    expect(env.reason).toBe('runtime "native" was requested');
    expect(existsSync(join(env.spec.nodeModules as string, 'fs-extra', 'package.json'))).toBe(true);
  });

  it('carries prebuild into the hash and the spec', { timeout: 120_000 }, async () => {
    const base = { language: 'javascript' as const, packages: ['lodash@4.17.21'], runtime: 'auto' as const };
    const plain = prepared(await manager.prepare(base));
    const withPrebuild = prepared(await manager.prepare({ ...base, prebuild: 'globalThis.table = [1, 2, 3];' }));
    expect(withPrebuild.hash).not.toBe(plain.hash);
    expect(withPrebuild.spec.prebuild).toBe('globalThis.table = [1, 2, 3];');
    expect(plain.spec.prebuild).toBeUndefined();
  });
});
