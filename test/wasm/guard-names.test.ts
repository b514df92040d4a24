/**
 * The guard drops the "name" custom section when asked (keepNames: false): V8 keeps a module's bytes
 * resident as long as the module lives, and CPython's 14 MB of function names only ever serve wasm
 * stack frames no envelope shows. Every other custom section, and the guard's own, stays.
 */
import wabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { GUARD_SECTION, guardModule } from '../../src/wasm/guard-module.js';

async function moduleWithNames(): Promise<Uint8Array> {
  const parsed = (await wabt()).parseWat('named.wat', '(module (memory 1) (func $answer (export "answer") (result i32) i32.const 42))');
  try {
    parsed.resolveNames();
    parsed.validate();
    const bytes = parsed.toBinary({ write_debug_names: true }).buffer;
    // Append a custom section of another name, which must survive: id 0, size, name "keep", payload.
    return new Uint8Array([...bytes, 0, 6, 4, ...new TextEncoder().encode('keep'), 1]);
  } finally {
    parsed.destroy();
  }
}

const sectionsOf = (bytes: Uint8Array, name: string) => WebAssembly.Module.customSections(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), name).length;

describe('guardModule keepNames', () => {
  it('keeps the name section by default and drops only it with keepNames: false', async () => {
    const source = await moduleWithNames();
    expect(sectionsOf(source, 'name')).toBe(1);
    const kept = guardModule(source, { maximumPages: 2 }).bytes;
    const dropped = guardModule(source, { maximumPages: 2, keepNames: false }).bytes;
    expect(sectionsOf(kept, 'name')).toBe(1);
    expect(sectionsOf(dropped, 'name')).toBe(0);
    expect(dropped.length).toBeLessThan(kept.length);
    for (const bytes of [kept, dropped]) {
      expect(sectionsOf(bytes, 'keep')).toBe(1);
      expect(sectionsOf(bytes, GUARD_SECTION)).toBe(1);
    }
  });
});
