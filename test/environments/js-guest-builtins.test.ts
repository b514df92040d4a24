/**
 * Packages that use Node built-ins the QuickJS guest implements (path, events, fs over the VFS...) are
 * bundled with those built-ins left to the guest's own `require`. Checked in the real guest (bootstrap.js
 * and its libraries, through the QuickJS lib harness), and the external list is checked against what the
 * guest's `require` really provides, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GUEST_BUILTINS } from '../../src/environments/js-bundle.js';
import { createEnvironmentManager, type EnvironmentManager } from '../../src/environments/index.js';
import { runGuest } from '../lanes/quickjs/lib-harness.js';
import { SHARED_STORE } from './helpers.js';

let manager: EnvironmentManager;

beforeAll(() => {
  manager = createEnvironmentManager({ storeDir: SHARED_STORE });
});
afterAll(async () => {
  await manager.close();
});

describe('guest-provided built-ins', () => {
  it('every built-in left external is one the guest require() resolves', async () => {
    const result = await runGuest(`return ${JSON.stringify(GUEST_BUILTINS)}.filter((name) => { try { require(name); require('node:' + name); return false; } catch { return true; } });`);
    expect(result.error).toBeUndefined();
    expect(result.value).toEqual([]);
  });

  it('a package requiring "path" runs in the guest through the guest\'s path', { timeout: 120_000 }, async () => {
    const env = await manager.prepare({ language: 'javascript', packages: ['upath@2.0.1'], runtime: 'auto' });
    if ('error' in env) throw new Error(env.error.message);
    expect(env.lane).toBe('quickjs');
    const bundle = readFileSync(env.spec.bundlePath as string, 'utf8');
    expect(bundle).toMatch(/require\("path"\)|__require\("path"\)/);
    const result = await runGuest(`${bundle}\nreturn globalThis.__isolaPackages.upath().joinSafe('a\\\\b', '../c/d.txt');`);
    expect(result.error).toBeUndefined();
    expect(result.value).toBe('a/c/d.txt');
  });
});
