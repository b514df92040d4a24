/**
 * Environments in the Pyodide lane: the pure-Python wheels of GuestEnvironment.spec are unpacked into
 * the realm once, imported, prebuilt, and captured as the environment's image; jobs of that environment
 * start from it, other jobs never see it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedZip } from '../../../src/lanes/pyodide/tzdata-zip.js';
import { startPyodide, type PyodideHarness } from './harness.js';

const text = (s: string) => new TextEncoder().encode(s);
let py: PyodideHarness;
let dir: string;
let wheel: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'isola-pyodide-env-'));
  wheel = join(dir, 'isola_demo-1.0-py3-none-any.whl');
  await writeFile(
    wheel,
    storedZip([
      ['isola_demo/__init__.py', text('GREETING = "hi from a wheel"\n\ndef shout(s):\n    return s.upper()\n')],
      ['isola_demo-1.0.dist-info/METADATA', text('Metadata-Version: 2.1\nName: isola-demo\nVersion: 1.0\n')],
      ['isola_demo-1.0.dist-info/WHEEL', text('Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n')],
      ['isola_demo-1.0.dist-info/top_level.txt', text('isola_demo\n')],
      ['isola_demo-1.0.dist-info/RECORD', text('')],
    ]),
  );
  py = await startPyodide();
});
afterAll(async () => {
  await py?.close();
  await rm(dir, { recursive: true, force: true });
});

const environment = (hash: string, spec: Record<string, unknown>) => ({ hash, spec });

describe('environments', () => {
  it("runs scripts and main() with the environment's packages, importlib.metadata included", async () => {
    const env = environment('env-demo-1', { wheels: [wheel] });
    const script = await py.run({ code: 'import isola_demo, importlib.metadata\nprint(isola_demo.GREETING, importlib.metadata.version("isola-demo"))', environment: env });
    expect(script.failure, script.failure?.message).toBeUndefined();
    expect(script.stdout).toBe('hi from a wheel 1.0\n');
    const fn = 'import isola_demo\n\ndef main(s):\n    return isola_demo.shout(s)';
    const runs = [];
    for (const s of ['a', 'b', 'c']) runs.push(await py.run({ code: fn, inputs: { s }, environment: env }));
    expect(runs.map((r) => r.returnJson)).toEqual(['"A"', '"B"', '"C"']);
    expect(runs[2]!.cache).toBe('hit');
  });

  it('keeps an environment away from jobs that did not ask for it', async () => {
    const result = await py.run({ code: 'import isola_demo' });
    expect(result.failure?.message).toBe("ModuleNotFoundError: No module named 'isola_demo'");
  });

  it('runs the prebuild once, into the image', async () => {
    const env = environment('env-demo-2', { wheels: [wheel], prebuild: 'import isola_demo\nisola_demo.PREBUILT = 6 * 7' });
    for (let i = 0; i < 2; i++) {
      const result = await py.run({ code: 'import isola_demo\nprint(isola_demo.PREBUILT)', environment: env });
      expect(result.stdout).toBe('42\n');
    }
  });

  it('reports what it cannot load', async () => {
    const compiled = await py.run({ code: 'print(1)', environment: environment('env-so', { wheels: [wheel], dynlibs: ['/x/libfoo.so'] }) });
    expect(compiled.failure?.type).toBe('package_unavailable');
    const missing = await py.run({ code: 'print(1)', environment: environment('env-missing', { wheels: [join(dir, 'nope.whl')] }) });
    expect(missing.failure?.type).toBe('package_install');
    const prebuild = await py.run({ code: 'print(1)', environment: environment('env-bad-prebuild', { wheels: [], prebuild: '1/0' }) });
    expect(prebuild.failure).toMatchObject({ type: 'package_install' });
    expect(prebuild.failure?.message).toContain('ZeroDivisionError');
    expect((await py.run({ code: 'print("still fine")' })).stdout).toBe('still fine\n');
  });
});
