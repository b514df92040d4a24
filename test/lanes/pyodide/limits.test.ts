/**
 * Deadlines and the memory cap in the Pyodide lane. The harness sets the interrupt flag at the deadline
 * and, like the engine, ends the worker if it has not answered soon after.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPyodide, type PyodideHarness } from './harness.js';

const started: PyodideHarness[] = [];
async function fresh(): Promise<PyodideHarness> {
  const py = await startPyodide();
  started.push(py);
  return py;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((py) => py.close()));
});

describe('deadlines', () => {
  it('interrupts pure-Python loops, time.sleep and asyncio.sleep, and keeps serving', async () => {
    const py = await fresh();
    for (const code of [
      'while True:\n    pass',
      'import time\ntime.sleep(30)',
      'import asyncio\n\nasync def main():\n    await asyncio.sleep(30)',
      'import re\nre.match(r"(a+)+$", "a" * 40 + "b")',
      'def main():\n    n = 0\n    while True:\n        n += 1',
    ]) {
      const result = await py.run({ code, timeoutMs: 400 });
      expect(result.hardKilled, code).toBeUndefined();
      expect(result.failure, code).toMatchObject({ type: 'timeout' });
      expect(result.exitCode).toBe(124);
      // The lane answers right after the interrupt (milliseconds); the slack is for a loaded CI machine.
      expect(result.wallMs, code).toBeLessThan(400 + 1400);
      const next = await py.run({ code: 'print("alive")' });
      expect(next.stdout).toBe('alive\n');
    }
  });

  it('lets a sleep that ends before the deadline end normally', async () => {
    const py = await fresh();
    const result = await py.run({ code: 'import time\nt = time.monotonic()\ntime.sleep(0.2)\nprint(time.monotonic() - t)', timeoutMs: 5000 });
    expect(result.failure).toBeUndefined();
    const slept = Number(result.stdout);
    expect(slept).toBeGreaterThanOrEqual(0.2);
    expect(slept).toBeLessThan(1.5);
  });

  it('leaves a guest that swallows the interrupt to the worker kill', async () => {
    const py = await fresh();
    const code = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';
    const result = await py.run({ code, timeoutMs: 300 });
    expect(result.hardKilled).toBe(true);
  });

  it('leaves a guest stuck in C to the worker kill', async () => {
    const py = await fresh();
    const result = await py.run({ code: 'print(sum(range(10**12)))', timeoutMs: 300 });
    expect(result.hardKilled).toBe(true);
  });
});

describe('memory cap', () => {
  it('turns an allocation past memory_mb into memory_limit and keeps serving', async () => {
    const py = await fresh();
    // 3 GiB does not even fit a 32-bit size: Python refuses it before allocating (an exception result).
    const huge = await py.run({ code: 'bytearray(3 * 1024**3)', memoryBytes: 128 * 2 ** 20 });
    expect(huge.failure?.type === 'memory_limit' || huge.failure?.message.startsWith('OverflowError'), huge.failure?.message).toBe(true);
    for (const code of ['data = bytearray(200 * 1024 * 1024)', 'chunks = []\nwhile True:\n    chunks.append(bytearray(8 * 1024 * 1024))']) {
      const result = await py.run({ code, memoryBytes: 128 * 2 ** 20 });
      expect(result.failure?.type, code).toBe('memory_limit');
      expect(result.failure?.message).toContain('128 MB');
      const next = await py.run({ code: 'print(len(bytearray(10 * 1024 * 1024)))', memoryBytes: 128 * 2 ** 20 });
      expect(next.stdout).toBe(`${10 * 1024 * 1024}\n`);
    }
  });

  it('applies each job its own cap on the shared instance', async () => {
    const py = await fresh();
    const code = 'data = bytearray(200 * 1024 * 1024)\nprint(len(data) // 2**20)';
    expect((await py.run({ code, memoryBytes: 128 * 2 ** 20 })).failure?.type).toBe('memory_limit');
    expect((await py.run({ code, memoryBytes: 512 * 2 ** 20 })).stdout).toBe('200\n');
    expect((await py.run({ code, memoryBytes: 128 * 2 ** 20 })).failure?.type).toBe('memory_limit');
  });
});

describe('stack', () => {
  it('reports a stack overflow in C code as a RecursionError and serves the next job on a new instance', async () => {
    const py = await fresh();
    const result = await py.run({ code: 'x = [1]\nfor _ in range(50000):\n    x = [x]\nimport json\njson.dumps(x)' });
    expect(result.exitCode).toBe(1);
    expect(result.failure).toMatchObject({ type: 'exception' });
    expect(result.failure?.message).toMatch(/^RecursionError/);
    expect((await py.run({ code: 'print("fine")' })).stdout).toBe('fine\n');
    expect((await py.describe())['rebuilds']).toBe(1);
  });
});
