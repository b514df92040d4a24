/**
 * The engine's lifetime: `await using` closes it; destroy() stops running executions at once (they are
 * answered, never lost) and cuts short a close() still waiting; after either, no worker thread, port
 * or timer of the engine is left in the process.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';

/** Resource kinds an engine holds while it runs (worker threads and their message ports). */
function engineResources(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Worker' || kind === 'MessagePort');
}

async function settled(): Promise<void> {
  // Terminated workers leave the list on the next turns of the event loop.
  for (let i = 0; i < 50 && engineResources().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('engine lifecycle', () => {
  it('await using closes the engine and leaves no worker behind', async () => {
    const before = engineResources().length;
    {
      await using engine = await createEngine({ workers: { quickjs: 1, cpython: 1, native: 0 } });
      const [js, py] = await Promise.all([engine.execute({ language: 'javascript', code: 'console.log(1)' }), engine.execute({ language: 'python', code: 'print(2)' })]);
      expect([js.stdout, py.stdout]).toEqual(['1\n', '2\n']);
      expect(engineResources().length).toBeGreaterThan(before);
    }
    await settled();
    expect(engineResources().length).toBe(before);
  }, 60_000);

  it('destroy() answers a running execution at once and cuts a pending close() short', async () => {
    const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
    const running = engine.execute({ language: 'javascript', code: 'while (true) {}', timeout_ms: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const closing = engine.close({ graceMs: 30_000 });
    await engine.destroy();
    await closing;
    const result = await running;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.error?.type).toBe('internal');
    expect(result.error?.message).toMatch(/shut down/);
    await settled();
    expect(engineResources()).toEqual([]);
  }, 60_000);
});
