// `isola env` end to end: the built binary against a real store with a real npm environment in it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironmentManager } from '../../src/environments/index.js';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
let store: string;

function isola(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), 'isola-env-cli-'));
  const envs = createEnvironmentManager({ storeDir: store });
  const env = await envs.prepare({ language: 'javascript', packages: ['lodash@4.17.21'], runtime: 'auto' });
  await envs.close();
  expect(env).toHaveProperty('hash');
}, 120_000);
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe('isola env', () => {
  it('lists, removes and prunes environments', async () => {
    const listed = await isola(['env', 'ls', '--json', '--store', store]);
    expect(listed.code).toBe(0);
    const envs = JSON.parse(listed.stdout) as { hash: string; lane: string; packages: { name: string }[] }[];
    expect(envs).toHaveLength(1);
    expect(envs[0]).toMatchObject({ lane: 'quickjs', packages: [expect.objectContaining({ name: 'lodash' })] });

    const human = await isola(['env', 'ls', '--store', store]);
    expect(human.stdout).toContain('lodash@4.17.21');

    const removed = await isola(['env', 'rm', envs[0]!.hash.slice(0, 12), '--store', store]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(envs[0]!.hash);
    expect(JSON.parse((await isola(['env', 'ls', '--json', '--store', store])).stdout)).toEqual([]);

    const pruned = await isola(['env', 'prune', '--max-bytes', '0', '--store', store]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/removed 0 environment/);
  }, 60_000);

  it('names the mistake for a bad action or value, with exit code 2', async () => {
    const bad = await isola(['env', 'frob', '--store', store]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown action "frob"');
    const badNumber = await isola(['env', 'prune', '--max-bytes', 'lots', '--store', store]);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--max-bytes');
  });
});
