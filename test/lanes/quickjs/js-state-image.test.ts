/**
 * The JavaScript half of the heap image on real quickjs-emscripten objects: handles a job caches
 * lazily on the context (here `_BigInt`, `_Symbol`) and host functions it adds to the runtime's table
 * are gone after a restore, and what was there at capture time is back, so no wrapper points into a
 * heap the restore rewrote.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { describe, expect, it } from 'vitest';
import { JsStateImage } from '../../../src/lanes/quickjs/js-state-image.js';

const variant = releaseSync as unknown as QuickJSSyncVariant;

describe('JsStateImage', () => {
  it('puts the wrapper objects of a runtime and context back as they were at capture', async () => {
    const module = await newQuickJSWASMModuleFromVariant(variant);
    const runtime = module.newRuntime();
    const ctx = runtime.newContext();
    const inner = module as unknown as { module: object; ffi: object };
    const before = ctx.newFunction('before', () => ctx.newNumber(1));
    ctx.setProp(ctx.global, 'before', before);
    before.dispose();
    const view = ctx as unknown as Record<string, unknown>;
    const refs = () => (runtime.hostRefs as unknown as { groups: Map<number, Map<number, unknown>> }).groups;
    const refCount = () => [...refs().values()].reduce((sum, group) => sum + group.size, 0);
    const image = JsStateImage.capture([runtime, ctx], [inner.module, inner.ffi]);
    expect(image.objects).toBeGreaterThan(5);
    const countAtCapture = refCount();
    const globalAtCapture = view['_global'];

    // A job: caches BigInt and Symbol handles, adds host functions.
    ctx.newBigInt(5n).dispose();
    ctx.unwrapResult(ctx.getIterator(ctx.newArray())).dispose();
    // Kept alive (the heap would hold them; here only the JS side is imaged, so they are never freed).
    for (let i = 0; i < 3; i++) ctx.newFunction(`f${i}`, () => undefined);
    expect(view['_BigInt']).toBeDefined();
    expect(refCount()).toBe(countAtCapture + 3);

    image.restore();
    expect(view['_BigInt']).toBeUndefined();
    expect(view['_Symbol']).toBeUndefined();
    expect(view['_global']).toBe(globalAtCapture);
    expect(refCount()).toBe(countAtCapture);
    // The host function registered before the capture still answers.
    const called = ctx.unwrapResult(ctx.evalCode('before()'));
    expect(ctx.getNumber(called)).toBe(1);
    called.dispose();
  });
});
