/**
 * The store's guarantees: one build per request however many ask at once (in one process and across
 * managers sharing a directory), failures never cached, installer timeouts kill the whole process group,
 * atomic publication, list/remove/prune and LRU eviction under a size cap.
 */
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createEnvironmentManager, type EnvironmentManager, type EnvironmentManagerOptions, type PreparedEnvironment, type PrepareResult } from '../../src/environments/index.js';
import { freshStore, recordingLogger } from './helpers.js';

const disposers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

function setup(options: Partial<EnvironmentManagerOptions> = {}): { manager: EnvironmentManager; dir: string; log: ReturnType<typeof recordingLogger> } {
  const store = freshStore();
  disposers.push(store.cleanup);
  const log = recordingLogger();
  const manager = createEnvironmentManager({ storeDir: store.dir, logger: log, ...options });
  disposers.push(() => manager.close());
  return { manager, dir: store.dir, log };
}

function prepared(result: PrepareResult): PreparedEnvironment {
  if ('error' in result) throw new Error(`expected an environment, got ${result.error.type}: ${result.error.message}`);
  return result;
}

function processGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

const small = (spec: string) => ({ language: 'javascript' as const, packages: [spec], runtime: 'auto' as const });

describe('one build per environment', () => {
  it('concurrent first prepares in one process build once and all get the environment', { timeout: 120_000 }, async () => {
    const { manager, log } = setup();
    const results = (await Promise.all([1, 2, 3, 4].map(() => manager.prepare(small('is-number@7.0.0'))))).map(prepared);
    expect(new Set(results.map((r) => r.hash)).size).toBe(1);
    expect(results.every((r) => r.cache === 'miss')).toBe(true);
    expect(log.count('building environment')).toBe(1);
    expect(prepared(await manager.prepare(small('is-number@7.0.0'))).cache).toBe('hit');
  });

  it('two managers sharing a store build once (lock file), the second finds the first one\'s build', { timeout: 120_000 }, async () => {
    const { manager, dir, log } = setup();
    const otherLog = recordingLogger();
    const other = createEnvironmentManager({ storeDir: dir, logger: otherLog });
    disposers.push(() => other.close());
    const [a, b] = await Promise.all([manager.prepare(small('is-number@7.0.0')), other.prepare(small('is-number@7.0.0'))]);
    expect(prepared(a).hash).toBe(prepared(b).hash);
    expect(log.count('building environment') + otherLog.count('building environment')).toBe(1);
    expect([prepared(a).cache, prepared(b).cache].sort()).toEqual(['hit', 'miss']);
    expect(readdirSync(join(dir, 'env-locks'))).toEqual([]);
  });

  it('does not cache a failed build: the next prepare tries again', { timeout: 60_000 }, async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const script = join(dir, 'failing-npm.sh');
    const calls = join(dir, 'calls');
    writeFileSync(script, `#!/bin/sh\necho x >> '${calls}'\necho 'npm error code E404' >&2\nexit 1\n`);
    chmodSync(script, 0o755);
    const { manager } = setup({ npm: script });
    for (let i = 0; i < 2; i += 1) {
      const result = await manager.prepare(small('is-number@7.0.0'));
      expect('error' in result && result.error.type).toBe('package_install');
    }
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('kills an installer that exceeds the build timeout, with all its children', { timeout: 30_000 }, async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const pids = join(dir, 'pids');
    const script = join(dir, 'hanging-npm.sh');
    // The installer forks a child that would outlive it if only the direct process were killed.
    writeFileSync(script, `#!/bin/sh\nsleep 60 &\necho $! >> '${pids}'\necho $$ >> '${pids}'\nwait\n`);
    chmodSync(script, 0o755);
    const { manager, dir: storeDir } = setup({ npm: script, installTimeoutMs: 500 });
    const started = performance.now();
    const result = await manager.prepare(small('is-number@7.0.0'));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result).toEqual({ error: { type: 'package_install', message: 'npm install did not finish within 1 s (build timeout)' } });
    for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) {
      // The orphaned `sleep` is reaped by init a moment after the kill; a zombie is dead too.
      await expect.poll(() => processGone(pid), { timeout: 3000 }).toBe(true);
    }
    // Nothing half-built is left behind.
    expect(readdirSync(join(storeDir, 'envs', '.tmp'))).toEqual([]);
  });

  it('a caller that aborts stops waiting; the build still completes for the next caller', { timeout: 120_000 }, async () => {
    const { manager } = setup();
    const controller = new AbortController();
    const first = manager.prepare(small('is-number@7.0.0'), controller.signal);
    controller.abort(new Error('caller gave up'));
    await expect(first).rejects.toThrow('caller gave up');
    const env = prepared(await manager.prepare(small('is-number@7.0.0')));
    expect(env.lane).toBe('quickjs');
  });
});

