/**
 * A copy of linear memory taken once after boot and written back after every execution, kept as its
 * non-zero extents only. About 40% of CPython's booted memory is zero (the C stack region, the heap's
 * unused top); those parts are restored with fill(0), which costs a fraction of a copy, and never
 * stored, which saves each worker that much memory. Every byte of memory is still written on restore:
 * a skipped byte would carry one execution's data into the next.
 */

/** Zero runs shorter than this stay inside a copied extent: one set() beats many small calls. */
const MERGE_GAP_BYTES = 64 << 10;
const CHUNK_BYTES = 4096;

interface Extent {
  offset: number;
  bytes: Uint8Array;
}

export class MemoryImage {
  constructor(
    /** Length of the memory the image was taken of. */
    readonly length: number,
    readonly extents: readonly Extent[],
  ) {}

  /**
   * `scanBytes`: where to stop looking for non-zero bytes, for a caller that knows nothing past it was
   * ever written; the image still covers all of `memory` (the rest restores as zero).
   */
  static capture(memory: Uint8Array, scanBytes = memory.length): MemoryImage {
    const words = new Uint32Array(memory.buffer, memory.byteOffset, memory.byteLength >>> 2);
    const extents: Extent[] = [];
    let start = -1;
    let end = -1;
    const scanTo = Math.min(memory.length, scanBytes);
    for (let chunk = 0; chunk * CHUNK_BYTES < scanTo; chunk++) {
      const from = chunk * CHUNK_BYTES;
      if (isZero(words, from >>> 2, Math.min(from + CHUNK_BYTES, memory.length) >>> 2)) continue;
      if (start >= 0 && from - end > MERGE_GAP_BYTES) {
        extents.push({ offset: start, bytes: memory.slice(start, end) });
        start = -1;
      }
      if (start < 0) start = from;
      end = Math.min(from + CHUNK_BYTES, memory.length);
    }
    if (start >= 0) extents.push({ offset: start, bytes: memory.slice(start, end) });
    return new MemoryImage(memory.length, extents);
  }

  /** Bytes this image holds (its non-zero extents). */
  get storedBytes(): number {
    return this.extents.reduce((sum, extent) => sum + extent.bytes.length, 0);
  }

  /**
   * Writes the image over [from, to) of `memory`; bytes past the image become zero. `hint` is where to
   * start looking among the extents (the value the last call returned, for ranges in ascending order).
   */
  restoreRange(memory: Uint8Array, from: number, to: number, hint = 0): number {
    let at = from;
    let index = hint;
    while (index < this.extents.length && this.extents[index]!.offset + this.extents[index]!.bytes.length <= at) index++;
    while (at < to) {
      const extent = this.extents[index];
      if (!extent || extent.offset >= to) {
        memory.fill(0, at, to);
        break;
      }
      if (extent.offset > at) {
        memory.fill(0, at, extent.offset);
        at = extent.offset;
      }
      const stop = Math.min(to, extent.offset + extent.bytes.length);
      memory.set(extent.bytes.subarray(at - extent.offset, stop - extent.offset), at);
      at = stop;
      if (at === extent.offset + extent.bytes.length) index++;
    }
    return index;
  }

  /**
   * Writes back the chunks `dirty` marks (one byte per 4 KiB chunk of `memory`), each run of them with
   * the chunk after it, which a store starting near a marked chunk's end may reach. Chunks past the
   * image become zero. Returns the bytes written.
   */
  restoreDirty(memory: Uint8Array, dirty: Uint8Array): number {
    const chunks = memory.length >>> 12;
    const marks = dirty.subarray(0, chunks);
    let restored = 0;
    let hint = 0;
    for (let chunk = marks.indexOf(1); chunk >= 0 && chunk < chunks; chunk = marks.indexOf(1, chunk)) {
      let end = chunk + 1;
      while (end < chunks && marks[end] === 1) end++;
      end = Math.min(chunks, end + 1);
      hint = this.restoreRange(memory, chunk << 12, end << 12, hint);
      restored += (end - chunk) << 12;
      chunk = end;
    }
    return restored;
  }

  /**
   * Writes the image into a memory that is all zero (a new instance's): only the extents, so the
   * image's zero pages are never touched and cost no resident memory.
   */
  restoreOntoZero(memory: Uint8Array): void {
    for (const extent of this.extents) memory.set(extent.bytes, extent.offset);
  }

  /** Writes the image over `memory` (at least as long as the image); bytes past it become zero. */
  restore(memory: Uint8Array): void {
    let zeroFrom = 0;
    for (const extent of this.extents) {
      if (extent.offset > zeroFrom) memory.fill(0, zeroFrom, extent.offset);
      memory.set(extent.bytes, extent.offset);
      zeroFrom = extent.offset + extent.bytes.length;
    }
    if (memory.length > zeroFrom) memory.fill(0, zeroFrom);
  }
}

function isZero(words: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (words[i] !== 0) return false;
  return true;
}
