/**
 * A hostile WASI 0.2 component against the wasi lane's limits: a loop that never ends, a sleep past the
 * deadline, memory grown past
 * memory_mb, files written until the memory runs out, and one byte written 2 GB into a file (which the
 * preview2 shim would allocate whole before storing). Each ends as the same program does as a preview1
 * module (timeout, memory_limit), stopped by the guard and the file charge, never by killing the worker.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

const component = (name: string) => readFileSync(new URL(`../lanes/wasi/components/${name}.wasm`, import.meta.url)).toString('base64');

let storeDir: string;
let engine: Engine;
/** Workers of the lane terminated (a deadline kill or a crash): none may be. */
let restarts = 0;
beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'isola-component-attacks-'));
  engine = await createEngine({
    workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 },
    maxWorkers: { wasi: 1 },
    storeDir,
    onEvent: (event) => {
      if (event.type === 'worker_restart' && event.lane === 'wasi') restarts++;
    },
  });
});
afterAll(async () => {
  await engine?.close({ graceMs: 0 });
  await rm(storeDir, { recursive: true, force: true });
});

describe('a hostile WASI 0.2 component', () => {
  it('a loop that never ends is a timeout, and the worker keeps serving', async () => {
    // 3 s: a component's first run transpiles it (~1 s here) inside its own deadline; past that plus the
    // lane's grace the worker would be replaced, which is the last resort, not what this test is about.
    expect(await engine.execute({ language: 'wasm', code: component('spin'), timeout_ms: 3000 })).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(await engine.execute({ language: 'wasm', code: component('hello') })).toMatchObject({ return_code: 0, stdout: 'hello from a component\n' });
  });

  it('a sleep past the deadline wakes at it as a timeout; a short one completes', async () => {
    expect(await engine.execute({ language: 'wasm', code: component('sleep'), timeout_ms: 3000 })).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(await engine.execute({ language: 'wasm', code: component('nap'), timeout_ms: 5000 })).toMatchObject({ status: 'completed', return_code: 0 });
  });

  it('growing memory past memory_mb is memory_limit', async () => {
    expect(await engine.execute({ language: 'wasm', code: component('grow'), memory_mb: 32 })).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
  });

  it.each(['file-bomb', 'far-write'])('files count against memory_mb: %s is memory_limit', async (name) => {
    expect(await engine.execute({ language: 'wasm', code: component(name), memory_mb: 32 })).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
  });

  it('no worker was terminated: the guard and the file charge stopped every guest', () => {
    expect(restarts).toBe(0);
  });
});
