// scripts/system-packages.mjs, run as `npm start` runs it (prestart) and as .ci/run runs it (--list): on a
// machine without the native lane's Debian packages it names them in one line and never fails the start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/system-packages.mjs', import.meta.url));
// A PATH holding nothing but node: no bwrap, no python3, no prlimit, no apt-get.
const bareBin = mkdtempSync(join(tmpdir(), 'isola-bare-path-'));
symlinkSync(process.execPath, join(bareBin, 'node'));
afterAll(() => rmSync(bareBin, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv) {
  const { status, stdout, stderr } = spawnSync(join(bareBin, 'node'), [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 20_000 });
  return { status, stdout, stderr };
}

describe('system packages check', () => {
  it('lists what a bare machine lacks, in apt install order', () => {
    const { status, stdout } = run(['--list'], { PATH: bareBin });
    expect(status).toBe(0);
    const listed = stdout.trim().split(' ');
    expect(listed).toEqual(expect.arrayContaining(['bubblewrap', 'python3', 'python3-venv', 'util-linux']));
    expect(listed.indexOf('python3')).toBeLessThan(listed.indexOf('python3-venv'));
  });

  it('says in one line what to install, and does not fail the start', () => {
    const { status, stdout, stderr } = run(['--check'], { PATH: bareBin });
    expect(status).toBe(0);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/native lane stays off until you install bubblewrap python3 python3-venv util-linux/);
    expect(lines[0]).toContain('apt-get install -y bubblewrap');
  });

  it('without root or apt-get it only reports, even when asked to install', () => {
    // No --check: the script would install as root with apt-get, but this PATH has no apt-get.
    const { status, stderr } = run([], { PATH: bareBin });
    expect(status).toBe(0);
    expect(stderr).not.toContain('installing');
    expect(stderr).toContain('the Wasm lanes work without them');
  });

  it('is silent on a machine that has everything (this one, after .ci/run) and when skipped', () => {
    expect(run(['--check'], { PATH: process.env.PATH ?? '' })).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(run(['--check'], { PATH: bareBin, ISOLA_SKIP_SYSTEM_PACKAGES: '1' })).toMatchObject({ status: 0, stderr: '' });
  });
});
