/**
 * A walk over one function body's instructions that knows every immediate of the features CPython's
 * build uses (MVP, sign extension, saturating truncation, bulk memory, reference types, multi-value,
 * SIMD, threads' atomics, exception handling in both encodings, tail calls, typed function refs).
 * An opcode it does not know stops the walk with an error: the guard refuses a module it cannot read
 * completely rather than guess where the next instruction starts.
 */
import { type Reader, WasmFormatError } from './bytes.js';

/** An instruction that writes linear memory: one value at an address, or a range (fill, copy, init). */
export type MemoryWrite =
  | { kind: 'store'; value: 'i32' | 'i64' | 'f32' | 'f64' | 'v128'; offset: number }
  | { kind: 'range'; op: 'fill' | 'copy' | 'init' };

export interface BodyVisitor {
  /** After a `loop`'s block type: where a deadline check goes. */
  loop(afterBlockType: number): void;
  /** An instruction spanning [start, end) that writes memory 0 (the guest's), with its operands on the stack. */
  write(start: number, end: number, write: MemoryWrite): void;
  /** A `memory.grow` spanning [start, end). */
  memoryGrow(start: number, end: number, memory: number): void;
  /** An instruction that changes instance state the image reset cannot restore (tables, segments). */
  stateful(name: string): void;
}

const SINGLE_BYTE_TYPES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f, 0x69, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x72, 0x73, 0x74]);

function blockType(r: Reader): void {
  const first = r.bytes[r.pos];
  if (first === undefined) throw new WasmFormatError('block type past the end');
  if (SINGLE_BYTE_TYPES.has(first)) return void r.pos++;
  if (first === 0x63 || first === 0x64) {
    r.pos++;
    return heapType(r);
  }
  r.skipSigned(33); // a type index
}

function heapType(r: Reader): void {
  r.skipSigned(33);
}

function valueType(r: Reader): void {
  const first = r.u8();
  if (first === 0x63 || first === 0x64) heapType(r);
}

/** A memory argument; only memory 0 is accepted (the guard adds memories the module must not address). */
function memarg(r: Reader): number {
  const flags = r.u32();
  const memory = flags & 0x40 ? r.u32() : 0;
  if (memory !== 0) throw new WasmFormatError(`an access to memory ${memory} at byte ${r.pos}`);
  return r.u32(); // offset (memory32 only: a memory64 module is refused before the walk)
}

const STORE_VALUES: Record<number, 'i32' | 'i64' | 'f32' | 'f64'> = {
  0x36: 'i32', 0x37: 'i64', 0x38: 'f32', 0x39: 'f64', 0x3a: 'i32', 0x3b: 'i32', 0x3c: 'i64', 0x3d: 'i64', 0x3e: 'i64',
};

function memoryIndex(r: Reader): void {
  const memory = r.u32();
  if (memory !== 0) throw new WasmFormatError(`an access to memory ${memory} at byte ${r.pos}`);
}

/** Walks [r.pos, r.end): the instructions of one body, after its local declarations. */
export function walkInstructions(r: Reader, visit: BodyVisitor): void {
  while (r.pos < r.end) {
    const start = r.pos;
    const op = r.u8();
    if (op >= 0x45 && op <= 0xc4) continue; // numeric, no immediates (sign extension included)
    if (op >= 0x28 && op <= 0x3e) {
      const offset = memarg(r);
      const value = STORE_VALUES[op];
      if (value) visit.write(start, r.pos, { kind: 'store', value, offset });
      continue;
    }
    switch (op) {
      case 0x00: case 0x01: case 0x05: case 0x0a: case 0x0b: case 0x0f: case 0x19:
      case 0x1a: case 0x1b: case 0xd1: case 0xd3: case 0xd5:
        break;
      case 0x02: case 0x04: case 0x06:
        blockType(r);
        break;
      case 0x03:
        blockType(r);
        visit.loop(r.pos);
        break;
      case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15: case 0x18:
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0xd2: case 0xd4: case 0xd6:
        r.u32();
        break;
      case 0x26:
        r.u32();
        visit.stateful('table.set');
        break;
      case 0x0e: {
        const count = r.u32();
        for (let i = 0; i <= count; i++) r.u32();
        break;
      }
      case 0x11: case 0x13:
        r.u32();
        r.u32();
        break;
      case 0x1c: {
        const count = r.u32();
        for (let i = 0; i < count; i++) valueType(r);
        break;
      }
      case 0x1f: {
        blockType(r);
        const count = r.u32();
        for (let i = 0; i < count; i++) {
          const kind = r.u8();
          if (kind === 0 || kind === 1) r.u32();
          else if (kind !== 2 && kind !== 3) throw new WasmFormatError(`unknown catch kind ${kind} at byte ${r.pos - 1}`);
          r.u32();
        }
        break;
      }
      case 0x3f:
        memoryIndex(r);
        break;
      case 0x40: {
        const memory = r.u32();
        visit.memoryGrow(start, r.pos, memory);
        break;
      }
      case 0x41: r.skipSigned(32); break;
      case 0x42: r.skipSigned(64); break;
      case 0x43: r.skip(4); break;
      case 0x44: r.skip(8); break;
      case 0xd0: heapType(r); break;
      case 0xfc: miscPrefixed(r, visit, start); break;
      case 0xfd: simdPrefixed(r, visit, start); break;
      case 0xfe: atomicPrefixed(r, visit); break;
      default:
        throw new WasmFormatError(`unknown opcode 0x${op.toString(16)} at byte ${start}`);
    }
  }
}

