/**
 * The default library storage: one file per object at `<root>/<project>/<file>`, written to a temp file
 * in the same directory and renamed into place, so a crash or a failed upload never leaves a partial
 * object under a real name. Keys are Isola's own ids, checked again here so no path can be built from
 * anything else.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LibraryObjectMissing, type LibraryStorage, type ObjectKey, type StoredObject } from './storage.js';

const PROJECT = /^prj_[0-9a-f]{32}$/;
const FILE = /^file_[0-9a-f]{32}$/;

export class DiskStorage implements LibraryStorage {
  constructor(readonly root: string) {}

  private dirOf(project: string): string {
    if (!PROJECT.test(project)) throw new TypeError(`not a project id: ${JSON.stringify(project)}`);
    return join(this.root, project);
  }

  private pathOf(key: ObjectKey): string {
    if (!FILE.test(key.file)) throw new TypeError(`not a file id: ${JSON.stringify(key.file)}`);
    return join(this.dirOf(key.project), key.file);
  }

  async write(key: ObjectKey, source: AsyncIterable<Uint8Array>): Promise<StoredObject> {
    const path = this.pathOf(key);
    await mkdir(this.dirOf(key.project), { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    async function* counted() {
      for await (const chunk of source) {
        size += chunk.byteLength;
        hash.update(chunk);
        yield chunk;
      }
    }
    const out = createWriteStream(temp, { mode: 0o600, flush: true });
    try {
      await pipeline(counted, out);
      await rename(temp, path);
    } catch (error) {
      // The stream opens its file asynchronously: wait until it is closed, or the file could appear
      // after the removal below and stay behind (seen under load in the storage conformance test).
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(temp, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async read(key: ObjectKey): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LibraryObjectMissing(`no object ${key.project}/${key.file}`, { cause: error });
      throw error;
    }
    return createReadStream(path);
  }

  async delete(key: ObjectKey): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deleteProject(project: string): Promise<void> {
    await rm(this.dirOf(project), { recursive: true, force: true });
  }
}
