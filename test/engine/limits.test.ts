import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { useEngine } from './helpers.js';

const events: EngineEvent[] = [];
const { run, engine } = useEngine({ streamLimitBytes: 1024, outputLimitBytes: 4096, onEvent: (event) => events.push(event) });
const restarts = () => events.filter((event) => event.type === 'worker_restart').length;

describe('deadlines', () => {
  it('a busy loop is interrupted inside the interpreter, without replacing the worker', async () => {
    const before = restarts();
    const started = Date.now();
    const response = await run({ code: `while (true) {}`, timeout_ms: 300 });
    const elapsed = Date.now() - started;
    expect(response.status).toBe('error');
    expect(response.return_code).toBeNull();
    expect(response.error).toMatchObject({ type: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    // Nominally within ~100 ms of the deadline; the slack absorbs a loaded CI machine.
    expect(elapsed).toBeLessThan(550);
    expect(restarts()).toBe(before);
  });

  it('a loop inside an awaited main is interrupted too', async () => {
    const response = await run({ code: `async function main() { await null; for (;;) { Math.sqrt(2) } }`, timeout_ms: 200 });
    expect(response.error?.type).toBe('timeout');
  });

  it('a promise kept pending by a timer runs into the deadline', async () => {
    const response = await run({ code: `async function main() { await new Promise(() => setInterval(() => {}, 10)) }`, timeout_ms: 250 });
    expect(response.error?.type).toBe('timeout');
    expect(response.elapsed_ms).toBeLessThan(350);
  });

  it('a promise that can never settle fails at once instead of waiting for the deadline', async () => {
    const response = await run({ code: `async function main() { await new Promise(() => {}) }`, timeout_ms: 5000 });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toMatch(/never settled/);
    expect(response.elapsed_ms).toBeLessThan(1000);
  });

  it('timers really wait, within the deadline', async () => {
    const response = await run({ code: `async function main() { const t = Date.now(); await new Promise((r) => setTimeout(r, 120)); return Date.now() - t }` });
    expect(response.output).toBeGreaterThanOrEqual(115);
  });

  it('the deadline covers time spent waiting on timers', async () => {
    const response = await run({ code: `setTimeout(() => console.log('late'), 2000)`, timeout_ms: 200 });
    expect(response.error?.type).toBe('timeout');
    expect(response.stdout).toBe('');
  });
});

describe('memory', () => {
  it('running out of memory ends as memory_limit and the next execution works', async () => {
    const response = await run({ code: `const keep = []; for (;;) keep.push(new Array(100000).fill(1));`, memory_mb: 32, timeout_ms: 20_000 });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('memory_limit');
    expect(response.elapsed_ms).toBeLessThan(5000);
    const after = await run({ code: `function main() { return 'alive' }` });
    expect(after.output).toBe('alive');
  });

  it('one huge allocation fails fast', async () => {
    const response = await run({ code: `const big = new Uint8Array(512 * 1024 * 1024); console.log(big.length)`, memory_mb: 64 });
    expect(['memory_limit', 'exception']).toContain(response.error?.type);
    expect(response.stdout).toBe('');
  });

  it('deep recursion is a catchable exception, not a crash', async () => {
    const response = await run({ code: `function f(n) { return f(n + 1) + 1 }\nfunction main() { try { f(0) } catch (e) { return e.name + ': ' + e.message } }` });
    expect(response.output).toMatch(/stack overflow|call stack/i);
    const after = await run({ code: `function main() { return 1 }` });
    expect(after.output).toBe(1);
  });
});

describe('output caps', () => {
  it('stdout and stderr are cut at the cap and flagged, and the run still completes', async () => {
    const response = await run({ code: `for (let i = 0; i < 1000; i++) { console.log('line ' + i); console.error('err ' + i) }` });
    expect(response.status).toBe('completed');
    expect(response.stdout_truncated).toBe(true);
    expect(response.stderr_truncated).toBe(true);
    expect(new TextEncoder().encode(response.stdout).byteLength).toBeLessThanOrEqual(1024);
    expect(response.stdout.startsWith('line 0\nline 1\n')).toBe(true);
  });

  it('the cap never splits a multi-byte character', async () => {
    const response = await run({ code: `process.stdout.write('é'.repeat(2000))` });
    expect(response.stdout_truncated).toBe(true);
    expect(response.stdout).toBe('é'.repeat(512));
  });

  it('an output value over the output cap is output_limit', async () => {
    const response = await run({ code: `function main() { return 'x'.repeat(10000) }` });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('output_limit');
    expect(response.output).toBeNull();
  });

  it('the output cap counts UTF-8 bytes, not UTF-16 units', async () => {
    // 2,502 characters, 5,002 bytes: under the 4,096 cap by length, over it in bytes.
    const response = await run({ code: `require('fs').writeFileSync('output.json', JSON.stringify('é'.repeat(2500)))` });
    expect(response.error).toMatchObject({ type: 'output_limit', message: expect.stringContaining('5002 bytes') });
  });

  it('the engine keeps serving after all of the above', async () => {
    expect(engine().readiness().ready).toBe(true);
    const response = await run({ code: `function main() { return [1, 2, 3] }` });
    expect(response.output).toEqual([1, 2, 3]);
  });
});
