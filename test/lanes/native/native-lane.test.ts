/**
 * The native lane end to end: real bubblewrap, real CPython, one sandboxed process per job.
 * Seed patterns, exceptions, exit codes, caps and deadlines.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from './native-fixture.js';

let driver: LaneDriver;
// A private TMPDIR for this file (its own process under vitest's forks pool), to prove nothing is left.
const savedTmp = process.env['TMPDIR'];
const privateTmp = mkdtempSync(join(tmpdir(), 'isola-native-lane-tmp-'));
chmodSync(privateTmp, 0o755); // the sandbox's unprivileged host uid passes through it to job dirs

beforeAll(async () => {
  process.env['TMPDIR'] = privateTmp;
  driver = await createDriver(testHost(), { options: {} });
});
afterAll(async () => {
  expect(driver.describe()['running']).toBe(0);
  await driver.dispose();
  const left = readdirSync(privateTmp);
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
  expect(left).toEqual([]); // job dirs, probe dirs and the driver's own dir are all gone
});

describe('native lane: seed patterns', () => {
  it('runs a main-guarded script that reads inputs.json and writes output.json', async () => {
    const code = lines(
      'import json',
      'def main():',
      '    with open("inputs.json") as f:',
      '        data = json.load(f)',
      '    total = sum(row["amount"] for row in data["rows"])',
      '    with open("output.json", "w") as f:',
      '        json.dump({"total": total, "count": len(data["rows"])}, f)',
      '    print("done")',
      "if __name__ == '__main__':",
      '    main()',
    );
    const result = await driver.run(pythonJob(code, { inputs: { rows: [{ amount: 2 }, { amount: 40 }] } }));
    expect(result).toMatchObject({ exitCode: 0, mode: 'script', stdout: 'done\n', stderr: '' });
    expect(result.failure).toBeUndefined();
    expect(JSON.parse(result.outputFileText ?? 'null')).toEqual({ total: 42, count: 2 });
  });

  it('calls def main(llm_output: str) -> dict and returns its value', async () => {
    const code = lines(
      'import json, re',
      'def main(llm_output: str) -> dict:',
      '    return json.loads(re.search(r"\\{.*\\}", llm_output, re.S).group(0))',
    );
    const result = await driver.run(pythonJob(code, { inputs: { llm_output: 'Here: {"ok": true, "items": [1, 2]} bye', extra: 1 } }));
    expect(result).toMatchObject({ exitCode: 0, mode: 'main' });
    expect(JSON.parse(result.returnJson ?? 'null')).toEqual({ ok: true, items: [1, 2] });
  });

  it('runs a stdin script that prints JSON', async () => {
    const code = lines('import json, sys', 'data = json.load(sys.stdin)', 'print(json.dumps({"upper": data["name"].upper()}))');
    const result = await driver.run(pythonJob(code, { inputs: { name: 'ada' } }));
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ upper: 'ADA' });
  });

  it('gives the inputs on the real fd 0 too (a subprocess can read them)', async () => {
    const code = lines('import subprocess', 'print(subprocess.run(["cat", "/proc/self/fd/0"], capture_output=True, text=True).stdout)');
    const result = await driver.run(pythonJob(code, { inputs: { via: 'fd0' } }));
    expect(JSON.parse(result.stdout)).toEqual({ via: 'fd0' });
  });
});

describe('native lane: failures', () => {
  it('reports an exception with the user traceback', async () => {
    const result = await driver.run(pythonJob(lines('def main():', '    return 1 / 0')));
    expect(result.exitCode).toBe(1);
    expect(result.failure).toMatchObject({ type: 'exception', message: 'ZeroDivisionError: division by zero' });
    expect(result.failure?.traceback).toContain('File "main.py", line 2, in main');
    expect(result.stderr).toContain('ZeroDivisionError: division by zero');
    expect(result.stderr).not.toContain('isola_');
  });

  it('passes exit codes through', async () => {
    const three = await driver.run(pythonJob(lines('import sys', 'print("bye")', 'sys.exit(3)')));
    expect(three).toMatchObject({ exitCode: 3, stdout: 'bye\n' });
    expect(three.failure).toBeUndefined();
    const hard = await driver.run(pythonJob(lines('import os', 'os._exit(7)')));
    expect(hard.exitCode).toBe(7);
    expect(hard.failure?.type).toBe('exception');
  });

  it('stops an endless loop at the deadline', async () => {
    const started = Date.now();
    const result = await driver.run(pythonJob(lines('print("start", flush=True)', 'while True:', '    pass'), { timeoutMs: 700 }));
    const elapsed = Date.now() - started;
    expect(result.failure?.type).toBe('timeout');
    expect(result.stdout).toBe('start\n');
    expect(elapsed).toBeGreaterThanOrEqual(650);
    // The kill lands ~10 ms after the deadline on an idle machine; the slack absorbs a loaded CI box.
    expect(elapsed).toBeLessThan(700 + 1000);
  });

  it('reports the entry mode of a function that times out', async () => {
    const result = await driver.run(pythonJob(lines('import time', 'def main():', '    time.sleep(30)'), { timeoutMs: 500 }));
    expect(result).toMatchObject({ mode: 'main', failure: { type: 'timeout' } });
  });

  it('stops code stuck in C that ignores signals', async () => {
    const code = lines('import signal', 'signal.signal(signal.SIGTERM, signal.SIG_IGN)', 'sum(range(10**12))');
    const started = Date.now();
    const result = await driver.run(pythonJob(code, { timeoutMs: 500 }));
    expect(result.failure?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(500 + 1000);
  });

  it('caps stdout and keeps draining past the cap', async () => {
    const code = lines('import sys', 'for i in range(20000):', '    sys.stdout.write("é" * 99 + "\\n")', 'print("end", file=sys.stderr)');
    const result = await driver.run(pythonJob(code, { limits: { stdoutBytes: 1000, stderrBytes: 1000, outputBytes: 1 << 20 } }));
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(1000);
    expect(result.stdout).not.toContain('\uFFFD');
    expect(result.stderr).toBe('end\n');
    expect(result.stderrTruncated).toBe(false);
  });

  it('refuses an output.json over the output limit', async () => {
    const code = lines('open("output.json", "w").write("[" + "1," * 5000 + "1]")');
    const result = await driver.run(pythonJob(code, { limits: { stdoutBytes: 1000, stderrBytes: 1000, outputBytes: 1000 } }));
    expect(result.failure?.type).toBe('output_limit');
    expect(result.outputFileText).toBeUndefined();
  });

  it('starts every job from a clean directory and a fresh process', async () => {
    await driver.run(pythonJob(lines('open("left.txt", "w").write("x")', 'open("/tmp/left.txt", "w").write("x")')));
    const result = await driver.run(pythonJob(lines('import os', 'print(sorted(os.listdir(".")), os.listdir("/tmp"))')));
    expect(result.stdout).toBe("['inputs.json'] []\n");
  });

  it('runs concurrent jobs independently', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => driver.run(pythonJob(lines('def main(n):', '    return n * n'), { inputs: { n } }))),
    );
    expect(results.map((r) => r.returnJson)).toEqual(['1', '4', '9', '16', '25', '36']);
  });
});

describe('native lane: environments', () => {
  let venv = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'isola-venv-test-'));
    chmodSync(dir, 0o755); // the sandbox's unprivileged host uid reads it through a bind
    venv = join(dir, 'venv');
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv]);
    const version = execFileSync(`${venv}/bin/python`, ['-c', 'import sys; print(f"python{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' }).trim();
    writeFileSync(join(venv, 'lib', version, 'site-packages', 'isola_venv_probe.py'), 'ANSWER = 42\n');
  });
  afterAll(() => {
    if (venv) rmSync(join(venv, '..'), { recursive: true, force: true });
  });

  it('runs in the venv named by the environment, read-only', async () => {
    const code = lines(
      'import sys, isola_venv_probe',
      'def main():',
      '    try:',
      '        open(isola_venv_probe.__file__, "a")',
      '        writable = True',
      '    except OSError:',
      '        writable = False',
      '    return {"answer": isola_venv_probe.ANSWER, "prefix": sys.prefix, "writable": writable}',
    );
    const result = await driver.run(pythonJob(code, { environment: { hash: 'venv-test', spec: { venv } } }));
    expect(result.failure).toBeUndefined();
    expect(JSON.parse(result.returnJson ?? 'null')).toEqual({ answer: 42, prefix: venv, writable: false });
    const bare = await driver.run(pythonJob(lines('import isola_venv_probe')));
    expect(bare.failure?.message).toBe("ModuleNotFoundError: No module named 'isola_venv_probe'");
  });

  // Only root drops to another uid for the sandbox; as any other user every path it made is its own.
  it.runIf(process.getuid?.() === 0)('says clearly when the sandbox user cannot read the venv', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'isola-venv-hidden-')); // 0700, owned by root
    try {
      const result = await driver.run(pythonJob('print(1)', { environment: { hash: 'hidden', spec: { venv: join(hidden, 'venv') } } }));
      expect(result.failure?.type).toBe('package_unavailable');
      expect(result.failure?.message).toContain('not readable by the sandbox user');
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });
});

describe('native lane: prebuild', () => {
  const prebuild = lines('import json, secrets', 'json.dump({"token": secrets.token_hex(8)}, open("table.json", "w"))', 'print("prebuilt")');
  const reader = lines('import json', 'def main():', '    return json.load(open("table.json"))');

  it('runs once per environment, even for concurrent first jobs, and its files start every job', async () => {
    const environment = { hash: `prebuild-${Date.now()}`, spec: { prebuild } };
    const first = await Promise.all([1, 2, 3].map(() => driver.run(pythonJob(reader, { environment }))));
    const tokens = new Set(first.map((result) => result.returnJson));
    expect(tokens.size).toBe(1);
    expect(first.filter((result) => result.cache === 'miss')).toHaveLength(1);
    const later = await driver.run(pythonJob(reader, { environment }));
    expect(later.cache).toBe('hit');
    expect(later.returnJson).toBe(first[0]?.returnJson);
    const listing = await driver.run(pythonJob(lines('import os', 'print(sorted(os.listdir(".")))'), { environment }));
    expect(listing.stdout).toBe("['inputs.json', 'table.json']\n");
  });

  it('reports a failing prebuild as package_install and tries again next time', async () => {
    const prebuildCode = lines('import secrets', 'raise RuntimeError("no table " + secrets.token_hex(8))');
    const environment = { hash: `prebuild-fails-${Date.now()}`, spec: { prebuild: prebuildCode } };
    const failed = await driver.run(pythonJob(reader, { environment }));
    expect(failed.failure?.type).toBe('package_install');
    expect(failed.failure?.message).toContain('RuntimeError: no table');
    const again = await driver.run(pythonJob(reader, { environment }));
    expect(again.failure?.type).toBe('package_install');
    // A different random message: the failed build was not kept, the prebuild ran again.
    expect(again.failure?.message).not.toBe(failed.failure?.message);
  });
});

describe('native lane: availability', () => {
  it('describes itself as available with the interpreter version', () => {
    expect(driver.describe()).toMatchObject({ available: true, sandbox: 'bubblewrap' });
    expect(driver.describe()['runtimes']).toMatchObject({ python: { available: true, version: expect.stringMatching(/^3\.\d+\.\d+$/) } });
  });

  it('reports package_unavailable when bubblewrap is missing', async () => {
    const missing = await createDriver(testHost(), { options: { bwrap: '/nonexistent/bwrap' } });
    try {
      expect(missing.describe()).toMatchObject({ available: false });
      expect(String(missing.describe()['reason'])).toContain('/nonexistent/bwrap');
      const result = await missing.run(pythonJob('print(1)'));
      expect(result.failure?.type).toBe('package_unavailable');
      expect(result.failure?.message).toContain('unavailable');
    } finally {
      await missing.dispose();
    }
  });
});