describe('re-resolution and progress', () => {
  it('serves a stale version range at once and re-resolves it in the background; a pin never goes stale', { timeout: 120_000 }, async () => {
    const { manager, log } = setup({ rangeTtlMs: 0 });
    const ranged = prepared(await manager.prepare(small('is-number@^7')));
    expect(log.count('building environment')).toBe(1);
    const started = performance.now();
    const again = prepared(await manager.prepare(small('is-number@^7')));
    expect(performance.now() - started).toBeLessThan(50); // no waiting for npm
    expect(again).toMatchObject({ hash: ranged.hash, cache: 'hit' });
    // The background re-resolution runs npm again and lands on the environment already built.
    await expect.poll(() => log.count('environment ready'), { timeout: 60_000 }).toBe(2);
    expect(log.count('re-resolving a stale request in the background')).toBe(1);
    expect(log.lines.filter((l) => l.msg === 'environment ready').map((l) => (l.obj as { cache: string }).cache)).toEqual(['miss', 'hit']);
    const pinned = prepared(await manager.prepare(small('is-number@7.0.0')));
    expect(pinned.hash).toBe(ranged.hash);
    const builds = log.count('building environment');
    expect(prepared(await manager.prepare(small('is-number@7.0.0'))).cache).toBe('hit');
    expect(log.count('building environment')).toBe(builds);
    expect(log.count('re-resolving a stale request in the background')).toBe(1);
  });

  it('keeps serving the previous environment when a background re-resolution fails', { timeout: 120_000 }, async () => {
    const { manager, dir } = setup({ rangeTtlMs: 0 });
    const env = prepared(await manager.prepare(small('is-number@^7')));
    await manager.close();
    // The registry "goes down": this manager's npm always fails.
    const script = join(dir, 'down-npm.sh');
    writeFileSync(script, '#!/bin/sh\necho "npm error code ECONNREFUSED" >&2\nexit 1\n');
    chmodSync(script, 0o755);
    const log = recordingLogger();
    const other = createEnvironmentManager({ storeDir: dir, npm: script, rangeTtlMs: 0, logger: log });
    disposers.push(() => other.close());
    // Served from the disk index although stale; the next call finds it stale in memory and re-resolves.
    expect(prepared(await other.prepare(small('is-number@^7')))).toMatchObject({ hash: env.hash, cache: 'hit' });
    for (let i = 0; i < 3; i += 1) {
      expect(prepared(await other.prepare(small('is-number@^7')))).toMatchObject({ hash: env.hash, cache: 'hit' });
      await expect.poll(() => log.count('re-resolution failed; keeping the previous environment'), { timeout: 30_000 }).toBe(1);
    }
    // One failed attempt, then a pause before the next (not one npm run per request).
    expect(log.count('building environment')).toBe(1);
  });

  it('logs progress while a build runs long', { timeout: 30_000 }, async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const script = join(dir, 'slow-failing-npm.sh');
    writeFileSync(script, '#!/bin/sh\nsleep 0.5\necho "npm error code E404" >&2\nexit 1\n');
    chmodSync(script, 0o755);
    const { manager, log } = setup({ npm: script, progressIntervalMs: 100 });
    await manager.prepare(small('is-number@7.0.0'));
    expect(log.count('environment build still running')).toBeGreaterThanOrEqual(2);
  });
});

