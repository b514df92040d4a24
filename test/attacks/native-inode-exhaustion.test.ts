/**
 * Attack: create empty files until something gives. A tmpfs with a size cap but no nr_inodes (bwrap's
 * --size) takes the kernel's default inode count (half the RAM pages), and empty files, directories and
 * links cost no bytes of the size cap but ~1 KiB of kernel memory each (inode and dentry), charged to
 * no limit of the job: a loop of creat() holds hundreds of MiB of host kernel memory. The defence: the
 * scratch tmpfs is mounted with nr_inodes = tmpfsInodes (launcher.ts), one count for /work, /tmp and
 * /dev/shm together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanary } from './native-canary.js';

const INODES = 16_384; // the default of the tmpfsInodes option
let driver: LaneDriver;
beforeAll(async () => {
  driver = await createDriver(testHost(), { options: {} });
});
afterAll(async () => {
  await driver.dispose();
});
const canary = useCanary(() => driver);

describe('attack: inode exhaustion', () => {
  it('stops creating files, directories and links at the inode cap, across /work, /tmp and /dev/shm', async () => {
    const code = lines(
      'import errno, json, os',
      'made, error = 0, None',
      'try:',
      '    while made < 100_000:',
      '        place = ("/tmp", "/dev/shm", "/work")[made % 3]',
      '        kind = made % 4',
      '        path = f"{place}/n{made}"',
      '        if kind == 0: os.mkdir(path)',
      '        elif kind == 1: os.symlink("x", path)',
      '        else: os.close(os.open(path, os.O_CREAT | os.O_WRONLY))',
      '        made += 1',
      'except OSError as e:',
      '    error = errno.errorcode.get(e.errno, str(e.errno))',
      'print(json.dumps({"made": made, "error": error}))',
    );
    const result = await driver.run(pythonJob(code, { timeoutMs: 30_000 }));
    expect(result.failure, result.stderr).toBeUndefined();
    const seen = JSON.parse(result.stdout) as { made: number; error: string | null };
    expect(seen.error).toBe('ENOSPC');
    expect(seen.made).toBeLessThan(INODES);
    expect(seen.made).toBeGreaterThan(INODES - 64); // the runner's own files and the mount's roots
    await canary.expectClean();
  });
});
