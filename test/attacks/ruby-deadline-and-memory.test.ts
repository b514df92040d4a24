/**
 * Ruby code that tries to outlast its deadline or its memory cap: VM loops, a loop inside a C method,
 * a sleep, deep recursion, a huge string, a growing array. Each ends as timeout, memory_limit or an
 * exception in about its deadline, and the worker runs the next job without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

let engine: Engine;
/** Workers of the lane terminated (a deadline kill or a crash): none may be. */
let restarts = 0;
beforeAll(async () => {
  engine = await createEngine({
    workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 },
    maxWorkers: { wasi: 1 },
    onEvent: (event) => {
      if (event.type === 'worker_restart' && event.lane === 'wasi') restarts++;
    },
  });
  await engine.execute({ language: 'ruby', code: 'puts 1', timeout_ms: 60_000 });
}, 120_000);
afterAll(async () => {
  await engine?.close();
});

describe('ruby deadline and memory', () => {
  it.each([
    ['a VM loop', 'loop { }'],
    ['a loop inside a C method', '(1..Float::INFINITY).each { }'],
    ['a sort with a slow block', 'Array.new(10**7) { rand }.sort_by { |x| -x }; loop { }'],
    ['a sleep', 'sleep 30'],
    ['a rescue-everything retry loop', 'begin\n  loop { }\nrescue Exception\n  retry\nend'],
  ])('%s ends at the deadline', async (_name, code) => {
    const started = performance.now();
    const response = await engine.execute({ language: 'ruby', code, timeout_ms: 500 });
    expect(response).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('deep recursion is an exception (SystemStackError), not a crash', async () => {
    const response = await engine.execute({ language: 'ruby', code: 'def down(n) = down(n + 1)\ndown(0)', timeout_ms: 20_000 });
    expect(response).toMatchObject({ return_code: 1, error: { type: 'exception' } });
    expect(response.error?.message).toMatch(/SystemStackError|call stack/);
  });

  it.each([
    ['a huge string', 'x = "x" * (512 * 1024 * 1024)\nputs x.size'],
    ['a growing array', 'a = []\nloop { a << ("y" * 1_000_000) }'],
  ])('%s stops at memory_mb', async (_name, code) => {
    const response = await engine.execute({ language: 'ruby', code, memory_mb: 128, timeout_ms: 20_000 });
    expect(response.error?.type).toBe('memory_limit');
  });

  it('the worker still serves the next job, and no worker was terminated on the way', async () => {
    const response = await engine.execute({ language: 'ruby', code: 'def main = { "ok" => true }' });
    expect(response).toMatchObject({ status: 'completed', output: { ok: true } });
    expect(restarts).toBe(0);
  });
});
