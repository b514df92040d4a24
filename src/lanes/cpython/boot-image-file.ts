/**
 * A booted interpreter as bytes, so a new process or worker restores it (a ~25 MB copy) instead of
 * booting CPython again (~450 ms). Layout: the magic `ISOLAIMG`, a u32 header length, the header (JSON:
 * format version, the key it was made for, when, the guest's args and environment, the memory length,
 * the mutable globals, each extent's offset and length, and a checksum of the extents), then the
 * extents' bytes. A file whose magic, version, key or checksum does not match is refused, saying what
 * was expected and what was found; the caller then boots as if there were no file.
 *
 * The checksum catches a damaged or truncated file, not a forged one: the store is the host's own
 * directory (whoever could write it could as well replace the compiled module beside it). So it is a
 * CRC-32, which the caller computes (zlib's, 5-15 ms for 25 MB where SHA-256 took ~90 ms of every new
 * process's start), and this file stays free of `node:` imports.
 */
import { MemoryImage } from './memory-image.js';

const MAGIC = new TextEncoder().encode('ISOLAIMG');
const FORMAT = 2;

/** The extents' checksum, as text (e.g. zlib's CRC-32 in hex). */
export type Checksum = (bytes: Uint8Array) => string;

export interface BootImage {
  image: MemoryImage;
  /** Mutable globals' values in export order (i64 values are bigints). */
  globals: (number | bigint)[];
  args: string[];
  env: string[];
  createdAt: number;
}

interface Header {
  format: number;
  key: string;
  createdAt: number;
  args: string[];
  env: string[];
  length: number;
  globals: (number | string)[];
  extents: [offset: number, length: number][];
  checksum: string;
}

export class BootImageMismatch extends Error {}

export function encodeBootImage(key: string, boot: BootImage, checksum: Checksum): Uint8Array {
  const extents = boot.image.extents;
  const body = new Uint8Array(extents.reduce((sum, extent) => sum + extent.bytes.length, 0));
  let at = 0;
  for (const extent of extents) {
    body.set(extent.bytes, at);
    at += extent.bytes.length;
  }
  const header: Header = {
    format: FORMAT,
    key,
    createdAt: boot.createdAt,
    args: boot.args,
    env: boot.env,
    length: boot.image.length,
    globals: boot.globals.map((value) => (typeof value === 'bigint' ? `${value}n` : value)),
    extents: extents.map((extent) => [extent.offset, extent.bytes.length]),
    checksum: checksum(body),
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(MAGIC.length + 4 + head.length + body.length);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, MAGIC.length + 4);
  out.set(body, MAGIC.length + 4 + head.length);
  return out;
}

/** `verified`: the bytes come from a sibling worker that checked them; skip the checksum. */
export function decodeBootImage(key: string, bytes: Uint8Array, checksum: Checksum | 'verified'): BootImage {
  const magic = bytes.subarray(0, MAGIC.length);
  if (bytes.length < MAGIC.length + 4 || magic.some((byte, i) => byte !== MAGIC[i])) throw new BootImageMismatch('not a boot image (bad magic)');
  const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const bodyStart = MAGIC.length + 4 + headLength;
  if (bodyStart > bytes.length) throw new BootImageMismatch('truncated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, bodyStart))) as Header;
  if (header.format !== FORMAT) throw new BootImageMismatch(`format ${header.format}, expected ${FORMAT}`);
  if (header.key !== key) throw new BootImageMismatch(`made for ${header.key}, expected ${key}`);
  const extents: { offset: number; bytes: Uint8Array }[] = [];
  let at = bodyStart;
  let end = 0;
  for (const [offset, length] of header.extents) {
    if (offset < end || offset + length > header.length || at + length > bytes.length) throw new BootImageMismatch(`extent ${offset}+${length} out of order or bounds`);
    extents.push({ offset, bytes: bytes.subarray(at, at + length) });
    at += length;
    end = offset + length;
  }
  const found = checksum === 'verified' ? header.checksum : checksum(bytes.subarray(bodyStart, at));
  if (found !== header.checksum) throw new BootImageMismatch(`checksum ${found}, expected ${header.checksum}`);
  return {
    image: new MemoryImage(header.length, extents),
    globals: header.globals.map((value) => (typeof value === 'string' ? BigInt(value.slice(0, -1)) : value)),
    args: header.args,
    env: header.env,
    createdAt: header.createdAt,
  };
}
