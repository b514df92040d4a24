/**
 * Reading and writing the WebAssembly binary format's primitives (LEB128 integers, vectors, names).
 * Used by the module guard (guard-module.ts), which rewrites CPython's module once per worker.
 */

export class WasmFormatError extends Error {}

/** A cursor over module bytes. Every read checks bounds: a malformed module fails, never wraps. */
export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
    readonly end = bytes.length,
  ) {}

  u8(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) throw new WasmFormatError(`u32 out of range at byte ${this.pos}`);
        return result;
      }
    }
    throw new WasmFormatError(`u32 too long at byte ${this.pos}`);
  }

  /** Skips a signed LEB128 of at most `bits` bits (s32, s33, s64). */
  skipSigned(bits: number): void {
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) if ((this.u8() & 0x80) === 0) return;
    throw new WasmFormatError(`signed integer too long at byte ${this.pos}`);
  }

  skip(count: number): void {
    if (count < 0 || this.pos + count > this.end) throw new WasmFormatError(`${count} bytes past the end at byte ${this.pos}`);
    this.pos += count;
  }

  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(start, this.pos));
  }
}

export function u32Bytes(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

export function nameBytes(text: string): number[] {
  const utf8 = new TextEncoder().encode(text);
  return [...u32Bytes(utf8.length), ...utf8];
}

/** Concatenates byte chunks into one array. */
export function concat(chunks: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function section(id: number, body: Uint8Array): Uint8Array {
  return concat([[id, ...u32Bytes(body.length)], body]);
}
