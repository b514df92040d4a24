/**
 * A module's active data segments made passive: instantiating it no longer copies them into memory. For
 * instances that start from an image (Ruby's: the image already holds what the segments wrote, and more),
 * that copy is wasted work — for ruby+stdlib.wasm, tens of MB per execution. Nothing else changes:
 * functions, globals, tables and segment indices stay, so `memory.init`/`data.drop` still name the same
 * segments and the image's globals fit. Never instantiate the result without an image.
 */
import { concat, Reader, section, u32Bytes } from './bytes.js';
import { skipConstExpression } from './guard-module.js';

const DATA_SECTION = 11;

export function withPassiveData(bytes: Uint8Array): Uint8Array {
  const r = new Reader(bytes, 8);
  const out: (Uint8Array | number[])[] = [bytes.subarray(0, 8)];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const bodyStart = r.pos;
    r.skip(size);
    if (id !== DATA_SECTION) {
      out.push(bytes.subarray(start, r.pos));
      continue;
    }
    const body = new Reader(bytes, bodyStart, r.pos);
    const count = body.u32();
    const segments: (Uint8Array | number[])[] = [u32Bytes(count)];
    for (let i = 0; i < count; i++) {
      const flags = body.u32();
      if (flags === 2) body.u32(); // memory index
      if (flags === 0 || flags === 2) skipConstExpression(body); // the offset
      const length = body.u32();
      const from = body.pos;
      body.skip(length);
      segments.push([0x01, ...u32Bytes(length)], bytes.subarray(from, body.pos));
    }
    out.push(section(DATA_SECTION, concat(segments)));
  }
  return concat(out);
}
