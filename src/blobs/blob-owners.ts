/**
 * Who holds which blob. The bytes are stored once per content (blob-store.ts), but a blob belongs to the
 * owners that uploaded or made it: `<blobs>/owners/<owner>/<sha256>.json` records `{size, mime_type}` for
 * that owner, and the file's mtime is when the owner last referenced it (upload, download, an item that
 * named it, an attachment a guest made). An owner is a project id, or OPEN_OWNER when projects are off.
 *
 * The records are read from disk once and then kept in memory, so a quota check or a lookup costs no
 * disk read; a reference is written back as an mtime at most every `touchEveryMs`.
 */
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The owner of blobs uploaded to a service without projects. */
export const OPEN_OWNER = '_open';
/** Project ids (`prj_<hex>`) and OPEN_OWNER: nothing that could climb out of the owners directory. */
const OWNER = /^[A-Za-z0-9_-]{1,64}$/;
const RECORD = /^([0-9a-f]{64})\.json$/;

export interface OwnedBlob {
  size: number;
  mime_type: string;
  /** When the owner last referenced it (ms since the epoch). */
  usedAt: number;
  /** The usedAt last written to disk (as the record's mtime). */
  savedAt: number;
}

export class BlobOwners {
  private readonly byOwner = new Map<string, Map<string, OwnedBlob>>();
  /** How many owners hold each content, so the sweeper knows when the bytes are no one's. */
  private readonly holders = new Map<string, number>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly touchEveryMs: number,
  ) {}

  static checkOwner(owner: string): string {
    if (!OWNER.test(owner)) throw new Error(`not a blob owner: ${JSON.stringify(owner.slice(0, 80))}`);
    return owner;
  }

  private recordPath(owner: string, id: string): string {
    return join(this.dir, BlobOwners.checkOwner(owner), `${id}.json`);
  }

  /** Reads every record once (the first call); later calls wait for the same read. */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      const owners = await readdir(this.dir).catch(() => [] as string[]);
      for (const owner of owners) {
        if (!OWNER.test(owner)) continue;
        const names = await readdir(join(this.dir, owner)).catch(() => [] as string[]);
        for (const name of names) {
          const id = RECORD.exec(name)?.[1];
          if (!id) continue;
          try {
            const path = join(this.dir, owner, name);
            const [text, facts] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
            const record = JSON.parse(text) as { size?: unknown; mime_type?: unknown };
            if (typeof record.size !== 'number' || typeof record.mime_type !== 'string') continue;
            this.remember(owner, id, { size: record.size, mime_type: record.mime_type, usedAt: facts.mtimeMs, savedAt: facts.mtimeMs });
          } catch {
            // A record torn by a crash: the owner no longer holds that blob, and the sweeper reclaims its bytes.
          }
        }
      }
    })();
    return this.loaded;
  }

  private remember(owner: string, id: string, blob: OwnedBlob): void {
    let blobs = this.byOwner.get(owner);
    if (!blobs) this.byOwner.set(owner, (blobs = new Map()));
    if (!blobs.has(id)) this.holders.set(id, (this.holders.get(id) ?? 0) + 1);
    blobs.set(id, blob);
  }

  get(owner: string, id: string): OwnedBlob | undefined {
    return this.byOwner.get(owner)?.get(id);
  }

  /** Bytes the owner holds, all blobs together. */
  usage(owner: string): number {
    let bytes = 0;
    for (const blob of this.byOwner.get(owner)?.values() ?? []) bytes += blob.size;
    return bytes;
  }

  /** Whether any owner holds this content. */
  held(id: string): boolean {
    return (this.holders.get(id) ?? 0) > 0;
  }

  /** Records that `owner` holds `id` (a new upload, or the same bytes again: the first mime type stays). */
  async add(owner: string, id: string, size: number, mimeType: string, now = Date.now()): Promise<OwnedBlob> {
    const existing = this.get(owner, id);
    if (existing) {
      await this.touch(owner, id, now);
      return existing;
    }
    await mkdir(join(this.dir, BlobOwners.checkOwner(owner)), { recursive: true, mode: 0o755 });
    await writeFile(this.recordPath(owner, id), JSON.stringify({ size, mime_type: mimeType }), { mode: 0o644 });
    const blob = { size, mime_type: mimeType, usedAt: now, savedAt: now };
    this.remember(owner, id, blob);
    return blob;
  }

  /** A reference: the blob's TTL starts again. Written to disk only when the last write is old enough. */
  async touch(owner: string, id: string, now = Date.now()): Promise<void> {
    const blob = this.get(owner, id);
    if (!blob) return;
    blob.usedAt = Math.max(blob.usedAt, now);
    if (blob.usedAt - blob.savedAt < this.touchEveryMs) return;
    const at = new Date(blob.usedAt);
    await utimes(this.recordPath(owner, id), at, at).catch(() => undefined);
    blob.savedAt = blob.usedAt;
  }

  /** Every record nobody referenced since `before`. */
  unusedSince(before: number): { owner: string; id: string }[] {
    const stale: { owner: string; id: string }[] = [];
    for (const [owner, blobs] of this.byOwner) for (const [id, blob] of blobs) if (blob.usedAt < before) stale.push({ owner, id });
    return stale;
  }

  async remove(owner: string, id: string): Promise<void> {
    const blobs = this.byOwner.get(owner);
    if (!blobs?.delete(id)) return;
    const left = (this.holders.get(id) ?? 1) - 1;
    if (left > 0) this.holders.set(id, left);
    else this.holders.delete(id);
    if (blobs.size === 0) this.byOwner.delete(owner);
    await rm(this.recordPath(owner, id), { force: true });
  }
}
