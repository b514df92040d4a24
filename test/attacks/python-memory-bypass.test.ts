/**
 * Getting past memory_mb: byte arrays in a loop, list growth, one huge str, str doubling, mmap,
 * numpy, files in /tmp (they share the limit), and a memory left grown by the previous job. Each ends
 * as error.type "memory_limit" (or a MemoryError the code caught), the next job runs normally, the
 * canary on the same worker sees a fresh worker's view, and the host process does not keep the growth.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const ATTACKS: Record<string, string> = {
  'bytearray chunks in a loop': 'chunks = []\nwhile True:\n    chunks.append(bytearray(1 << 20))',
  'a list that keeps growing': 'items = []\nwhile True:\n    items.extend(range(100_000))',
  'one huge str': 's = "x" * (3 << 30)',
  'str doubling': 's = "x"\nwhile True:\n    s = s + s',
  'bytes beyond the address space': 'b = bytearray(5 * 1024**3)',
  'mmap of anonymous memory': 'import mmap\nmaps = []\nwhile True:\n    m = mmap.mmap(-1, 1 << 24)\n    m.write(b"x" * (1 << 24))\n    maps.append(m)',
  'numpy arrays': 'import numpy\narrays = []\nwhile True:\n    arrays.append(numpy.ones(1 << 20))',
  'files in /tmp share the limit': 'chunk = b"x" * (1 << 20)\ni = 0\nwhile True:\n    open("/tmp/f%d" % i, "wb").write(chunk)\n    i += 1',
  'MemoryError caught and retried': 'hold = []\nfor _ in range(50):\n    try:\n        while True:\n            hold.append(bytearray(1 << 20))\n    except MemoryError:\n        hold = hold[: len(hold) // 2]\nwhile True:\n    hold.append(bytearray(1 << 20))',
};

const COUNT = 'def main():\n    chunks = []\n    try:\n        while True:\n            chunks.append(bytearray(1 << 20))\n    except MemoryError:\n        return len(chunks)';

describe('memory_mb: 32 cannot be bypassed (CPython lane)', () => {
  for (const [name, code] of Object.entries(ATTACKS)) {
    it(`stops ${name}`, async () => {
      const attack = await lane.attackThenCanary({ code, memory_mb: 32, timeout_ms: 3000 });
      if (name.startsWith('mmap') && attack.error?.type === 'exception') {
        // WASI has no mmap: the module is missing or refuses, which is also a bound.
        expect(attack.error.message).toMatch(/mmap|OSError|ModuleNotFoundError/);
      } else if (name.startsWith('files')) {
        // The file system takes what linear memory leaves: a full disk, as on any machine.
        expect(attack.error).toMatchObject({ type: 'exception', message: expect.stringContaining('No space left on device') });
      } else {
        expect(attack.error?.type, JSON.stringify(attack.error)).toBe('memory_limit');
        expect(attack.status).toBe('error');
      }
      const next = await lane.run({ code: 'def main():\n    return sum(range(10))' });
      expect(next.output).toBe(45);
    });
  }

  it('a job has as much room after a job that grew the memory as on a fresh worker', async () => {
    const before = (await lane.run({ code: COUNT, memory_mb: 96 })).output as number;
    expect(before).toBeGreaterThan(20);
    const grower = await lane.run({ code: 'x = bytearray(150 << 20)\nx[-1] = 1', memory_mb: 200, timeout_ms: 10_000 });
    expect(grower.error).toBeNull();
    const after = (await lane.run({ code: COUNT, memory_mb: 96 })).output as number;
    expect(Math.abs(after - before), `${before} MiB on a clean worker, ${after} MiB after a 150 MiB job`).toBeLessThanOrEqual(2);
  });

  it('the host does not keep what the guests grew', async () => {
    const round = async () => {
      for (const code of Object.values(ATTACKS)) await lane.run({ code, memory_mb: 32, timeout_ms: 3000 });
      await lane.run({ code: 'x = bytearray(400 << 20)', memory_mb: 512, timeout_ms: 3000 });
    };
    await round();
    globalThis.gc?.();
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 3; i++) await round();
    globalThis.gc?.();
    const growth = process.memoryUsage().rss - rss;
    expect(growth, `RSS grew ${Math.round(growth / 2 ** 20)} MiB over three rounds`).toBeLessThan(200 * 2 ** 20);
    await lane.expectClean();
  }, 60_000);
});
