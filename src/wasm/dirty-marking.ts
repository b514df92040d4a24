/**
 * Dirty-chunk marking, written by the module guard into every instruction that writes the guest's
 * memory: before the write, the byte for its 4 KiB chunk is set to 1 in a third memory (`isola.dirty`,
 * one byte per chunk of the 4 GiB address space). After an execution the host restores only the marked
 * chunks from the image, which for a small job is a few hundred KiB instead of the whole 40 MB.
 *
 * Soundness: every store, SIMD store, store-lane, memory.fill, memory.copy and memory.init of memory 0
 * is marked (the walker refuses any other writing instruction, atomics included), and the host marks
 * its own writes (WASI calls, the turn's source). A scalar store is at most 16 bytes at an address the
 * mark takes without its alignment, so it may reach into the next chunk: the restore takes every marked
 * chunk and the one after it. A write that would trap marks harmlessly or traps a little earlier.
 */
import { u32Bytes } from './bytes.js';
import type { MemoryWrite } from './instructions.js';

export const DIRTY_MEMORY = { module: 'isola', name: 'dirty' } as const;
/** Memory index of the dirty map in the guarded module (0 guest, 1 control). */
const DIRTY_MEMORY_INDEX = 2;
export const DIRTY_CHUNK_SHIFT = 12;
/** One byte per chunk of wasm32's 4 GiB: 1 MiB, 16 pages. */
export const DIRTY_MAP_PAGES = 2 ** (32 - DIRTY_CHUNK_SHIFT) / 65536;

/** The locals the marking needs, appended to every function: three i32, then i64, f32, f64, v128. */
export const SCRATCH_LOCAL_GROUPS = Uint8Array.from([5, 3, 0x7f, 1, 0x7e, 1, 0x7d, 1, 0x7c, 1, 0x7b]);
const SCRATCH_BY_VALUE = { i32: 1, i64: 3, f32: 4, f64: 5, v128: 6 } as const;

/** i32.const 1; i32.store8 (memory 2) offset=0: sets the chunk byte whose index is on the stack. */
const SET_MARK = [0x41, 0x01, 0x3a, 0x40, DIRTY_MEMORY_INDEX, 0x00];

function signed32(value: number): number[] {
  // i32.const takes a signed LEB128: a u32 offset above 2^31 is written as its negative twin.
  let rest = value | 0;
  const out: number[] = [];
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/**
 * The instructions that go before a write, given the index of the first scratch local and of the added
 * mark function. They leave the stack as they found it (operands saved and pushed back).
 */
export function markingPrefix(write: MemoryWrite, scratch: number, markFunction: number): Uint8Array {
  const local = (op: number, index: number) => [op, ...u32Bytes(index)];
  const address = scratch;
  if (write.kind === 'store') {
    const value = scratch + SCRATCH_BY_VALUE[write.value];
    return Uint8Array.from([
      ...local(0x21, value), // local.set value
      ...local(0x22, address), // local.tee address
      ...(write.offset !== 0 ? [0x41, ...signed32(write.offset), 0x6a] : []), // + offset
      0x41, DIRTY_CHUNK_SHIFT, 0x76, // >> 12
      ...SET_MARK,
      ...local(0x20, address),
      ...local(0x20, value),
    ]);
  }
  // fill (dest, value, n), copy (dest, src, n), init (dest, src, n): mark [dest, dest + n).
  const second = scratch + 1;
  const length = scratch + 2;
  return Uint8Array.from([
    ...local(0x21, length),
    ...local(0x21, second),
    ...local(0x22, address),
    ...local(0x20, length),
    0x10, ...u32Bytes(markFunction),
    ...local(0x20, address),
    ...local(0x20, second),
    ...local(0x20, length),
  ]);
}

/** Type of the mark function: (dest i32, length i32) -> (). */
export const MARK_TYPE = [0x60, 2, 0x7f, 0x7f, 0];

/**
 * (func $mark (param $dest i32) (param $n i32)
 *   if n == 0 return
 *   memory.fill (memory 2) (dest >> 12) 1 (((dest + n - 1) >> 12) - (dest >> 12) + 1))
 * When dest + n wraps, the write itself is out of bounds: the fill then traps first, as it would.
 */
export const MARK_BODY = Uint8Array.from([
  0x00, // no locals
  0x20, 0x01, 0x45, 0x04, 0x40, 0x0f, 0x0b, // if (n == 0) return
  0x20, 0x00, 0x41, DIRTY_CHUNK_SHIFT, 0x76, // first = dest >> 12
  0x41, 0x01, // value 1
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x41, 0x01, 0x6b, 0x41, DIRTY_CHUNK_SHIFT, 0x76, // last = (dest + n - 1) >> 12
  0x20, 0x00, 0x41, DIRTY_CHUNK_SHIFT, 0x76, 0x6b, 0x41, 0x01, 0x6a, // last - first + 1
  0xfc, 0x0b, DIRTY_MEMORY_INDEX, // memory.fill (memory 2)
  0x0b,
]);
