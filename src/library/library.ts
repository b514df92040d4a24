/**
 * A project's files library: streamed, size-capped uploads (the per-file cap and the project's
 * `library_bytes` quota are both checked while bytes arrive, so an over-size upload is cut off rather than
 * stored), listing, metadata, download and delete. Bytes go to a LibraryStorage, metadata to the
 * LibraryIndex; every call names the project, so one project never reaches another's files.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { IsolaError } from '../contract/errors.js';
import { loneSurrogateAt } from '../contract/json-checks.js';
import type { LibraryFile, LibraryIndex } from './library-index.js';
import { LibraryObjectMissing, type LibraryStorage } from './storage.js';

export interface LibraryOptions {
  index: LibraryIndex;
  storage: LibraryStorage;
  /** Largest single file, in bytes. Default 256 MiB. */
  maxFileBytes?: number;
}

export interface Upload {
  name: unknown;
  contentType: string | undefined;
  /** The Content-Length the client announced, if any: refused at once when it is over a cap. */
  contentLength: number | undefined;
  body: Readable;
}

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
const MAX_NAME_CHARS = 255;
const FILE_ID = /^file_[0-9a-f]{32}$/;
const TOKEN = "[\\w!#$&^.+'-]+";
const CONTENT_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

const notFound = (id: string) => new IsolaError('not_found', `No file ${JSON.stringify(id.slice(0, 80))} in this project's library`);

function nameOf(value: unknown): string {
  const issue = (message: string) => new IsolaError('invalid_request', `Invalid request: name (${message})`, { issues: [{ field: 'name', message }] });
  if (typeof value !== 'string' || value.length === 0) throw issue('expected one ?name=<file name>');
  if (value.length > MAX_NAME_CHARS) throw issue(`at most ${MAX_NAME_CHARS} characters`);
  // A name is metadata, never a path on disk; still, control characters would corrupt listings and headers.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw issue('no control characters');
  if (loneSurrogateAt(value) >= 0) throw issue('not valid Unicode');
  return value;
}

/** Whether a Content-Type is a plain `type/subtype` with simple parameters, short enough to keep. */
export function isContentType(header: string | undefined): header is string {
  const value = header?.trim() ?? '';
  return value.length > 0 && value.length <= 200 && CONTENT_TYPE.test(value);
}

function contentTypeOf(header: string | undefined): string {
  return isContentType(header) ? header.trim() : 'application/octet-stream';
}

export class Library {
  readonly maxFileBytes: number;
  private readonly index: LibraryIndex;
  private readonly storage: LibraryStorage;
  /** Bytes of uploads still arriving, per project: two uploads at once cannot both fill the quota. */
  private readonly arriving = new Map<string, number>();

  constructor(options: LibraryOptions) {
    this.index = options.index;
    this.storage = options.storage;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  list(project: string): { files: LibraryFile[]; used_bytes: number } {
    return { files: this.index.list(project), used_bytes: this.index.usedBytes(project) };
  }

  get(project: string, id: string): LibraryFile {
    const file = FILE_ID.test(id) ? this.index.get(project, id) : undefined;
    if (!file) throw notFound(id);
    return file;
  }

  async open(project: string, id: string): Promise<{ file: LibraryFile; stream: Readable }> {
    const file = this.get(project, id);
    try {
      return { file, stream: await this.storage.read({ project, file: file.id }) };
    } catch (error) {
      if (error instanceof LibraryObjectMissing) throw notFound(id);
      throw error;
    }
  }

  async delete(project: string, id: string): Promise<void> {
    const file = FILE_ID.test(id) ? this.index.remove(project, id) : undefined;
    if (!file) throw notFound(id);
    await this.storage.delete({ project, file: file.id });
  }

  async deleteProject(project: string): Promise<void> {
    this.index.removeProject(project);
    await this.storage.deleteProject(project);
  }

  /** Stores the upload; `replaced` is true when it took the place of a file of the same name. */
  async upload(project: string, upload: Upload, quotaBytes: number | undefined): Promise<{ file: LibraryFile; replaced: boolean }> {
    const name = nameOf(upload.name);
    const replacedSize = this.index.byName(project, name)?.size ?? 0;
    const storedOthers = this.index.usedBytes(project) - replacedSize;
    const overFile = () => new IsolaError('payload_too_large', `Too large: (body) is over the library's limit of ${this.maxFileBytes} bytes per file`, { issues: [{ field: '(body)', message: `exceeds ${this.maxFileBytes} bytes` }] });
    const overQuota = () => new IsolaError('payload_too_large', `Too large: the project's library would exceed its quota of ${quotaBytes} bytes`, { issues: [{ field: 'quotas.library_bytes', message: `${quotaBytes} bytes in all` }] });
    const arrivingNow = () => this.arriving.get(project) ?? 0;
    if (upload.contentLength !== undefined) {
      if (upload.contentLength > this.maxFileBytes) throw overFile();
      if (quotaBytes !== undefined && storedOthers + arrivingNow() + upload.contentLength > quotaBytes) throw overQuota();
    }

    let size = 0;
    const take = (bytes: number) => {
      this.arriving.set(project, arrivingNow() + bytes);
      size += bytes;
    };
    // A refused upload gives its share back at once, not after its temp file is gone.
    const giveBack = () => {
      const left = arrivingNow() - size;
      if (left > 0) this.arriving.set(project, left);
      else this.arriving.delete(project);
      size = 0;
    };
    const body = upload.body;
    // Checked per chunk, before the chunk is written: the cap is a cap on what reaches the storage.
    async function* capped(library: Library) {
      // Not destroyOnReturn: the request stays open so the 413 can still be answered on it.
      for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>) {
        if (size + chunk.byteLength > library.maxFileBytes) {
          giveBack();
          throw overFile();
        }
        if (quotaBytes !== undefined && storedOthers + arrivingNow() + chunk.byteLength > quotaBytes) {
          giveBack();
          throw overQuota();
        }
        take(chunk.byteLength);
        yield chunk;
      }
    }

    const id = `file_${randomBytes(16).toString('hex')}`;
    try {
      const stored = await this.storage.write({ project, file: id }, capped(this));
      const file: LibraryFile = { id, name, size: stored.size, content_type: contentTypeOf(upload.contentType), sha256: stored.sha256, created_at: new Date().toISOString() };
      const committed = this.index.commit(project, file, quotaBytes);
      if (committed === 'over') {
        await this.storage.delete({ project, file: id });
        throw overQuota();
      }
      if (committed.replaced) await this.storage.delete({ project, file: committed.replaced.id });
      return { file, replaced: committed.replaced !== undefined };
    } finally {
      giveBack();
    }
  }
}
