// What every LibraryStorage must do, run over each backend (today the disk one; an S3-compatible backend
// joins the table): round trip with size and hash, replace atomically, leave nothing from a failed
// write, delete idempotently, keep projects apart, refuse keys that are not Isola's ids.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskStorage } from '../../src/library/disk-storage.js';
import { LibraryObjectMissing, type LibraryStorage } from '../../src/library/storage.js';

const root = mkdtempSync(join(tmpdir(), 'isola-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BACKENDS: [string, () => LibraryStorage, () => string[]][] = [['disk', () => new DiskStorage(join(root, 'disk')), () => readdirSync(join(root, 'disk'), { recursive: true }).map(String)]];

const P1 = `prj_${'1'.repeat(32)}`;
const P2 = `prj_${'2'.repeat(32)}`;
const F1 = `file_${'a'.repeat(32)}`;
const F2 = `file_${'b'.repeat(32)}`;

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}

describe.each(BACKENDS)('LibraryStorage: %s', (_name, make, listing) => {
  const storage = make();

  it('writes a stream and reads it back, with its size and SHA-256', async () => {
    const stored = await storage.write({ project: P1, file: F1 }, chunks('hello ', 'world'));
    expect(stored).toEqual({ size: 11, sha256: createHash('sha256').update('hello world').digest('hex') });
    expect(await text(await storage.read({ project: P1, file: F1 }))).toBe('hello world');
  });

  it('replaces an object whole, and keeps projects apart', async () => {
    await storage.write({ project: P1, file: F1 }, chunks('new'));
    expect(await text(await storage.read({ project: P1, file: F1 }))).toBe('new');
    await expect(storage.read({ project: P2, file: F1 })).rejects.toBeInstanceOf(LibraryObjectMissing);
  });

  it('leaves nothing behind when the source fails, and keeps the old object', async () => {
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await expect(storage.write({ project: P1, file: F1 }, failing())).rejects.toThrow('client went away');
    await expect(storage.write({ project: P1, file: F2 }, failing())).rejects.toThrow('client went away');
    expect(await text(await storage.read({ project: P1, file: F1 }))).toBe('new');
    await expect(storage.read({ project: P1, file: F2 })).rejects.toBeInstanceOf(LibraryObjectMissing);
    expect(listing().filter((entry) => entry.includes('.part'))).toEqual([]);
  });

  it('deletes idempotently, and a whole project at once', async () => {
    await storage.write({ project: P1, file: F2 }, chunks('two'));
    await storage.delete({ project: P1, file: F2 });
    await storage.delete({ project: P1, file: F2 });
    await expect(storage.read({ project: P1, file: F2 })).rejects.toBeInstanceOf(LibraryObjectMissing);
    await storage.deleteProject(P1);
    await storage.deleteProject(P1);
    await expect(storage.read({ project: P1, file: F1 })).rejects.toBeInstanceOf(LibraryObjectMissing);
  });

  it.each([
    [{ project: '../x', file: F1 }],
    [{ project: P1, file: '../../etc/passwd' }],
    [{ project: P1, file: `${F1}/..` }],
    [{ project: `${P1}/../${P2}`, file: F1 }],
  ])('refuses a key that is not made of Isola ids: %j', async (key) => {
    await expect(storage.write(key, chunks('x'))).rejects.toThrow(TypeError);
    await expect(storage.read(key)).rejects.toThrow(TypeError);
  });
});
