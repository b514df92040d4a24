/**
 * Attack: leave something odd for the host in a prebuild's files. A prebuild's /work outlives it (it
 * starts every job of the environment, and lives in the store, which the host copies and uploads), so
 * before, with a host directory bound read-write at /work, a prebuild could plant a fifo (a host reader
 * blocks forever), a symlink to a host file (/etc/shadow, the store's neighbours), or a chain of links
 * that each look local and together climb out, and it could fill the host's disk. Now the prebuild runs
 * in the capped scratch, the launcher copies it out without following links, and prebuild-files.ts
 * refuses anything but files, directories and links that stay inside; a failed or timed-out prebuild
 * leaves nothing in the store.
 */
import { chmod, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestEnvironment, LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanary } from './native-canary.js';

const OPTIONS = { tmpfsMb: 8, prebuildTimeoutMs: 1_500 };
let driver: LaneDriver;
let storeDir: string;
beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'isola-store-'));
  await chmod(storeDir, 0o755); // the sandbox uid binds prebuilt files from there
  driver = await createDriver(testHost(), { options: { ...OPTIONS, storeDir } });
});
afterAll(async () => {
  await driver.dispose();
  await rm(storeDir, { recursive: true, force: true });
});
const canary = useCanary(() => driver, OPTIONS);

let counter = 0;
const environment = (prebuild: string): GuestEnvironment => ({ hash: `attack-${Date.now()}-${++counter}`, spec: { prebuild } });
const stored = (): Promise<string[]> => readdir(join(storeDir, 'native-prebuilds'));

it('stores prebuilt files under the store directory', () => {
  expect(driver.describe()['prebuilds']).toBe(join(storeDir, 'native-prebuilds'));
});

describe('attack: odd files left by a prebuild', () => {
  const refusals: [string, string, RegExp][] = [
    ['a fifo', 'import os; os.mkfifo("pipe")', /"pipe", which is a named pipe \(fifo\)/],
    ['a socket', 'import socket; socket.socket(socket.AF_UNIX).bind("sock")', /"sock", which is a socket/],
    ['a link to a host file', 'import os; os.symlink("/etc/passwd", "passwd")', /"passwd", which is a symbolic link to "\/etc\/passwd"/],
    ['a link out through ..', 'import os; os.symlink("../../../etc", "up")', /"up", which is a symbolic link to "..\/..\/..\/etc"/],
    [
      'links that each stay inside and together climb out',
      'import os; os.makedirs("a/b"); os.symlink("../..", "a/b/top"); os.symlink("top/..", "a/b/out")',
      /"a\/b\/out", which is a symbolic link to "top\/.."/,
    ],
  ];
  for (const [what, prebuild, message] of refusals) {
    it(`refuses ${what} and keeps nothing of the build`, async () => {
      const result = await driver.run(pythonJob('print(1)', { environment: environment(prebuild) }));
      expect(result.failure?.type, result.stderr).toBe('package_install');
      expect(result.failure?.message).toMatch(message);
      expect(await stored()).toEqual([]);
    });
  }

  it('keeps links that stay inside, in the store, for a later driver too', async () => {
    const env = environment(lines('import os, secrets', 'os.makedirs("data")', 'open("data/table.txt", "w").write(secrets.token_hex(8))', 'os.symlink("data/table.txt", "alias.txt")'));
    const reader = lines('print(open("alias.txt").read())');
    const first = await driver.run(pythonJob(reader, { environment: env }));
    expect(first.failure, first.stderr).toBeUndefined();
    expect(first.stdout).toMatch(/^[0-9a-f]{16}\n$/);
    expect(await stored()).toEqual([`${env.hash}-python`]);
    expect(await readlink(join(storeDir, 'native-prebuilds', `${env.hash}-python`, 'work', 'alias.txt'))).toBe('data/table.txt');
    const later = await createDriver(testHost(), { options: { ...OPTIONS, storeDir } });
    try {
      const again = await later.run(pythonJob(reader, { environment: env }));
      expect(again).toMatchObject({ cache: 'hit', stdout: first.stdout });
    } finally {
      await later.dispose();
    }
    await rm(join(storeDir, 'native-prebuilds', `${env.hash}-python`), { recursive: true });
  });

  it('drops set-user-ID and set-group-ID bits on the way out', async () => {
    const env = environment('import os; open("tool", "w").close(); os.chmod("tool", 0o6755)');
    const result = await driver.run(pythonJob('import os; print(oct(os.stat("/isola/prebuild/tool").st_mode & 0o7777))', { environment: env }));
    expect(result.stdout, result.stderr).toBe('0o755\n');
    await rm(join(storeDir, 'native-prebuilds', `${env.hash}-python`), { recursive: true });
  });

  it('caps a prebuild at the scratch size and its deadline, and cleans up after both', async () => {
    const fill = await driver.run(pythonJob('print(1)', { environment: environment('open("big", "wb").write(b"x" * (64 << 20))') }));
    expect(fill.failure?.type).toBe('package_install');
    expect(fill.failure?.message).toMatch(/No space left on device|File too large/);
    const started = Date.now();
    const stuck = await driver.run(pythonJob('print(1)', { environment: environment('open("partial", "w").write("x")\nwhile True: pass') }));
    expect(stuck.failure?.type).toBe('package_install');
    expect(stuck.failure?.message).toMatch(/exceeded its \d+ ms deadline/);
    expect(Date.now() - started).toBeLessThan(OPTIONS.prebuildTimeoutMs + 3_000);
    expect(await stored()).toEqual([]);
    await canary.expectClean();
  });

  it('leaves the next job clean after all of the above', async () => {
    await canary.expectClean();
  });
});
