/**
 * The job's scratch (launcher.ts): one tmpfs with a byte and an inode cap behind /work, /tmp and
 * /dev/shm, mounted in the launcher's own mount namespace, and the per-job cgroup where the host
 * delegates one. The attacks on the same caps are in test/attacks/native-shm-fill.test.ts and
 * native-inode-exhaustion.test.ts.
 */
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../../src/lanes/lane.js';
import { detectCgroups } from '../../../src/lanes/native/job-cgroups.js';
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from './native-fixture.js';

// Decided before the tests are collected: hosts without delegated controllers skip, saying why.
const cgroups = await detectCgroups(process.getuid?.() === 0);

let driver: LaneDriver;
let tmp: string;
const hostTmp = process.env['TMPDIR'];
beforeAll(async () => {
  // A temp dir of this file's own (vitest runs files in parallel): every job and scratch dir lands here.
  tmp = await mkdtemp(join(tmpdir(), 'isola-scratch-test-'));
  await chmod(tmp, 0o755);
  process.env['TMPDIR'] = tmp;
  driver = await createDriver(testHost(), { options: { tmpfsMb: 4, tmpfsInodes: 256 } });
});
afterAll(async () => {
  await driver.dispose();
  if (hostTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = hostTmp;
  expect(await readdir(tmp)).toEqual([]); // no scratch mount point or job dir left behind
  await rm(tmp, { recursive: true });
});

describe('native lane: scratch', () => {
  it('reports the scratch caps and whether jobs get cgroups, with the reason when not', () => {
    const described = driver.describe();
    expect(described['scratch']).toEqual({ bytes: 4 * 1024 * 1024, inodes: 256, mounts: ['/work', '/tmp', '/dev/shm'] });
    expect(described['cgroups']).toEqual(cgroups);
    if (cgroups.mode === 'rlimits') expect(cgroups.reason).toMatch(/\S/);
  });

  it('mounts one tmpfs at /work, /tmp and /dev/shm: bytes written in one are gone from the others', async () => {
    const code = lines(
      'import os, json',
      'def statfs(path):',
      '    s = os.statvfs(path)',
      '    return [s.f_blocks * s.f_frsize, s.f_files]',
      'sizes = {path: statfs(path) for path in ("/work", "/tmp", "/dev/shm")}',
      'with open("/tmp/fill", "wb") as handle:',
      '    handle.write(b"x" * (3 * 1024 * 1024))',
      'free = {path: os.statvfs(path).f_bavail * os.statvfs(path).f_frsize for path in ("/work", "/dev/shm")}',
      'print(json.dumps({"sizes": sizes, "free_mb": {k: v // (1024 * 1024) for k, v in free.items()}}))',
    );
    const result = await driver.run(pythonJob(code));
    expect(result.failure, result.stderr).toBeUndefined();
    const seen = JSON.parse(result.stdout) as { sizes: Record<string, number[]>; free_mb: Record<string, number> };
    for (const path of ['/work', '/tmp', '/dev/shm']) expect(seen.sizes[path]).toEqual([4 * 1024 * 1024, 256]);
    expect(seen.free_mb).toEqual({ '/work': 0, '/dev/shm': 0 });
  });

  it('starts every job with an empty scratch', async () => {
    await driver.run(pythonJob(lines('open("/dev/shm/left", "w").write("x")', 'open("/tmp/left", "w").write("x")')));
    const result = await driver.run(pythonJob(lines('import os', 'print(os.listdir("/dev/shm"), os.listdir("/tmp"), sorted(os.listdir(".")))')));
    expect(result.stdout).toBe("[] [] ['inputs.json']\n");
  });

  it.runIf(cgroups.mode === 'v2')(`runs each job in its own cgroup v2 group (${cgroups.mode === 'v2' ? cgroups.parent : `skipped: ${cgroups.reason}`})`, async () => {
    const result = await driver.run(pythonJob(lines('print(open("/proc/self/cgroup").read().strip())')));
    expect(result.stdout).toMatch(/^0::\/.*isola-job-[0-9a-f]+$/m);
  });
});
