/**
 * The lock that lets several processes share one store: a real second process building the same
 * environment at the same time, and the stale-lock rules (dead owner, too old) of acquireLock.
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { createEnvironmentManager, type PrepareResult } from '../../src/environments/index.js';
import { acquireLock } from '../../src/environments/store-lock.js';
import { freshStore, recordingLogger } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/prepare-child.ts', import.meta.url));
const disposers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

function runChild(storeDir: string, spec: string): Promise<{ result: PrepareResult; builds: number; waits: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', child, storeDir, spec], { timeout: 120_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as { result: PrepareResult; builds: number; waits: number });
    });
  });
}

/** A pid that belonged to a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const proc = execFile('true');
    proc.on('exit', () => resolve(proc.pid ?? 999_999));
  });
}

describe('cross-process builds', () => {
  it('two processes preparing the same environment build it once', { timeout: 180_000 }, async () => {
    const store = freshStore();
    disposers.push(store.cleanup);
    // This process's npm is slowed down so its build surely still holds the lock when the child arrives.
    const slowNpm = join(store.dir, 'slow-npm.sh');
    writeFileSync(slowNpm, '#!/bin/sh\nsleep 3\nexec npm "$@"\n');
    chmodSync(slowNpm, 0o755);
    const log = recordingLogger();
    const manager = createEnvironmentManager({ storeDir: store.dir, logger: log, npm: slowNpm });
    disposers.push(() => manager.close());
    const mine = manager.prepare({ language: 'javascript', packages: ['is-number@7.0.0'], runtime: 'auto' });
    const theirs = await runChild(store.dir, 'is-number@7.0.0');
    const built = await mine;
    if ('error' in built || 'error' in theirs.result) throw new Error('expected two environments');
    expect(theirs.result.hash).toBe(built.hash);
    expect(built.cache).toBe('miss');
    expect(theirs.result.cache).toBe('hit');
    expect(theirs.waits).toBe(1);
    expect(theirs.builds).toBe(0);
    expect(log.count('building environment') + theirs.builds).toBe(1);
  });
});

describe('acquireLock', () => {
  it('breaks a lock whose owner process is gone', async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const path = join(dir, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: await deadPid(), host: hostname(), at: Date.now() }));
    const started = performance.now();
    const lock = await acquireLock(path, { staleMs: 60_000 });
    await lock.release();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('breaks a lock older than staleMs even if its owner looks alive', async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const path = join(dir, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 120));
    const lock = await acquireLock(path, { staleMs: 100 });
    await lock.release();
  });

  it('waits for a live holder and gets the lock when it is released', async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const path = join(dir, 'x.lock');
    const first = await acquireLock(path, { staleMs: 60_000 });
    let waited = false;
    const order: string[] = [];
    const second = acquireLock(path, { staleMs: 60_000, pollMs: 20 }, () => {
      waited = true;
    }).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first released');
    await first.release();
    await (await second).release();
    expect(waited).toBe(true);
    expect(order).toEqual(['first released', 'second acquired']);
  });

  it('stops waiting when its signal aborts', async () => {
    const { dir, cleanup } = freshStore();
    disposers.push(cleanup);
    const path = join(dir, 'x.lock');
    const held = await acquireLock(path, { staleMs: 60_000 });
    disposers.push(() => held.release());
    const controller = new AbortController();
    const waiting = acquireLock(path, { staleMs: 60_000, pollMs: 20, signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});
