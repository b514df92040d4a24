/**
 * Attack: tamper with what a shell prebuild left, so the next run of the environment sees something else.
 * A shell prebuild's files (./model, what pip installed) outlive it and start every later run, so a run
 * that could rewrite them would plant code or data for the next tenant of the environment: rewrite the
 * model, drop a .pth or sitecustomize into the venv's site-packages, edit the venv's config. Each run gets
 * its own copy of the files in its scratch /work and the prebuilt venv bound read-only, so the next run
 * sees exactly what the prebuild left. The prebuild itself may not leave the host a link out of the venv
 * (to /etc, or a rewritten interpreter link), what it writes into the venv counts against the scratch
 * cap like /work, it cannot outlive its deadline or leave a process running, and a prompt gets EOF.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useEngine } from '../engine/helpers.js';

const storeDir = mkdtempSync(join(tmpdir(), 'isola-shell-tamper-'));
chmodSync(storeDir, 0o755); // the sandbox uid binds the prebuilt files from there
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
const { run } = useEngine({ storeDir, workers: { native: 1 }, laneOptions: { native: { tmpfsMb: 32, prebuildTimeoutMs: 3_000 } } });

const script = (...lines: string[]): string => ['#!/bin/bash', 'set -e', ...lines, `# nonce ${randomBytes(8).toString('hex')}`, ''].join('\n');

const prebuild = script(
  'mkdir -p model',
  'python3 -c "import secrets; open(\'model/weights.txt\', \'w\').write(secrets.token_hex(8))"',
  // What pip would leave in site-packages: a module of the environment's own.
  'python3 -c "import site, sys; open(site.getsitepackages()[0] + \'/shipped.py\', \'w\').write(\'VALUE = 1\')"',
);

const tamper = [
  'import os, site, sys',
  'def attempt(path, text):',
  '    try:',
  '        with open(path, "a") as handle:',
  '            handle.write(text)',
  '        return "written"',
  '    except OSError as error:',
  '        return type(error).__name__',
  'def main():',
  '    packages = site.getsitepackages()[0]',
  '    open("model/weights.txt", "w").write("tampered")',
  '    return {',
  '        "copy": open("model/weights.txt").read(),',
  '        "pristine": attempt("/isola/prebuild/model/weights.txt", "tampered"),',
  '        "pth": attempt(os.path.join(packages, "zz-tamper.pth"), "import os; os.environ[\'TAMPERED\'] = \'1\'\\n"),',
  '        "sitecustomize": attempt(os.path.join(packages, "sitecustomize.py"), "TAMPERED = 1\\n"),',
  '        "module": attempt(os.path.join(packages, "shipped.py"), "\\nVALUE = 2\\n"),',
  '        "config": attempt(os.path.join(sys.prefix, "pyvenv.cfg"), "include-system-site-packages = true\\n"),',
  '    }',
].join('\n');

const observe = [
  'import os, site, sys',
  'import shipped',
  'def main():',
  '    packages = site.getsitepackages()[0]',
  '    return {',
  '        "weights": open("model/weights.txt").read(),',
  '        "value": shipped.VALUE,',
  '        "planted": sorted(set(os.listdir(packages)) & {"zz-tamper.pth", "sitecustomize.py"}),',
  '        "tampered_env": os.environ.get("TAMPERED"),',
  '    }',
].join('\n');

describe('attack: a later run tampers with what the shell prebuild left', () => {
  it('rewrites only its own copy; the next run sees the pristine files and venv', async () => {
    const before = await run({ language: 'python', code: observe, prebuild, timeout_ms: 30_000 });
    expect(before.error, before.stderr).toBeNull();
    expect(before.output).toMatchObject({ weights: expect.stringMatching(/^[0-9a-f]{16}$/), value: 1, planted: [], tampered_env: null });

    const attack = await run({ language: 'python', code: tamper, prebuild, timeout_ms: 30_000 });
    expect(attack.error, attack.stderr).toBeNull();
    expect(attack.output).toEqual({ copy: 'tampered', pristine: 'OSError', pth: 'OSError', sitecustomize: 'OSError', module: 'OSError', config: 'OSError' });

    const after = await run({ language: 'python', code: observe, prebuild, timeout_ms: 30_000 });
    expect(after.error, after.stderr).toBeNull();
    expect(after.output).toEqual(before.output);
    expect(after.environment.cache).toBe('hit');
  }, 120_000);
});

describe('attack: the shell prebuild itself misbehaves', () => {
  const refusals: [string, string, RegExp][] = [
    ['a link from the venv to a host file', 'ln -s /etc/passwd "$VIRTUAL_ENV/passwd"', /"venv\/passwd" in the venv, which is a symbolic link to "\/etc\/passwd"/],
    ['a rewritten interpreter link', 'ln -sfn /bin/sh "$VIRTUAL_ENV/bin/python"', /"venv\/bin\/python" in the venv, which is a symbolic link to "\/bin\/sh"/],
    ['a fifo in site-packages', 'mkfifo "$VIRTUAL_ENV/pipe"', /"venv\/pipe" in the venv, which is a named pipe/],
  ];
  for (const [what, line, message] of refusals) {
    it(`refuses ${what} and keeps nothing`, async () => {
      const response = await run({ language: 'python', code: 'print(1)', prebuild: script(line), timeout_ms: 30_000 });
      expect(response.error?.type).toBe('package_install');
      expect(response.error?.message).toMatch(message);
      expect(stored().filter((name) => name.startsWith('.'))).toEqual([]);
    }, 60_000);
  }

  it('stops a script that never ends at the prebuild deadline, and one that leaves a process behind at its end', async () => {
    const started = Date.now();
    const stuck = await run({ language: 'python', code: 'print(1)', prebuild: script('sleep 600'), timeout_ms: 30_000 });
    expect(stuck.error?.type).toBe('package_install');
    expect(stuck.error?.message).toMatch(/exceeded its 3000 ms deadline/);
    expect(Date.now() - started).toBeLessThan(15_000);
    const behind = await run({ language: 'python', code: 'import subprocess\nprint(subprocess.run(["pgrep", "-c", "sleep"], capture_output=True, text=True).stdout.strip() or "0")', prebuild: script('(sleep 600 &)', 'echo left a sleeper'), timeout_ms: 30_000 });
    expect(behind.error, behind.stderr).toBeNull();
    expect(behind.stdout.trim()).toBe('0');
  }, 60_000);

  it('gives a prompt no one to wait for: stdin is closed', async () => {
    const prompt = script('read -r -p "Continue? [y/N] " answer || true', 'echo "[$answer]" > answer.txt');
    const response = await run({ language: 'python', code: 'print(open("answer.txt").read().strip())', prebuild: prompt, timeout_ms: 30_000 });
    expect(response.error, response.stderr).toBeNull();
    expect(response.stdout).toBe('[]\n');
  }, 60_000);

  it('counts what the script writes into the venv against the scratch cap', async () => {
    const response = await run({ language: 'python', code: 'print(1)', prebuild: script('head -c 48M /dev/zero > "$VIRTUAL_ENV/filler"'), timeout_ms: 30_000 });
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toMatch(/No space left on device/);
  }, 60_000);
});

function stored(): string[] {
  try {
    return readdirSync(join(storeDir, 'native-prebuilds'));
  } catch {
    return [];
  }
}
