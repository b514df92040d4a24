/**
 * withPassiveData: a module's active data segments stop writing memory at instantiation, and stay the
 * same segments (memory.init of index n still copies segment n's bytes). Real modules, real V8.
 */
import { describe, expect, it } from 'vitest';
import { withPassiveData } from '../../src/wasm/passive-data.js';
import { wat } from '../lanes/wasi/wat.js';

const MODULE = `(module
  (memory (export "memory") 1)
  (data (i32.const 16) "active")
  (data $later "passive")
  (data (memory 0) (i32.const 32) "second")
  (func (export "init") (param $segment i32)
    (if (i32.eqz (local.get $segment))
      (then (memory.init 0 (i32.const 100) (i32.const 0) (i32.const 6)))
      (else (memory.init $later (i32.const 100) (i32.const 0) (i32.const 7))))))`;

const text = (memory: WebAssembly.Memory, at: number, length: number) => Buffer.from(new Uint8Array(memory.buffer, at, length)).toString();

describe('withPassiveData', () => {
  it('leaves memory untouched at instantiation, and memory.init finds the same segments', async () => {
    const bytes = await wat(MODULE);
    const original = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    expect(text(original.exports['memory'] as WebAssembly.Memory, 16, 6)).toBe('active');

    const rewritten = withPassiveData(bytes);
    expect(WebAssembly.validate(rewritten as Uint8Array<ArrayBuffer>)).toBe(true);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(rewritten as Uint8Array<ArrayBuffer>));
    const memory = instance.exports['memory'] as WebAssembly.Memory;
    expect(new Uint8Array(memory.buffer).every((byte) => byte === 0)).toBe(true);
    (instance.exports['init'] as (segment: number) => void)(0);
    expect(text(memory, 100, 6)).toBe('active');
    (instance.exports['init'] as (segment: number) => void)(1);
    expect(text(memory, 100, 7)).toBe('passive');
  });
});
