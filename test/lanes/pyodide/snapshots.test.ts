/**
 * Snapshots on disk: the first worker builds and stores one, the next loads it; a corrupt, truncated or
 * mismatched file is discarded and rebuilt, never trusted; two workers may share one store.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSnapshotFile, encodeSnapshotFile, SNAPSHOT_FORMAT_VERSION } from '../../../src/lanes/pyodide/snapshot-file.js';
import { startPyodide } from './harness.js';

describe('snapshot file format', () => {
  const metadata = { key: 'pyodide-k', pyodideBuildId: 'b'.repeat(64), pyodideVersion: '314.0.7', laneBuild: 'l1', createdAt: '2026-01-01T00:00:00Z' };
  const expected = { key: 'pyodide-k', pyodideBuildId: 'b'.repeat(64), laneBuild: 'l1' };
  const payload = new Uint8Array(4096).map((_, i) => i % 251);

  it('round-trips', async () => {
    const decoded = await decodeSnapshotFile(await encodeSnapshotFile(metadata, payload), expected);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.payload).toEqual(payload);
  });

  it.each([
    ['a flipped payload byte', (f: Uint8Array) => (f[f.length - 10]! ^= 1), /checksum mismatch/],
    ['a flipped metadata byte', (f: Uint8Array) => (f[60]! ^= 1), /checksum mismatch/],
    ['a bad magic', (f: Uint8Array) => (f[0] = 0x58), /bad magic/],
    ['another format version', (f: Uint8Array) => new DataView(f.buffer).setUint32(8, SNAPSHOT_FORMAT_VERSION + 1, true), /format version mismatch: expected 1, got 2/],
  ])('rejects %s', async (_name, damage, reason) => {
    const file = await encodeSnapshotFile(metadata, payload);
    damage(file);
    const decoded = await decodeSnapshotFile(file, expected);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('rejects a truncated file and one built for other files or another Pyodide', async () => {
    const file = await encodeSnapshotFile(metadata, payload);
    const truncated = await decodeSnapshotFile(file.subarray(0, file.length - 1), expected);
    expect(truncated.ok || truncated.reason).toMatch(/length mismatch/);
    const other = await decodeSnapshotFile(file, { ...expected, laneBuild: 'l2' });
    expect(other.ok || other.reason).toBe('laneBuild mismatch: expected l2, got l1');
    const build = await decodeSnapshotFile(file, { ...expected, pyodideBuildId: 'c'.repeat(64) });
    expect(build.ok || build.reason).toMatch(/^pyodideBuildId mismatch/);
    expect((await decodeSnapshotFile(new Uint8Array(10), expected)).ok).toBe(false);
  });
});

describe('snapshot store', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isola-pyodide-snap-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const snapshotFile = async () => {
    // The store also holds V8's code cache for pyodide.asm.js (pyodide-jscache-*).
    const names = (await readdir(dir)).filter((name) => name.endsWith('.snap') && !name.startsWith('pyodide-jscache-'));
    expect(names).toHaveLength(1);
    return join(dir, names[0]!);
  };
  const startAndRun = async () => {
    const py = await startPyodide({ storeDir: dir });
    try {
      const result = await py.run({ code: 'import zoneinfo, json\nprint(json.dumps({"ok": zoneinfo.ZoneInfo("Asia/Tokyo").key}))' });
      expect(JSON.parse(result.stdout)).toEqual({ ok: 'Asia/Tokyo' });
      return py;
    } finally {
      await py.close();
    }
  };

  it('builds and stores a snapshot on the first start, loads it on the next', async () => {
    const first = await startAndRun();
    expect((first.details['snapshot'] as { origin: string }).origin).toBe('built');
    file = await snapshotFile();
    const second = await startAndRun();
    expect((second.details['snapshot'] as { origin: string }).origin).toBe('disk');
  });

  it.each([
    ['a corrupt file', (bytes: Uint8Array) => {
      bytes[bytes.length - 1000]! ^= 0xff;
      return bytes;
    }],
    ['a truncated file', (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 4096)],
    ['a file of another format version', (bytes: Uint8Array) => {
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, 99, true);
      return bytes;
    }],
  ])('discards %s, rebuilds it, and serves', async (_name, damage) => {
    await writeFile(file, damage(new Uint8Array(await readFile(file))));
    const py = await startAndRun();
    expect((py.details['snapshot'] as { origin: string }).origin).toBe('built');
    expect(py.logs.some((log) => log.level === 'warn' && /discarding the disk snapshot/.test(log.message))).toBe(true);
    // The rebuilt file is whole again.
    const again = await startAndRun();
    expect((again.details['snapshot'] as { origin: string }).origin).toBe('disk');
  });

  it('lets two workers start on one empty store at the same time', async () => {
    await rm(dir, { recursive: true, force: true });
    const [a, b] = await Promise.all([startPyodide({ storeDir: dir }), startPyodide({ storeDir: dir })]);
    try {
      const results = await Promise.all([a.run({ code: 'print(1)' }), b.run({ code: 'print(2)' })]);
      expect(results.map((r) => r.stdout)).toEqual(['1\n', '2\n']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect((await startAndRun()).details['snapshot']).toMatchObject({ origin: 'disk' });
  });
});
