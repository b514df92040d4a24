/**
 * The CPython lane restores only the 4 KiB chunks an execution marked as written (dirty-marking.ts).
 * This suite runs the real guarded module in this thread with `verifyResets`, which compares every
 * byte of memory with a full copy of the image after each reset: any write path the marking missed
 * (a store kind, a bulk operation, a host write) fails here, named by the byte it left behind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestJob, LaneDriver } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/cpython/worker-entry.js';
import { createDiskSnapshotStore } from '../../../src/engine/workers/disk-snapshot-store.js';

const runtimes = join(import.meta.dirname, '../../../runtimes');
const store = mkdtempSync(join(tmpdir(), 'isola-reset-'));
let driver: LaneDriver;

function job(code: string, overrides: Partial<GuestJob> = {}): GuestJob {
  return {
    id: `job-${Math.random()}`,
    code,
    filename: 'main.py',
    mode: 'script',
    inputsJson: JSON.stringify({ secret: 'tenant-a-' + 'x'.repeat(5000) }),
    deadline: Date.now() + (overrides.timeoutMs ?? 5000),
    timeoutMs: 5000,
    memoryBytes: 256 << 20,
    limits: { stdoutBytes: 1 << 20, stderrBytes: 1 << 20, outputBytes: 1 << 20 },
    allowHosts: [],
    ...overrides,
  };
}

beforeAll(async () => {
  driver = await createDriver(
    {
      runtimeFile: (path) => readFileSync(join(runtimes, path), 'utf8'),
      fetch: async () => ({ ok: false, kind: 'network', message: 'no network in this test' }),
      log: () => {},
      snapshots: createDiskSnapshotStore(join(store, 'snapshots')),
    },
    { options: { verifyResets: true } },
  );
});

afterAll(async () => {
  await driver?.dispose?.();
  rmSync(store, { recursive: true, force: true });
});

const WORKLOADS: Record<string, { code: string; timeoutMs?: number; memoryBytes?: number }> = {
  'small objects, dicts and strings': { code: 'd = {str(i): [i] * 3 for i in range(20000)}\nprint(len("".join(d)))' },
  'bulk fill and copy (bytes, bytearray, slicing)': { code: 'b = bytearray(30 << 20)\nb[1000:2000] = b"y" * 1000\nc = bytes(b) + b"z" * (5 << 20)\nprint(len(c))' },
  'memory grown past the image, then released': { code: 'x = [bytearray(1 << 20) for _ in range(120)]\nprint(len(x))' },
  'deep recursion (the C stack)': { code: 'import sys\nsys.setrecursionlimit(20000)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(8000))' },
  'files written, read back, listed (host writes into guest buffers)': { code: 'open("/tmp/a", "wb").write(b"q" * 3_000_000)\nprint(len(open("/tmp/a", "rb").read()), open("inputs.json").read()[:20])' },
  'random bytes the host writes into an unzeroed buffer': { code: 'import os\nr = os.urandom(3 << 20)\nprint(len(r))' },
  'floats, structs, hashes, compression': { code: 'import struct, hashlib, zlib, math\ns = struct.pack("<1000d", *[math.pi * i for i in range(1000)])\nprint(hashlib.sha256(zlib.compress(s * 50)).hexdigest()[:8])' },
  'numpy vector code (SIMD stores)': { code: 'import numpy as np\na = np.arange(1_000_000, dtype=np.float64)\nb = (a * 2.5 + 1).astype(np.float32)\nprint(float(b.sum()) > 0)' },
  'an exception with a traceback': { code: 'def g(): raise ValueError("boom " * 1000)\ng()' },
  'stopped at its deadline inside a loop': { code: 'x = []\nwhile True: x.append("a" * 100)', timeoutMs: 300 },
  'out of memory': { code: 'x = []\nwhile True: x.append(bytearray(1 << 20))', memoryBytes: 96 << 20 },
};

describe('CPython image reset restores every byte an execution wrote', () => {
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    it(name, async () => {
      const result = await driver.run(job(workload.code, { ...(workload.timeoutMs ? { timeoutMs: workload.timeoutMs } : {}), ...(workload.memoryBytes ? { memoryBytes: workload.memoryBytes } : {}) }));
      expect(result.stdout.length + result.stderr.length + (result.failure ? 1 : 0)).toBeGreaterThan(0);
      // recycle() resets and then compares all of memory with the image; a missed write throws.
      await driver.recycle!();
      const after = await driver.run(job('import sys\nprint(sorted(k for k in globals() if not k.startswith("__") and k != "sys"), len(sys.modules) > 0)'));
      expect(after.stdout).toBe('[] True\n');
      await driver.recycle!();
    });
  }
});

describe('the WASI host marks what it writes into guest memory', () => {
  it('random_get marks every chunk of its buffer, and only those', async () => {
    const { WasiHost } = await import('../../../src/wasi/wasi-host.js');
    const memory = new WebAssembly.Memory({ initial: 4 });
    const dirty = new Uint8Array(64);
    const host = new WasiHost(memory, new Int32Array(new SharedArrayBuffer(16)), [], [], dirty);
    const wasi = host.imports['wasi_snapshot_preview1'] as unknown as Record<string, (...args: number[]) => number>;
    expect(wasi['random_get']!(4096 * 5 + 100, 4096 * 2)).toBe(0);
    expect([...dirty.subarray(0, 9)]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0]);
  });
});