function miscPrefixed(r: Reader, visit: BodyVisitor, start: number): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init: idempotent per image, the segment is never dropped
      r.u32();
      memoryIndex(r);
      return visit.write(start, r.pos, { kind: 'range', op: 'init' });
    case 9: r.u32(); return visit.stateful('data.drop');
    case 10: // memory.copy
      memoryIndex(r);
      memoryIndex(r);
      return visit.write(start, r.pos, { kind: 'range', op: 'copy' });
    case 11: // memory.fill
      memoryIndex(r);
      return visit.write(start, r.pos, { kind: 'range', op: 'fill' });
    case 12: r.u32(); r.u32(); return visit.stateful('table.init');
    case 13: r.u32(); return visit.stateful('elem.drop');
    case 14: r.u32(); r.u32(); return visit.stateful('table.copy');
    case 15: r.u32(); return visit.stateful('table.grow');
    case 16: r.u32(); return; // table.size
    case 17: r.u32(); return visit.stateful('table.fill');
    default: throw new WasmFormatError(`unknown 0xfc instruction ${sub} at byte ${r.pos}`);
  }
}

function simdPrefixed(r: Reader, visit: BodyVisitor, start: number): void {
  const sub = r.u32();
  if (sub === 11) {
    const offset = memarg(r);
    return visit.write(start, r.pos, { kind: 'store', value: 'v128', offset });
  }
  if (sub <= 10 || sub === 92 || sub === 93) return void memarg(r); // loads, load_zero
  if (sub === 12 || sub === 13) return r.skip(16); // v128.const, i8x16.shuffle
  if (sub >= 21 && sub <= 34) return r.skip(1); // extract/replace lane
  if (sub >= 84 && sub <= 87) {
    memarg(r);
    return r.skip(1); // load lane
  }
  if (sub >= 88 && sub <= 91) {
    // store lane: (address, vector) on the stack like v128.store, a lane index after the memory argument
    const offset = memarg(r);
    r.skip(1);
    return visit.write(start, r.pos, { kind: 'store', value: 'v128', offset });
  }
  if (sub <= 0x113) return; // arithmetic, comparisons, conversions, relaxed SIMD: no immediates
  throw new WasmFormatError(`unknown 0xfd instruction ${sub} at byte ${r.pos}`);
}

function atomicPrefixed(r: Reader, visit: BodyVisitor): void {
  const sub = r.u32();
  if (sub === 3) return r.skip(1); // atomic.fence
  if (sub <= 2 || (sub >= 0x10 && sub <= 0x16)) return void memarg(r); // notify, wait, loads
  if (sub >= 0x17 && sub <= 0x4e) {
    // Atomic stores and read-modify-writes: CPython's single-threaded build has none; the dirty-page
    // tracking does not mark them, so a module with them is refused.
    memarg(r);
    return visit.stateful(`atomic write 0xfe ${sub}`);
  }
  throw new WasmFormatError(`unknown 0xfe instruction ${sub} at byte ${r.pos}`);
}
