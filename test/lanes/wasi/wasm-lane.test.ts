/**
 * language "wasm" end to end through the engine: a user's WASI command module runs with inputs.json
 * and stdin in an in-memory root, its output.json (else stdout JSON) is the output, its exit code the
 * return code, and the second run of a module is served from the worker's compiled copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/index.js';
import { copy, exitWith, hello } from './programs.js';
import { watBase64 } from './wat.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 } });
});
afterAll(async () => {
  await engine?.close();
});

describe('wasm lane', () => {
  it('prints to stdout, exit code 0, in the wasi lane', async () => {
    const response = await engine.execute({ language: 'wasm', code: await watBase64(hello('hello from wasm\n')) });
    expect(response).toMatchObject({ status: 'completed', return_code: 0, stdout: 'hello from wasm\n', error: null, environment: { lane: 'wasi', mode: 'script' } });
  });

  it('reads inputs.json and writes output.json, which becomes the output', async () => {
    const response = await engine.execute({ language: 'wasm', code: await watBase64(copy('inputs.json', 'output.json')), inputs: { a: [1, 2], b: 'x' } });
    expect(response).toMatchObject({ status: 'completed', output: { a: [1, 2], b: 'x' }, stdout: '' });
  });

  it('reads the request stdin when given, else the inputs as JSON, and stdout JSON becomes the output', async () => {
    const code = await watBase64(copy(undefined, undefined));
    expect(await engine.execute({ language: 'wasm', code, stdin: 'line one\n' })).toMatchObject({ stdout: 'line one\n', output: null });
    expect(await engine.execute({ language: 'wasm', code, inputs: { n: 7 } })).toMatchObject({ stdout: '{"n":7}', output: { n: 7 }, stdout_json: { n: 7 } });
  });

  it('proc_exit(n) is the return code', async () => {
    const response = await engine.execute({ language: 'wasm', code: await watBase64(exitWith(3)) });
    expect(response).toMatchObject({ status: 'completed', return_code: 3, stdout: 'bye\n', error: null });
  });

  it('compiles a module once per worker: the second run is a cache hit', async () => {
    const code = await watBase64(hello('again\n'));
    const first = await engine.execute({ language: 'wasm', code });
    const second = await engine.execute({ language: 'wasm', code });
    expect(first.environment.cache).toBe('miss');
    expect(second.environment.cache).toBe('hit');
    expect(second.stdout).toBe('again\n');
  });

  it('runs with argv ["main.wasm"] and an empty environment', async () => {
    // args_sizes_get / environ_sizes_get: exit with argc * 16 + envc.
    const code = await watBase64(`(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (call $args (i32.const 0) (i32.const 4)))
        (drop (call $env (i32.const 8) (i32.const 12)))
        (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 16)) (i32.load (i32.const 8))))))`);
    expect(await engine.execute({ language: 'wasm', code })).toMatchObject({ return_code: 16 });
  });
});
