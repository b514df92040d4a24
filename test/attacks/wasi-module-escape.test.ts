/**
 * A hostile WASI module against the wasi lane: imports outside WASI, a memory the size of the cap and
 * a grow loop past it, loops and tail calls that never end, a sleep past the deadline, unbounded
 * recursion, paths out of the preopened root, iovecs past its memory, a flood of output, and a file
 * left for the next execution. Each ends as the contract says (a 400, a timeout, memory_limit, an
 * errno), never as a host error, and the worker keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type ExecuteRequestInput } from '../../src/index.js';
import { command, flood, growBomb, hello, leaveAFile, openPath, sleepFor, spin } from '../lanes/wasi/programs.js';
import { watBase64 } from '../lanes/wasi/wat.js';

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
});
afterAll(async () => {
  await engine?.close();
});

const run = async (wat: string, request: Partial<ExecuteRequestInput> = {}) => engine.execute({ language: 'wasm', code: await watBase64(wat), timeout_ms: 2000, ...request });

/** After every attack the same worker still runs a module correctly, without a restart. */
async function expectHealthy(): Promise<void> {
  const response = await run(hello('ok\n'));
  expect(response).toMatchObject({ status: 'completed', stdout: 'ok\n' });
  expect(restarts).toBe(0);
}

describe('wasi module escape', () => {
  it('a module importing anything but WASI functions is a 400 naming code', async () => {
    const imports = [
      '(import "env" "host_eval" (func (param i32)))',
      '(import "wasi_snapshot_preview1" "sock_open" (func (param i32) (result i32)))',
      '(import "wasi_snapshot_preview1" "memory" (memory 1))',
      '(import "wasi_snapshot_preview1" "args_get" (global i32))',
    ];
    for (const line of imports) {
      const code = await watBase64(`(module ${line} (memory (export "memory") 1) (func (export "_start")))`.replace('(memory (export "memory") 1)', line.includes('(memory') ? '' : '(memory (export "memory") 1)'));
      await expect(engine.execute({ language: 'wasm', code }), line).rejects.toMatchObject({ code: 'invalid_request', issues: [{ field: 'code' }] });
    }
  });

  it('a memory.grow loop stops at memory_mb: memory_limit, and the linear memory never passed it', async () => {
    const response = await run(growBomb, { memory_mb: 64 });
    expect(response).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
    expect(response.error?.message).toMatch(/^out of memory: the 64 MB memory limit was reached/);
    // The same loop in a module that copes with the refusal: it exits 0 only if it grew to within
    // 16 pages of the cap (1,024 pages) and not past it, and a module that exits 0 is not a failure.
    const measured = await run(
      command('(loop $more (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (if (i32.and (i32.le_u (memory.size) (i32.const 1024)) (i32.gt_u (memory.size) (i32.const 1008))) (then (call $proc_exit (i32.const 0)))) (call $proc_exit (i32.const 1))'),
      { memory_mb: 64 },
    );
    expect(measured).toMatchObject({ status: 'completed', return_code: 0, error: null });
    await expectHealthy();
  });

  it('a module whose initial memory is above memory_mb does not start', async () => {
    const response = await run(command('(nop)', { pages: 2048 }), { memory_mb: 64 });
    expect(response).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
    expect(response.error?.message).toContain('needs 128 MB of memory to start');
  });

  it('an endless loop, an endless tail call and a sleep all end at the deadline', async () => {
    const tail = command('(call $again)', { extra: '(func $again (return_call $again))' });
    const sleep = sleepFor(30);
    for (const wat of [spin, tail, sleep]) {
      const started = performance.now();
      const response = await run(wat, { timeout_ms: 300 });
      expect(response).toMatchObject({ status: 'error', error: { type: 'timeout' } });
      expect(performance.now() - started).toBeLessThan(2000);
    }
    await expectHealthy();
  });

  it('an uncaught WebAssembly exception ends as an exception, not a host error', async () => {
    const response = await run(`(module (tag $boom) (memory (export "memory") 1) (func (export "_start") (throw $boom)))`);
    expect(response).toMatchObject({ status: 'completed', return_code: 1, error: { type: 'exception' } });
    expect(response.error?.message).toContain('uncaught WebAssembly exception');
    await expectHealthy();
  });

  it('unbounded recursion ends as an exception, not a crash', async () => {
    const response = await run(command('(call $down)', { extra: '(func $down (call $down))' }));
    expect(response).toMatchObject({ status: 'completed', return_code: 1, error: { type: 'exception' } });
    expect(response.error?.message).toContain('call stack');
    await expectHealthy();
  });

  it('paths out of the preopened root are refused with ENOTCAPABLE (76), never reach the host', async () => {
    for (const path of ['../etc/passwd', '/etc/passwd', 'inputs.json/../../etc/hostname', '../../../../proc/self/environ', '..', './../inputs.json']) {
      const response = await run(openPath(path));
      expect(response.return_code, path).toBe(path.startsWith('inputs.json/') ? 54 : 76);
    }
    // A directory that exists, then up twice: still above the root.
    expect((await run(command('(drop (call $open (i32.const 256) (i32.const 5) (i32.const 0) (i64.const 2)))', { strings: { 256: 'x/../' } })))).toMatchObject({ return_code: 44 });
    // What does exist is only the execution's own root.
    expect((await run(openPath('inputs.json'))).return_code).toBe(0);
    expect((await run(openPath('package.json'))).return_code).toBe(44);
  });

  it('iovecs past linear memory and absurd counts are EINVAL (28), and a flood of output is truncated', async () => {
    const wild = (buf: string, len: string, count = '(i32.const 1)') => command(`(i32.store (i32.const 40) ${buf}) (i32.store (i32.const 44) ${len}) (call $proc_exit (call $fd_write (i32.const 1) (i32.const 40) ${count} (i32.const 36)))`);
    expect((await run(wild('(i32.const 0)', '(i32.const 0x7fffffff)'))).return_code).toBe(28);
    expect((await run(wild('(i32.const -16)', '(i32.const 64)'))).return_code).toBe(28);
    expect((await run(wild('(i32.const 0)', '(i32.const 1)', '(i32.const 1000000)'))).return_code).toBe(28);
    const response = await run(flood(200), { timeout_ms: 10_000 });
    expect(response).toMatchObject({ status: 'completed', return_code: 0, stdout_truncated: true });
    expect(Buffer.byteLength(response.stdout)).toBeLessThanOrEqual(1024 * 1024);
    await expectHealthy();
  });

  it('a file written in one execution is not there in the next', async () => {
    const first = await run(leaveAFile);
    const second = await run(leaveAFile);
    expect(first.stdout).toBe('fresh\n');
    expect(second.stdout).toBe('fresh\n');
  });
});
