/**
 * Attack: fill /dev/shm. bwrap's --dev gives the sandbox a /dev tmpfs of its own with no size cap, and
 * /dev/shm was a plain directory in it: RLIMIT_FSIZE bounds one file, not how many, so a job could hold
 * host memory in files there up to the kernel's default (half of RAM) for as long as it ran, past both
 * memory_mb (tmpfs pages are not address space) and tmpfsMb. The defence: /dev/shm is a directory of the
 * job's one scratch tmpfs (launcher.ts), whose byte cap it shares with /work and /tmp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, nodeJob, pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanary } from './native-canary.js';

const OPTIONS = { tmpfsMb: 8 };
let driver: LaneDriver;
beforeAll(async () => {
  driver = await createDriver(testHost(), { options: OPTIONS });
});
afterAll(async () => {
  await driver.dispose();
});
const canary = useCanary(() => driver, OPTIONS);

describe('attack: filling /dev/shm', () => {
  it('stops at the scratch cap with ENOSPC, many files under RLIMIT_FSIZE or not (Python)', async () => {
    const code = lines(
      'import errno, json',
      'written, error = 0, None',
      'chunk = b"x" * (1024 * 1024)',
      'try:',
      '    for i in range(64):',
      '        with open(f"/dev/shm/fill-{i}", "wb") as handle:',
      '            handle.write(chunk)',
      '        written += 1',
      'except OSError as e:',
      '    error = errno.errorcode.get(e.errno, str(e.errno))',
      'print(json.dumps({"mib": written, "error": error}))',
    );
    const result = await driver.run(pythonJob(code, { timeoutMs: 20_000 }));
    expect(result.failure, result.stderr).toBeUndefined();
    const seen = JSON.parse(result.stdout) as { mib: number; error: string | null };
    expect(seen.error).toBe('ENOSPC');
    expect(seen.mib).toBeLessThanOrEqual(8);
    await canary.expectClean();
  });

  it('stops POSIX shared memory (shm_open + mmap) at the same cap (Node writes, then Python maps)', async () => {
    const fill = lines(
      'const fs = require("fs");',
      'let mib = 0, error = null;',
      'try { for (; mib < 64; mib++) fs.writeFileSync(`/dev/shm/n-${mib}`, Buffer.alloc(1 << 20, 1)); } catch (e) { error = e.code; }',
      'console.log(JSON.stringify({ mib, error }));',
    );
    const node = await driver.run(nodeJob(fill, { timeoutMs: 20_000 }));
    expect(JSON.parse(node.stdout), node.stderr).toMatchObject({ error: 'ENOSPC' });
    expect((JSON.parse(node.stdout) as { mib: number }).mib).toBeLessThanOrEqual(8);
    const shm = lines(
      'import json, os',
      'from multiprocessing import shared_memory',
      'open("/dev/shm/half", "wb").write(b"x" * (4 << 20))',
      'block = shared_memory.SharedMemory(create=True, size=6 << 20)  # sparse: ftruncate takes no space',
      'print(json.dumps({"free_mib": os.statvfs("/dev/shm").f_bavail * os.statvfs("/dev/shm").f_frsize >> 20}), flush=True)',
      '# Touching every page needs 6 MiB of the 4 left: the kernel answers the page fault past the cap with SIGBUS.',
      'block.buf[:] = b"y" * (6 << 20)',
      'print("unreachable")',
    );
    const python = await driver.run(pythonJob(shm, { timeoutMs: 20_000 }));
    expect(python.stdout, python.stderr).toMatch(/^{"free_mib": [34]}\n$/); // 4 MiB less the runner's own files
    expect(python.exitCode).not.toBe(0);
    await canary.expectClean();
  });
});
