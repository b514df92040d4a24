/**
 * The blob store: the bytes of binary attachments, on disk under the store dir
 * (`<storeDir>/blobs/<first two hex>/<sha256>`), named by their SHA-256. Bytes stream in (never held
 * whole in memory), are hashed on the way and capped in size; a content is written once (temp file,
 * then rename) and never changed, so readers need no lock. What JSON carries is only the id.
 *
 * Blobs belong to owners (blob-owners.ts): the bytes of one content are kept once, but an owner sees only
 * the blobs it uploaded or made itself. Another owner's id is absent for it, exactly as an id nobody
 * stored; uploading the same bytes gives it its own record (its own mime type, charged to its own quota),
 * so nothing it can observe depends on whether someone else had them. A blob nobody referenced for
 * `ttlMs` is forgotten by the sweeper, and the bytes go once no owner holds them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IsolaError } from '../contract/errors.js';
import { BlobOwners } from './blob-owners.js';

export interface BlobInfo {
  id: string;
  size: number;
  sha256: string;
  mime_type: string;
}

/** The id is the SHA-256 in hex: anything else names no blob. */
export const BLOB_ID = /^[0-9a-f]{64}$/;
export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;
/** A blob nobody referenced for a week is removed (ISOLA_BLOB_TTL_MS). */
export const DEFAULT_BLOB_TTL_MS = 7 * 24 * 3_600_000;
const DEFAULT_MIME = 'application/octet-stream';
const MIME = /^[\w.+-]+\/[\w.+-]+$/;
const CONTENT_DIR = /^[0-9a-f]{2}$/;

export function mimeTypeOf(header: string | undefined): string {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type && type.length <= 200 && MIME.test(type) ? type : DEFAULT_MIME;
}

export interface BlobStoreOptions {
  /** Largest blob, in bytes (default 256 MiB). */
  maxBytes?: number;
  /** A blob no one referenced (uploaded, downloaded, named by an item, attached) for this long expires. */
  ttlMs?: number;
  /** How often the sweeper runs (default: a tenth of the TTL, between 1 s and 1 h); 0 never starts it. */
  sweepEveryMs?: number;
}

/** What one sweep removed: owners' records that expired, and contents no owner held any more. */
export interface SweepReport {
  records: number;
  blobs: number;
}

export class BlobStore {
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly owners: BlobOwners;
  /** Bytes of uploads still arriving, per owner: two uploads at once cannot both fill a quota. */
  private readonly arriving = new Map<string, number>();
  /** Adopting a content and deleting it never interleave for the same id. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private quotaOf: (owner: string) => number | undefined = () => undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<SweepReport> | undefined;

  constructor(
    readonly dir: string,
    options: BlobStoreOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.ttlMs = options.ttlMs ?? DEFAULT_BLOB_TTL_MS;
    // A reference is written to disk at most this often: a blob read in a loop costs no write per read.
    this.owners = new BlobOwners(join(dir, 'owners'), Math.min(60_000, Math.floor(this.ttlMs / 10)));
    const every = options.sweepEveryMs ?? Math.min(3_600_000, Math.max(1_000, Math.floor(this.ttlMs / 10)));
    if (every > 0) {
      this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), every);
      this.sweeper.unref();
    }
  }

  /** The per-owner byte quota (the projects' `blob_bytes`); without one, only maxBytes per blob applies. */
  limitOwners(quotaOf: (owner: string) => number | undefined): void {
    this.quotaOf = quotaOf;
  }

  /** Path of a content's bytes (it may not exist). */
  pathOf(id: string): string {
    return join(this.dir, id.slice(0, 2), id);
  }

  /** Bytes `owner` holds, all its blobs together. */
  async usage(owner: string): Promise<number> {
    await this.owners.load();
    return this.owners.usage(owner);
  }

