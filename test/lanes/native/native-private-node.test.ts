/**
 * A checkout in a private directory (what `mktemp -d` makes: mode 0700) holds the Node binary the native
 * lane binds into its sandbox, whose uid cannot reach it there. The lane copies such a binary next to its
 * runtime files; Node jobs run as usual. (CI's clean clone failed every native Node job before.)
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { nodeJob, testHost } from './native-fixture.js';

const privateDir = mkdtempSync(join(tmpdir(), 'isola-private-node-'));
let driver: LaneDriver | undefined;
afterAll(async () => {
  await driver?.dispose();
  rmSync(privateDir, { recursive: true, force: true });
});

describe('native lane: a Node binary in a private directory', () => {
  it('still runs Node jobs', async () => {
    const node = join(privateDir, 'node');
    copyFileSync(process.execPath, node);
    driver = await createDriver(testHost(), { options: { node } });
    expect(driver.describe()['runtimes']).toMatchObject({ node: { available: true } });
    const result = await driver.run(nodeJob('console.log(40 + 2)'));
    expect(result).toMatchObject({ exitCode: 0, stdout: '42\n' });
  }, 60_000);
});