describe('list, remove, prune, eviction', () => {
  it('lists environments with sizes, removes one, and rebuilds it on demand', { timeout: 120_000 }, async () => {
    const { manager } = setup();
    const a = prepared(await manager.prepare(small('is-number@7.0.0')));
    const b = prepared(await manager.prepare(small('escape-string-regexp@5.0.0')));
    const listed = await manager.list();
    expect(listed.map((e) => e.hash).sort()).toEqual([a.hash, b.hash].sort());
    const entry = listed.find((e) => e.hash === a.hash);
    expect(entry?.packages).toEqual([{ name: 'is-number', version: '7.0.0' }]);
    expect(entry?.sizeBytes).toBeGreaterThan(1000);
    expect(await manager.remove(a.hash)).toBe(true);
    expect(await manager.remove(a.hash)).toBe(false);
    expect(await manager.remove('../../etc')).toBe(false);
    expect(existsSync(entry?.path ?? '/')).toBe(false);
    const again = prepared(await manager.prepare(small('is-number@7.0.0')));
    expect(again).toMatchObject({ hash: a.hash, cache: 'miss' });
  });

  it('evicts the least recently used environment when the size cap is exceeded', { timeout: 120_000 }, async () => {
    const { manager, dir } = setup({ maxStoreBytes: 10 ** 9, evictionGraceMs: 0 });
    const a = prepared(await manager.prepare(small('is-number@7.0.0')));
    const b = prepared(await manager.prepare(small('lodash@4.17.21')));
    const sizes = (await manager.list()).reduce((sum, e) => sum + e.sizeBytes, 0);
    // Another manager (as another process would) uses a after b was built: b is now least recently used.
    const capped = createEnvironmentManager({ storeDir: dir, maxStoreBytes: sizes + 1, evictionGraceMs: 0 });
    disposers.push(() => capped.close());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(prepared(await capped.prepare(small('is-number@7.0.0')))).toMatchObject({ hash: a.hash, cache: 'hit' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const c = prepared(await capped.prepare(small('is-odd@3.0.1')));
    const left = (await capped.list()).map((e) => e.hash);
    expect(left).toContain(c.hash);
    expect(left).toContain(a.hash);
    expect(left).not.toContain(b.hash);
  });

  it('a store moved to another directory keeps working, with paths in the new place', { timeout: 120_000 }, async () => {
    const { manager, dir } = setup();
    const env = prepared(await manager.prepare(small('is-number@7.0.0')));
    await manager.close();
    const moved = freshStore();
    disposers.push(moved.cleanup);
    cpSync(dir, moved.dir, { recursive: true });
    const other = createEnvironmentManager({ storeDir: moved.dir, npm: '/nonexistent/npm' });
    disposers.push(() => other.close());
    const again = prepared(await other.prepare(small('is-number@7.0.0')));
    expect(again).toMatchObject({ hash: env.hash, cache: 'hit' });
    expect(again.spec.bundlePath).toBe(join(moved.dir, 'envs', env.hash, 'bundle.js'));
    expect(existsSync(again.spec.bundlePath as string)).toBe(true);
  });

  it('rebuilds an environment whose files were partly deleted instead of handing it out', { timeout: 120_000 }, async () => {
    const { manager, dir } = setup();
    const env = prepared(await manager.prepare(small('is-number@7.0.0')));
    await manager.close();
    rmSync(env.spec.bundlePath as string);
    const log = recordingLogger();
    const other = createEnvironmentManager({ storeDir: dir, logger: log });
    disposers.push(() => other.close());
    const again = prepared(await other.prepare(small('is-number@7.0.0')));
    expect(again).toMatchObject({ hash: env.hash, cache: 'miss' });
    expect(log.count('environment is missing files; removing it to rebuild')).toBe(1);
    expect(existsSync(again.spec.bundlePath as string)).toBe(true);
  });

  it('prune removes environments unused for longer than olderThanMs', { timeout: 120_000 }, async () => {
    const { manager, dir } = setup();
    const a = prepared(await manager.prepare(small('is-number@7.0.0')));
    const old = new Date(Date.now() - 2 * 86_400_000);
    // Age it as two days without use would: the manifest's lastUsedAt and its mtime (touched on use).
    writeFileSync(join(dir, 'envs', a.hash, 'manifest.json'), readFileSync(join(dir, 'envs', a.hash, 'manifest.json'), 'utf8').replace(/"lastUsedAt": "[^"]+"/, `"lastUsedAt": "${old.toISOString()}"`));
    utimesSync(join(dir, 'envs', a.hash, 'manifest.json'), old, old);
    const result = await manager.prune({ olderThanMs: 86_400_000 });
    expect(result.removed).toEqual([a.hash]);
    expect(result.freedBytes).toBeGreaterThan(0);
    expect(await manager.list()).toEqual([]);
  });
});
