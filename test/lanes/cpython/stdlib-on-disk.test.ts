/**
 * The standard library zip is read from the host's disk on demand (src/wasi/disk-file.ts) rather than
 * held in every process's memory. What the guest reads must be exactly the file's bytes at every
 * offset, through seeks and odd-sized reads, and importing a module the boot image does not hold must
 * work as it did with the zip in memory.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/index.js';
import { artifactsDir } from '../../../src/lanes/cpython/artifacts.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
}, 120_000);
afterAll(async () => engine?.close());

const READ_BACK = `
import hashlib, os

def main():
    path = "/usr/local/lib/python315.zip"
    whole = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(65_521):  # a prime size: reads straddle every page boundary
            whole.update(chunk)
        size = f.tell()
        # Backwards, with seeks: positional reads at arbitrary offsets.
        tail = hashlib.sha256()
        for at in range(size - 4093, -1, -1_000_003):
            f.seek(at)
            tail.update(f.read(4093))
    return {"size": size, "os_size": os.path.getsize(path), "sha256": whole.hexdigest(), "seeks": tail.hexdigest()}
`;

describe('the standard library zip, read from disk on demand', () => {
  it('reads back byte for byte, sequentially and after seeks', async () => {
    const bytes = readFileSync(join(artifactsDir(), 'python-stdlib.zip'));
    const seeks = createHash('sha256');
    for (let at = bytes.length - 4093; at >= 0; at -= 1_000_003) seeks.update(bytes.subarray(at, at + 4093));
    const result = await engine.execute({ language: 'python', code: READ_BACK, timeout_ms: 60_000 });
    expect(result.error, result.stderr).toBeNull();
    expect(result.output).toEqual({
      size: bytes.length,
      os_size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      seeks: seeks.digest('hex'),
    });
  });

  it('imports modules the boot image does not hold', async () => {
    const code = 'import fractions, difflib, tomllib\ndef main():\n    return [str(fractions.Fraction(3, 6)), difflib.SequenceMatcher(None, "abc", "abd").ratio(), tomllib.loads("a = 1")]';
    const result = await engine.execute({ language: 'python', code });
    expect(result.error, result.stderr).toBeNull();
    expect(result.output).toEqual(['1/2', 2 / 3, { a: 1 }]);
  });
});
