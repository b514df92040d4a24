/**
 * Head-of-line: Python's calls are synchronous, so a sleeping guest holds its worker thread. The pool
 * grows by one worker per blocked worker (within maxWorkers), so sleepers cannot starve a trivial job;
 * workers that compute do not make it grow (more threads than cores would slow everyone down).
 */
import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

const { engine, run } = useEngine({ workers: { quickjs: 0, cpython: 2 }, maxWorkers: { cpython: 8 } });

function pythonWorkers(): number {
  const workers = engine().readiness().lanes.cpython!.workers;
  return workers.ready + workers.busy + workers.starting;
}

describe('Python head-of-line', () => {
  it('four sleeping jobs do not make a trivial job wait for them', async () => {
    await run({ language: 'python', code: 'pass' });
    const sleepers = Array.from({ length: 4 }, () => run({ language: 'python', code: 'import time\ntime.sleep(4)\nprint("woke")', timeout_ms: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    const quick = await run({ language: 'python', code: 'print(6 * 7)' });
    const waited = performance.now() - started;
    expect(quick.stdout).toBe('42\n');
    // Four sleepers on two workers: without growth the quick job would wait the full 4 s sleep.
    expect(waited).toBeLessThan(2_500);
    for (const sleeper of await Promise.all(sleepers)) expect(sleeper.stdout).toBe('woke\n');
  });

  it('jobs that compute queue for the workers there are, without growing the pool', async () => {
    // Let any workers the sleepers added retire from the count: only count what computing adds.
    const before = pythonWorkers();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run({ language: 'python', code: `n = 0\nfor i in range(300_000): n += i\nprint(${i})` })));
    for (const [i, result] of results.entries()) expect(result.stdout).toBe(`${i}\n`);
    expect(pythonWorkers()).toBeLessThanOrEqual(before);
  });
});
