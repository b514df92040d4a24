/**
 * Snapshot bytes on disk, keyed by content hash. Writes are atomic (temp file + rename) so a reader in
 * another process never sees half a file; validation of the bytes (magic, version, checksum) is the
 * lane's job, because only the lane knows its format.
 */
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SnapshotStore } from '../../lanes/lane.js';

const KEY = /^[A-Za-z0-9._-]{1,200}$/;

export function createDiskSnapshotStore(dir: string): SnapshotStore {
  const pathOf = (key: string): string => {
    if (!KEY.test(key) || key.startsWith('.')) throw new Error(`invalid snapshot key ${JSON.stringify(key)}`);
    return join(dir, `${key}.snap`);
  };
  return {
    async get(key) {
      try {
        // A Uint8Array over the Buffer's own memory, not a copy: a 130 MB module read by a worker that
        // then idles would otherwise keep the Buffer's copy resident until a garbage collection.
        const bytes = await readFile(pathOf(key));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async prune(prefix, keep) {
      const names = await readdir(dir).catch(() => [] as string[]);
      const stale = names.filter((name) => name.startsWith(prefix) && name.endsWith('.snap') && name !== `${keep}.snap`);
      await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => {})));
    },
    async put(key, bytes) {
      await mkdir(dir, { recursive: true });
      const target = pathOf(key);
      const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, bytes);
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error;
      }
    },
  };
}