  /** Store what `source` yields for `owner`. Over maxBytes: payload_too_large; past the owner's quota: blob_quota_exceeded; either way nothing is kept. */
  async put(owner: string, source: AsyncIterable<Uint8Array> | Readable, mimeType: string = DEFAULT_MIME): Promise<BlobInfo> {
    BlobOwners.checkOwner(owner);
    await this.owners.load();
    const quota = this.quotaOf(owner);
    const held = this.owners.usage(owner);
    const tmp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const arriving = this.arriving;
    // Checked per chunk, before it is written. A refusal leaves the source open (not destroyOnReturn), so
    // an HTTP upload can still be answered 413 on its own connection.
    async function* metered() {
      const chunks = isReadable(source) ? source.iterator({ destroyOnReturn: false }) : source;
      for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        const inFlight = (arriving.get(owner) ?? 0) + chunk.byteLength;
        arriving.set(owner, inFlight);
        if (size > max) throw tooLarge(max);
        // This upload's bytes so far and every other one still arriving for the owner.
        if (quota !== undefined && held + inFlight > quota) throw overQuota(owner, quota, held);
        hash.update(chunk);
        yield chunk;
      }
    }
    try {
      await pipeline(metered, createWriteStream(tmp, { mode: 0o644 }));
      return await this.adopt(owner, tmp, hash.digest('hex'), size, mimeType);
    } finally {
      const left = (arriving.get(owner) ?? 0) - size;
      if (left > 0) arriving.set(owner, left);
      else arriving.delete(owner);
      await rm(tmp, { force: true });
    }
  }

  /** Store bytes the host already holds for `owner` (an attachment a guest wrote). */
  async putBytes(owner: string, bytes: Uint8Array, declared?: string): Promise<BlobInfo> {
    BlobOwners.checkOwner(owner);
    // A guest's attach() names the type: it becomes a response header of GET /v1/blobs/:id, so only a type/subtype.
    const mimeType = mimeTypeOf(declared);
    if (bytes.byteLength > this.maxBytes) throw tooLarge(this.maxBytes);
    await this.owners.load();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const quota = this.quotaOf(owner);
    const held = this.owners.usage(owner) + (this.arriving.get(owner) ?? 0);
    if (quota !== undefined && !this.owners.get(owner, sha256) && held + bytes.byteLength > quota) throw overQuota(owner, quota, held);
    const tmp = await this.tempPath();
    try {
      await writeFile(tmp, bytes, { mode: 0o644 });
      return await this.adopt(owner, tmp, sha256, bytes.byteLength, mimeType);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * The blob's facts as `owner` knows it, or undefined when the owner holds no blob with this id (whoever
   * else may). A lookup is a reference: the blob's TTL starts again.
   */
  async stat(owner: string, id: string): Promise<(BlobInfo & { path: string }) | undefined> {
    if (!BLOB_ID.test(id)) return undefined;
    await this.owners.load();
    const owned = this.owners.get(owner, id);
    if (!owned) return undefined;
    const path = this.pathOf(id);
    const present = await stat(path).then(
      (facts) => facts.isFile(),
      () => false,
    );
    if (!present) return undefined;
    await this.owners.touch(owner, id);
    return { id, size: owned.size, sha256: id, mime_type: owned.mime_type, path };
  }

  /**
   * Forgets every record nobody referenced for ttlMs, and deletes the bytes no owner holds any more (and
   * contents of no owner at all, left by a crash, once they are as old). One sweep at a time.
   */
  sweep(now = Date.now()): Promise<SweepReport> {
    this.sweeping ??= this.sweepOnce(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Stops the sweeper; the store itself needs no closing (every write is finished when its call returns). */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async sweepOnce(now: number): Promise<SweepReport> {
    await this.owners.load();
    const before = now - this.ttlMs;
    const report: SweepReport = { records: 0, blobs: 0 };
    const candidates = new Set<string>();
    for (const { owner, id } of this.owners.unusedSince(before)) {
      await this.owners.remove(owner, id);
      report.records++;
      candidates.add(id);
    }
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!CONTENT_DIR.test(name)) continue;
      for (const id of await readdir(join(this.dir, name)).catch(() => [] as string[])) {
        if (!BLOB_ID.test(id) || this.owners.held(id) || candidates.has(id)) continue;
        const facts = await stat(join(this.dir, name, id)).catch(() => undefined);
        if (facts && facts.mtimeMs < before) candidates.add(id);
      }
    }
    for (const id of candidates) {
      const removed = await this.locked(id, async () => {
        if (this.owners.held(id)) return false;
        await rm(this.pathOf(id), { force: true });
        // The metadata file earlier versions kept next to the bytes.
        await rm(`${this.pathOf(id)}.json`, { force: true });
        return true;
      });
      if (removed) report.blobs++;
    }
    return report;
  }

  private async tempPath(): Promise<string> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    return join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
  }

  /** Moves a finished temp file to its content address (unless that content is there) and records the owner. */
  private adopt(owner: string, tmp: string, sha256: string, size: number, mimeType: string): Promise<BlobInfo> {
    return this.locked(sha256, async () => {
      const path = this.pathOf(sha256);
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o755 });
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (!exists) await rename(tmp, path);
      const owned = await this.owners.add(owner, sha256, size, mimeType);
      return { id: sha256, size, sha256, mime_type: owned.mime_type };
    });
  }

  private locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }
}

function isReadable(source: AsyncIterable<Uint8Array> | Readable): source is Readable {
  return typeof (source as Readable).iterator === 'function';
}

function tooLarge(max: number): IsolaError {
  return new IsolaError('payload_too_large', `the blob is over the limit of ${max} bytes`, { issues: [{ field: '(body)', message: `exceeds the blob limit of ${max} bytes` }] });
}

function overQuota(owner: string, quota: number, held: number): IsolaError {
  return new IsolaError('blob_quota_exceeded', `the blob would take project ${owner} past its blob quota of ${quota} bytes (it holds ${held})`, {
    issues: [{ field: 'quotas.blob_bytes', message: `${quota} bytes in all; a blob expires when unused for the blob TTL` }],
  });
}
