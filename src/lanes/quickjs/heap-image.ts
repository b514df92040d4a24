/**
 * An image of a QuickJS heap right after the bootstrap, put back in place before every execution: the
 * whole interpreter state one fresh runtime+context would start from, at the cost of copying back the
 * 4 KiB chunks the last execution wrote (test/lanes/quickjs/heap-image.test.ts).
 *
 * What the image holds, and why that is all the state there is:
 * - linear memory (MemoryImage): the QuickJS runtime, context, atoms, shapes, the bootstrap's objects,
 *   the allocator and Emscripten's sbrk pointer. Chunks written since the last restore are marked in the
 *   dirty map (the guard marks Wasm stores, js-write-marks.ts the JavaScript ones); memory that grew
 *   during a job keeps its length, and its marked chunks past the image become zero again, so the
 *   allocator (restored with everything else) hands out zeroed memory as it did the first time;
 * - the mutable Wasm globals (the stack pointer; the guard exports them);
 * - the wrapper objects of quickjs-emscripten (JsStateImage);
 * - the Math.random state, which QuickJS seeds from the clock when a context is created: an image would
 *   give every execution the same sequence, so each one gets a fresh seed (`reseed`).
 */
import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten-core';
import { MemoryImage } from '../cpython/memory-image.js';
import type { CappedModule } from './capped-module.js';
import { JsStateImage } from './js-state-image.js';

/** How far into the JSContext struct the random state may be (the struct is a few hundred bytes). */
const CONTEXT_SCAN_BYTES = 4096;

export class HeapImage {
  private verifyCopy: Uint8Array | undefined;
  /** Bytes the last restore wrote. */
  lastRestoreBytes = 0;

  private constructor(
    private readonly capped: CappedModule,
    private readonly memory: MemoryImage,
    private readonly globals: readonly (number | bigint)[],
    private readonly js: JsStateImage,
    private readonly randomState: number,
  ) {}

  /**
   * Takes the image. The JavaScript side must be quiescent: no host call in flight, no handle the job
   * will own yet. `opaque`: objects the wrapper graph references but must not be imaged (the module).
   */
  static capture(capped: CappedModule, runtime: QuickJSRuntime, ctx: QuickJSContext, opaque: readonly object[]): HeapImage {
    const randomState = findRandomState(capped, ctx);
    const js = JsStateImage.capture([runtime, ctx], opaque);
    // Nothing above the last chunk marked since instantiation (and above the data segments, which the
    // instantiation wrote without a mark) was ever written: scanning it for non-zero bytes is wasted.
    const lastMarked = capped.dirty.subarray(0, capped.memory.buffer.byteLength >>> 12).lastIndexOf(1);
    const scanBytes = capped.dataEnd === undefined ? Number.POSITIVE_INFINITY : Math.max(capped.dataEnd, (lastMarked + 2) << 12);
    const image = MemoryImage.capture(new Uint8Array(capped.memory.buffer), scanBytes);
    capped.dirty.fill(0);
    return new HeapImage(capped, image, capped.globals.map((global) => global.value as number | bigint), js, randomState);
  }

  get imageBytes(): number {
    return this.memory.length;
  }

  get storedBytes(): number {
    return this.memory.storedBytes;
  }

  /** Puts memory, globals and the wrapper objects back as they were at capture. */
  restore(): void {
    const bytes = new Uint8Array(this.capped.memory.buffer);
    this.lastRestoreBytes = this.memory.restoreDirty(bytes, this.capped.dirty);
    this.capped.dirty.fill(0, 0, (bytes.length >>> 12) + 1);
    this.capped.globals.forEach((global, i) => {
      global.value = this.globals[i];
    });
    this.js.restore();
    if (this.verifyCopy) this.verify(bytes);
  }

  /** A fresh Math.random seed (xorshift64* state, never zero), written where QuickJS keeps it. */
  reseed(): void {
    const seed = new BigUint64Array(1);
    do crypto.getRandomValues(seed);
    while (seed[0] === 0n);
    new DataView(this.capped.memory.buffer).setBigUint64(this.randomState, seed[0]!, true);
    this.capped.dirty[this.randomState >>> 12] = 1;
  }

  /** Keep a full copy and compare all of memory with it after every restore (tests: doubles memory). */
  verifyRestores(): void {
    this.verifyCopy = new Uint8Array(this.memory.length);
    this.memory.restore(this.verifyCopy);
  }

  private verify(bytes: Uint8Array): void {
    const copy = this.verifyCopy!;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== (i < copy.length ? copy[i] : 0)) throw new Error(`quickjs: the restore left byte ${i} (chunk ${i >>> 12}) different from the image`);
    }
  }
}

/**
 * Where QuickJS keeps this context's Math.random state: the one 8-byte word of the JSContext struct
 * that one call of Math.random advances by exactly one xorshift64* step to the value it returned.
 * Found by that relation rather than by a struct offset, so another QuickJS build fails closed.
 */
function findRandomState(capped: CappedModule, ctx: QuickJSContext): number {
  const base = (ctx as unknown as { ctx: { value: number } }).ctx.value;
  const math = ctx.getProp(ctx.global, 'Math');
  const random = ctx.getProp(math, 'random');
  math.dispose();
  const words = () => new BigUint64Array(capped.memory.buffer.slice(base, base + CONTEXT_SCAN_BYTES));
  const before = words();
  const result = ctx.callFunction(random, ctx.undefined);
  random.dispose();
  const after = words();
  const handle = ctx.unwrapResult(result);
  const value = ctx.getNumber(handle);
  handle.dispose();
  const found: number[] = [];
  for (let i = 0; i < before.length; i++) {
    const next = xorshift64star(before[i]!);
    if (after[i] === next.state && next.value === value) found.push(base + i * 8);
  }
  if (found.length !== 1) throw new Error(`quickjs: cannot locate the Math.random state (${found.length} candidates)`);
  return found[0]!;
}

const MASK = (1n << 64n) - 1n;

function xorshift64star(state: bigint): { state: bigint; value: number } {
  let x = state;
  x ^= x >> 12n;
  x = (x ^ (x << 25n)) & MASK;
  x ^= x >> 27n;
  const v = (x * 0x2545f4914f6cdd1dn) & MASK;
  const bits = new DataView(new ArrayBuffer(8));
  bits.setBigUint64(0, (v >> 12n) | (1023n << 52n));
  return { state: x, value: bits.getFloat64(0) - 1 };
}
