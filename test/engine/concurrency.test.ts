import { describe, expect, it } from 'vitest';
import { createEngine, IsolaError, type EngineEvent } from '../../src/index.js';
import { useEngine } from './helpers.js';

const events: EngineEvent[] = [];
const { run } = useEngine({ onEvent: (event) => events.push(event) });

describe('concurrency and worker failure', () => {
  it('100 concurrent executions are all answered, each with its own result', async () => {
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        run({ code: `async function main({ i }) { await new Promise((r) => setTimeout(r, i % 7)); return { i, square: i * i } }`, inputs: { i } }),
      ),
    );
    responses.forEach((response, i) => {
      expect(response.status).toBe('completed');
      expect(response.output).toEqual({ i, square: i * i });
    });
    expect(new Set(responses.map((r) => r.id)).size).toBe(100);
  });

  it('a guest stuck in C code where interrupts cannot reach (printing a huge BigInt) is stopped by ending its worker', async () => {
    const before = events.filter((e) => e.type === 'worker_restart').length;
    const started = Date.now();
    // Converting a 600,000-digit BigInt to decimal runs for seconds inside one C call with no interrupt check.
    const response = await run({ code: `String(3n ** 600000n).length`, timeout_ms: 300 });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(events.filter((e) => e.type === 'worker_restart').length).toBe(before + 1);
    // Other executions are unaffected, and the pool refills.
    const after = await run({ code: `function main() { return 'ok' }` });
    expect(after.output).toBe('ok');
  });
});

describe('back-pressure and shutdown', () => {
  it('a full queue refuses new work with overloaded and a retry hint, and still answers what it accepted', async () => {
    const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 }, maxQueue: 2 });
    try {
      const slow = { language: 'javascript' as const, code: `async function main() { await new Promise((r) => setTimeout(r, 150)); return 'done' }` };
      const attempts = Array.from({ length: 6 }, () => engine.execute(slow).then((r) => r.output as string, (e: unknown) => e));
      const outcomes = await Promise.all(attempts);
      const refused = outcomes.filter((o): o is IsolaError => o instanceof IsolaError);
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(3);
      expect(refused).toHaveLength(3);
      for (const error of refused) {
        expect(error.code).toBe('overloaded');
        expect(error.status).toBe(503);
        expect(error.retryAfterS).toBeGreaterThan(0);
      }
    } finally {
      await engine.close();
    }
  });

  it('close() lets in-flight executions finish, then refuses new ones', async () => {
    const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
    const inFlight = engine.execute({ language: 'javascript', code: `async function main() { await new Promise((r) => setTimeout(r, 300)); return 'finished' }` });
    await new Promise((r) => setTimeout(r, 50));
    const closing = engine.close({ graceMs: 5000 });
    await expect(engine.execute({ language: 'javascript', code: '1' })).rejects.toMatchObject({ code: 'shutting_down', status: 503 });
    expect((await inFlight).output).toBe('finished');
    await closing;
    expect(engine.readiness().ready).toBe(false);
  });

  it('an execution still running when the grace period ends is answered, not lost', async () => {
    const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
    const started = Date.now();
    const inFlight = engine.execute({ language: 'javascript', code: `async function main() { await new Promise((r) => setTimeout(r, 5000)) }`, timeout_ms: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await engine.close({ graceMs: 200 });
    const response = await inFlight;
    expect(response.status).toBe('error');
    expect(response.error).toMatchObject({ type: 'internal', message: expect.stringMatching(/shut down/) });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('library callers get IsolaError for bad requests, never a crash', async () => {
    await expect(run({ code: 'x', timeout_ms: -1 })).rejects.toMatchObject({ code: 'invalid_request', issues: [expect.objectContaining({ field: 'timeout_ms' })] });
    await expect(run({ language: 'cobol' as never, code: 'x' })).rejects.toBeInstanceOf(IsolaError);
  });
});
