/**
 * Where library files' bytes live, behind the smallest interface an object store can implement: write a
 * stream under a key, read it back, delete it. Metadata (names, sizes, owners) is not the storage's: it
 * lives in the library index, so an S3-compatible backend (PutObject with a streamed body, GetObject,
 * DeleteObject; keys `<project>/<file>`) can replace the disk one without changing any caller.
 */
import type { Readable } from 'node:stream';

/** Both parts are ids Isola made (prj_<hex>, file_<hex>), checked before they reach a backend. */
export interface ObjectKey {
  project: string;
  file: string;
}

export interface StoredObject {
  size: number;
  /** Hex SHA-256 of the bytes, computed while they were written. */
  sha256: string;
}

export interface LibraryStorage {
  /**
   * Stores the bytes of `source` under `key`, replacing nothing until they are all written (readers see
   * the old object or the new one, never a part). If `source` throws, nothing is left behind and the
   * error is rethrown.
   */
  write(key: ObjectKey, source: AsyncIterable<Uint8Array>): Promise<StoredObject>;
  /** The object's bytes; rejects with LibraryObjectMissing when there is none. */
  read(key: ObjectKey): Promise<Readable>;
  /** Idempotent. */
  delete(key: ObjectKey): Promise<void>;
  /** Every object of a project (a deleted project). Idempotent. */
  deleteProject(project: string): Promise<void>;
}

export class LibraryObjectMissing extends Error {
  override readonly name = 'LibraryObjectMissing';
}
