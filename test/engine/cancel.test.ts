// ExecuteOptions.signal stops a running execution, not only an environment build: in every lane the
// guest is interrupted like at its deadline, the result is `cancelled`, nothing is lost and the worker
// keeps serving. Also: the queue, the HTTP client's hang-up over a real socket, and Ctrl-C in `isola run`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineEvent, type ExecuteResponse } from '../../src/index.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { pino } from 'pino';

const SPIN: Record<string, { language: 'javascript' | 'python'; runtime?: 'native'; code: string }> = {
  quickjs: { language: 'javascript', code: 'console.log("started"); while (true) {}' },
  cpython: { language: 'python', code: 'print("started", flush=True)\nwhile True:\n    pass\n' },
  native: { language: 'python', runtime: 'native', code: 'import time\nprint("started", flush=True)\ntime.sleep(60)\n' },
};

function expectCancelled(response: ExecuteResponse): void {
  expect(response).toMatchObject({ status: 'error', return_code: null, output: null, error: { type: 'cancelled' } });
}

describe('cancelling through ExecuteOptions.signal', () => {
  const events: EngineEvent[] = [];
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ workers: { quickjs: 1, cpython: 1, native: 1 }, maxWorkers: { quickjs: 1, cpython: 1 }, onEvent: (event) => events.push(event) });
  }, 120_000);
  afterAll(async () => {
    await engine?.close({ graceMs: 0 });
  });

  it.each(Object.keys(SPIN))('%s: a running guest stops, ends cancelled, and its worker serves the next job', async (lane) => {
    const restartsBefore = events.filter((event) => event.type === 'worker_restart').length;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 700);
    const response = await engine.execute({ ...SPIN[lane]!, timeout_ms: 60_000 }, { signal: controller.signal });
    const tookMs = Date.now() - started;
    expect(response.environment.lane).toBe(lane);
    expectCancelled(response);
    expect(tookMs).toBeLessThan(5_000);
    const next = await engine.execute({ language: SPIN[lane]!.language, runtime: SPIN[lane]!.runtime ?? 'auto', code: SPIN[lane]!.language === 'python' ? 'print(6 * 7)' : 'console.log(6 * 7)' });
    expect(next).toMatchObject({ status: 'completed', stdout: '42\n', error: null });
    // Interrupted, not killed: the worker that ran the cancelled job is the one that ran this one.
    expect(events.filter((event) => event.type === 'worker_restart').length).toBe(restartsBefore);
  }, 60_000);

  it('a queued execution leaves the queue at once; the running one is untouched', async () => {
    const running = engine.execute({ language: 'javascript', code: 'const end = Date.now() + 1500; while (Date.now() < end) {} console.log("done")' });
    const controller = new AbortController();
    const queued = engine.execute({ language: 'javascript', code: 'console.log("never")' }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = Date.now();
    controller.abort();
    const cancelled = await queued;
    expect(Date.now() - abortedAt).toBeLessThan(200);
    expectCancelled(cancelled);
    expect(cancelled.stdout).toBe('');
    expect((await running)).toMatchObject({ status: 'completed', stdout: 'done\n' });
    expect(engine.readiness().queue.depth).toBe(0);
  });

  it('an already aborted signal never runs the code', async () => {
    const response = await engine.execute({ language: 'javascript', code: 'console.log("ran")' }, { signal: AbortSignal.abort() });
    expectCancelled(response);
    expect(response.stdout).toBe('');
  });
});

describe('cancelling from the outside', () => {
  let server: RunningServer;
  const events: EngineEvent[] = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, handleSignals: false, logger: pino({ level: 'silent' }), engineOptions: { workers: { quickjs: 1, cpython: 0, native: 0 }, onEvent: (event) => events.push(event) } });
  });
  afterAll(async () => {
    await server?.shutdown();
  });

  it('an HTTP client that hangs up stops its running execution', async () => {
    const controller = new AbortController();
    const request = fetch(`${server.address}/v1/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'javascript', code: 'while (true) {}', timeout_ms: 60_000 }),
      signal: controller.signal,
    }).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    expect(await request).toBe('AbortError');
    const until = Date.now() + 5_000;
    while (!events.some((event) => event.type === 'execution' && event.errorType === 'cancelled') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.filter((event) => event.type === 'execution').map((event) => event.type === 'execution' && event.errorType)).toEqual(['cancelled']);
    // The worker is free again at once, well before the 60 s deadline.
    const res = await fetch(`${server.address}/v1/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'javascript', code: 'console.log(1)' }) });
    expect((await res.json()) as unknown).toMatchObject({ status: 'completed', stdout: '1\n' });
  });

  it('`isola run` exits 130 on Ctrl-C, with the cancelled result on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isola-cancel-'));
    try {
      const file = join(dir, 'spin.js');
      writeFileSync(file, 'console.log("spinning"); while (true) {}');
      const bin = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
      const child = spawn(process.execPath, [bin, 'run', file, '--timeout', '60000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      // Wait for the engine to be up and the code to run (`isola run` starts its worker on demand).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const sentAt = Date.now();
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      expect(code).toBe(130);
      expect(Date.now() - sentAt).toBeLessThan(5_000);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'error', error: { type: 'cancelled' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
