/**
 * A worker that finds a young boot image in the store restores it instead of booting CPython; one that
 * finds a damaged or foreign image says why in the log and boots as if there were none. Both then run
 * Python normally, and the image restored is checked byte for byte by `verifyResets`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DriverHost, GuestJob, LaneDriver } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/cpython/worker-entry.js';
import { createDiskSnapshotStore } from '../../../src/engine/workers/disk-snapshot-store.js';

const runtimes = join(import.meta.dirname, '../../../runtimes');
const store = mkdtempSync(join(tmpdir(), 'isola-boot-image-'));
const snapshots = join(store, 'snapshots');
const drivers: LaneDriver[] = [];
afterAll(async () => {
  await Promise.all(drivers.map((driver) => driver.dispose()));
  rmSync(store, { recursive: true, force: true });
});

async function driverWithLog(): Promise<{ driver: LaneDriver; warnings: string[] }> {
  const warnings: string[] = [];
  const host: DriverHost = {
    runtimeFile: (path) => readFileSync(join(runtimes, path), 'utf8'),
    fetch: async () => ({ ok: false, kind: 'network', message: 'no network in this test' }),
    log: (level, message, data) => {
      if (level === 'warn') warnings.push(`${message} ${JSON.stringify(data)}`);
    },
    snapshots: createDiskSnapshotStore(snapshots),
  };
  const driver = await createDriver(host, { options: { verifyResets: true } });
  drivers.push(driver);
  return { driver, warnings };
}

function job(code: string): GuestJob {
  return {
    id: `job-${Math.random()}`,
    code,
    filename: 'main.py',
    mode: 'script',
    inputsJson: '{"n": 6}',
    deadline: Date.now() + 5000,
    timeoutMs: 5000,
    memoryBytes: 256 << 20,
    limits: { stdoutBytes: 1 << 20, stderrBytes: 1 << 20, outputBytes: 1 << 20 },
    allowHosts: [],
  };
}

const CODE = 'import json, random\nn = json.load(open("inputs.json"))["n"]\nprint(n * 7, len({random.random() for _ in range(3)}))';
const bootImages = () => readdirSync(snapshots).filter((name) => name.startsWith('cpython-boot-'));

describe('CPython boot images', () => {
  it('the first worker boots and stores its image; the next restores it and runs the same', async () => {
    const first = await driverWithLog();
    expect(first.driver.describe()['restoredImage']).toBe(false);
    expect(bootImages()).toHaveLength(1);
    const second = await driverWithLog();
    expect(second.driver.describe()['restoredImage']).toBe(true);
    for (const { driver } of [first, second]) {
      const result = await driver.run(job(CODE));
      expect(result.stdout).toBe('42 3\n');
      await driver.recycle!();
      expect((await driver.run(job(CODE))).stdout).toBe('42 3\n');
      await driver.recycle!();
    }
  });

  it('a damaged image is refused with the reason, and the worker boots instead', async () => {
    const [name] = bootImages();
    const path = join(snapshots, name!);
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100);
    writeFileSync(path, bytes);
    const { driver, warnings } = await driverWithLog();
    expect(driver.describe()['restoredImage']).toBe(false);
    expect(warnings.join('\n')).toMatch(/boot image was refused.*checksum/);
    expect((await driver.run(job(CODE))).stdout).toBe('42 3\n');
  });
});
