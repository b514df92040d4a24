/**
 * The on-disk form of a Pyodide snapshot: Isola's header around the bytes of Pyodide's
 * makeMemorySnapshot(). A file is trusted only if every field checks out; anything else is reported as
 * a reason string, and the caller discards the file and rebuilds.
 *
 * Layout (little endian):
 *   0   8   magic "ISOLAPY\0"
 *   8   4   format version (1)
 *   12  4   metadata length M
 *   16  4   payload length P
 *   20  32  SHA-256 of metadata bytes followed by payload bytes
 *   52  M   metadata, UTF-8 JSON (SnapshotMetadata)
 *   52+M P  payload: Pyodide's snapshot (its own magic and build id inside)
 */

export const SNAPSHOT_FORMAT_VERSION = 1;
const MAGIC = new TextEncoder().encode('ISOLAPY\0');
const FIXED = 52;

export interface SnapshotMetadata {
  /** Content hash the file is stored under. */
  key: string;
  /** Pyodide's BUILD_ID: the wasm and JS the memory image belongs to. */
  pyodideBuildId: string;
  pyodideVersion: string;
  /** Hash of Isola's guest files and preload list that shaped the image. */
  laneBuild: string;
  createdAt: string;
}

export async function encodeSnapshotFile(metadata: SnapshotMetadata, payload: Uint8Array): Promise<Uint8Array> {
  const meta = new TextEncoder().encode(JSON.stringify(metadata));
  const file = new Uint8Array(FIXED + meta.length + payload.length);
  const view = new DataView(file.buffer);
  file.set(MAGIC, 0);
  view.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(12, meta.length, true);
  view.setUint32(16, payload.length, true);
  file.set(meta, FIXED);
  file.set(payload, FIXED + meta.length);
  file.set(await sha256(file.subarray(FIXED)), 20);
  return file;
}

export type DecodedSnapshot = { ok: true; metadata: SnapshotMetadata; payload: Uint8Array } | { ok: false; reason: string };

/** Validates a file against what the reader expects; never throws on bad input. */
export async function decodeSnapshotFile(file: Uint8Array, expected: Omit<SnapshotMetadata, 'createdAt' | 'pyodideVersion'>): Promise<DecodedSnapshot> {
  if (file.length < FIXED) return { ok: false, reason: `file too short (${file.length} bytes)` };
  for (let i = 0; i < MAGIC.length; i++) {
    if (file[i] !== MAGIC[i]) return { ok: false, reason: 'bad magic (not an Isola Pyodide snapshot)' };
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SNAPSHOT_FORMAT_VERSION) return { ok: false, reason: `format version mismatch: expected ${SNAPSHOT_FORMAT_VERSION}, got ${version}` };
  const metaLength = view.getUint32(12, true);
  const payloadLength = view.getUint32(16, true);
  if (FIXED + metaLength + payloadLength !== file.length) {
    return { ok: false, reason: `length mismatch: header says ${FIXED + metaLength + payloadLength} bytes, file has ${file.length}` };
  }
  const digest = await sha256(file.subarray(FIXED));
  for (let i = 0; i < 32; i++) {
    if (digest[i] !== file[20 + i]) return { ok: false, reason: 'checksum mismatch (corrupt file)' };
  }
  let metadata: SnapshotMetadata;
  try {
    metadata = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(FIXED, FIXED + metaLength))) as SnapshotMetadata;
  } catch {
    return { ok: false, reason: 'unreadable metadata' };
  }
  for (const field of ['key', 'pyodideBuildId', 'laneBuild'] as const) {
    if (metadata[field] !== expected[field]) {
      return { ok: false, reason: `${field} mismatch: expected ${expected[field]}, got ${String(metadata[field])}` };
    }
  }
  return { ok: true, metadata, payload: file.subarray(FIXED + metaLength) };
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await sha256(new TextEncoder().encode(text));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
