/**
 * The content-addressed blob store: the bytes of binary attachments, on disk under the store dir
 * (`<storeDir>/blobs/<first two hex>/<sha256>`), named by their SHA-256. Bytes stream in (never held
 * whole in memory), are hashed on the way and capped in size; a blob is written once (temp file, then
 * rename) and never changed, so readers need no lock. What JSON carries is only the id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { IsolaError } from '../contract/errors.js';

export interface BlobInfo {
  id: string;
  size: number;
  sha256: string;
  mime_type: string;
}

/** The id is the SHA-256 in hex: anything else names no blob. */
export const BLOB_ID = /^[0-9a-f]{64}$/;
export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;
const DEFAULT_MIME = 'application/octet-stream';
const MIME = /^[\w.+-]+\/[\w.+-]+$/;

export function mimeTypeOf(header: string | undefined): string {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type && type.length <= 200 && MIME.test(type) ? type : DEFAULT_MIME;
}

export class BlobStore {
  constructor(
    readonly dir: string,
    readonly maxBytes: number = DEFAULT_MAX_BLOB_BYTES,
  ) {}

  /** Path of a blob's bytes (it may not exist). */
  pathOf(id: string): string {
    return join(this.dir, id.slice(0, 2), id);
  }

  /** Store what `source` yields. Over maxBytes: payload_too_large, and nothing is kept. */
  async put(source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, mimeType: string = DEFAULT_MIME): Promise<BlobInfo> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > max) return done(new IsolaError('payload_too_large', `the blob is over the limit of ${max} bytes`, { issues: [{ field: '(body)', message: `exceeds the blob limit of ${max} bytes` }] }));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source as NodeJS.ReadableStream, meter, createWriteStream(tmp, { mode: 0o644 }));
      const sha256 = hash.digest('hex');
      await this.adopt(tmp, sha256, size, mimeType);
      return { id: sha256, size, sha256, mime_type: mimeType };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Store bytes the host already holds (an attachment a guest wrote). */
  async putBytes(bytes: Uint8Array, declared?: string): Promise<BlobInfo> {
    // A guest's attach() names the type: it becomes a response header of GET /v1/blobs/:id, so only a type/subtype.
    const mimeType = mimeTypeOf(declared);
    if (bytes.byteLength > this.maxBytes) throw new IsolaError('payload_too_large', `the blob is over the limit of ${this.maxBytes} bytes`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (!(await this.stat(sha256))) {
      const tmpDir = join(this.dir, 'tmp');
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
      try {
        await writeFile(tmp, bytes, { mode: 0o644 });
        await this.adopt(tmp, sha256, bytes.byteLength, mimeType);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    return { id: sha256, size: bytes.byteLength, sha256, mime_type: mimeType };
  }

  /** The blob's facts, or undefined when there is none with this id. */
  async stat(id: string): Promise<(BlobInfo & { path: string }) | undefined> {
    if (!BLOB_ID.test(id)) return undefined;
    const path = this.pathOf(id);
    try {
      const { size } = await stat(path);
      let mime_type = DEFAULT_MIME;
      try {
        const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as { mime_type?: unknown };
        if (typeof meta.mime_type === 'string') mime_type = mimeTypeOf(meta.mime_type);
      } catch {
        // No metadata (a crash between the two renames): the bytes are still the blob.
      }
      return { id, size, sha256: id, mime_type, path };
    } catch {
      return undefined;
    }
  }

  /** Move a finished temp file to its content address; the first upload's metadata stays. */
  private async adopt(tmp: string, sha256: string, size: number, mimeType: string): Promise<void> {
    const path = this.pathOf(sha256);
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o755 });
    const exists = await stat(path).then(() => true, () => false);
    if (!exists) {
      const metaTmp = `${tmp}.json`;
      await writeFile(metaTmp, JSON.stringify({ size, mime_type: mimeType }), { mode: 0o644 });
      await rename(metaTmp, `${path}.json`);
      await rename(tmp, path);
    }
  }
}
