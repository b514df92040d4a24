/**
 * pip environments: real resolution against PyPI with the host's pip. A pure wheel goes to Pyodide;
 * numpy/pandas go to Pyodide if the index has PEP 783 builds for this Pyodide's ABI, else to the native
 * lane with a venv that really imports them; runtime "wasm" refuses them naming the package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEnvironmentManager, type EnvironmentManager, type EnvManifest, type PreparedEnvironment, type PrepareResult } from '../../src/environments/index.js';
import { sha256File } from '../../src/environments/hashing.js';
import { freshStore, makeWheel, SHARED_STORE } from './helpers.js';

let manager: EnvironmentManager;
const cleanups: (() => void)[] = [];

beforeAll(() => {
  manager = createEnvironmentManager({ storeDir: SHARED_STORE });
});
afterAll(async () => {
  await manager.close();
  for (const cleanup of cleanups) cleanup();
});

function prepared(result: PrepareResult): PreparedEnvironment {
  if ('error' in result) throw new Error(`expected an environment, got ${result.error.type}: ${result.error.message}`);
  return result;
}

function manifestOf(env: PreparedEnvironment): EnvManifest {
  return JSON.parse(readFileSync(join(SHARED_STORE, 'envs', env.hash, 'manifest.json'), 'utf8')) as EnvManifest;
}

describe('pip packages', () => {
  it('resolves a pure-Python package to the cpython lane with its wheel files', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['humanize==4.17.0'], runtime: 'auto' }));
    expect(env.lane).toBe('cpython');
    const wheels = env.spec.wheels as string[];
    expect(wheels.map((w) => w.split('/').pop())).toEqual(['humanize-4.17.0-py3-none-any.whl']);
    // Every wheel is on disk, and its sha256 is the one the environment hash covers.
    const manifest = manifestOf(env);
    for (const wheel of wheels) {
      const entry = manifest.packages.find((p) => wheel.endsWith(`/${p.file}`));
      expect(entry?.kind).toBe('pure');
      expect(await sha256File(wheel)).toBe(entry?.digest);
    }
    const again = prepared(await manager.prepare({ language: 'python', packages: ['humanize==4.17.0'], runtime: 'auto' }));
    expect(again).toMatchObject({ cache: 'hit', hash: env.hash });
    expect(again.buildMs).toBeLessThan(5);
  });

  it('satisfies what the interpreter has built in (numpy, pandas, python-dateutil) without shipping a wheel', { timeout: 600_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['numpy', 'pandas>=2', 'python-dateutil'], runtime: 'auto' }));
    expect(env.lane).toBe('cpython');
    expect(env.spec.wheels).toEqual([]);
    const manifest = manifestOf(env);
    // The built-in versions are pinned in the manifest (and so in the environment's hash).
    expect(manifest.packages.find((p) => p.name === 'pandas')?.version).toBe('3.0.6');
    expect(manifest.packages.find((p) => p.name === 'numpy')?.version).toBe('2.5.2');
    expect(manifest.packages.find((p) => p.name === 'python-dateutil')?.version).toBe('2.9.0.post0');
  });

  it('lets the index win where a request excludes the built-in version (python-dateutil>=3)', { timeout: 600_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['python-dateutil>=3'], runtime: 'auto' }));
    expect(env.lane).toBe('cpython');
    expect((env.spec.wheels as string[]).some((w) => /python_dateutil-[3-9]/.test(w))).toBe(true);
  });

  it('sends another version of a built-in (numpy<2.5) to the native lane, which really runs it', { timeout: 600_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['numpy<2.5', 'pandas<3'], runtime: 'auto' }));
    expect(env.lane).toBe('native');
    expect(env.reason).toMatch(/^(numpy|pandas) \S+(, (numpy|pandas) \S+)? (has|have) compiled extensions and no wasm build/);
    const python = join(env.spec.venv as string, 'bin', 'python');
    const out = execFileSync(python, [
      '-I',
      '-c',
      'import json, numpy, pandas; d = pandas.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]}); ' +
        'print(json.dumps({"det": round(float(numpy.linalg.det(numpy.array([[2.0, 1.0], [1.0, 3.0]]))), 6), ' +
        '"groups": {k: int(v) for k, v in d.groupby("k")["v"].sum().items()}, "numpy": numpy.__file__}))',
    ]).toString();
    const parsed = JSON.parse(out) as { det: number; groups: Record<string, number>; numpy: string };
    expect(parsed.det).toBe(5);
    expect(parsed.groups).toEqual({ a: 4, b: 2 });
    // Imported from the environment's venv, not from the host's site-packages.
    expect(parsed.numpy.startsWith(env.spec.venv as string)).toBe(true);
  });

  it('builds a venv for pure packages too when runtime is "native"', { timeout: 180_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['six==1.16.0'], runtime: 'native' }));
    expect(env.lane).toBe('native');
    expect(env.reason).toBe('runtime "native" was requested');
    const out = execFileSync(join(env.spec.venv as string, 'bin', 'python'), ['-I', '-c', 'import six; print(six.__version__, six.__file__)']).toString().trim();
    expect(out).toMatch(/^1\.16\.0 /);
    expect(out.slice('1.16.0 '.length)).toMatch(new RegExp(`^${env.spec.venv as string}/lib/python3\\.\\d+/site-packages/six\\.py$`));
  });

  it('refuses compiled packages without a wasm build under runtime "wasm", naming the package', { timeout: 600_000 }, async () => {
    const result = await manager.prepare({ language: 'python', packages: ['pandas<3'], runtime: 'wasm' });
    expect('error' in result && result.error.type).toBe('package_unavailable');
    expect('error' in result && result.error.message).toMatch(/pandas \S+ (has|have) compiled extensions and no wasm build for the CPython lane/);
  });

  it('reports an unknown package as package_install naming it', { timeout: 120_000 }, async () => {
    const result = await manager.prepare({ language: 'python', packages: ['nonexistent-pkg-xyz-isola-7f3a'], runtime: 'auto' });
    expect('error' in result && result.error.type).toBe('package_install');
    expect('error' in result && result.error.message).toMatch(/^package not found: nonexistent-pkg-xyz-isola-7f3a/);
  });

  it('reports a missing version as package_install with the versions that exist', { timeout: 120_000 }, async () => {
    const result = await manager.prepare({ language: 'python', packages: ['six==99.0.0'], runtime: 'auto' });
    expect('error' in result && result.error.type).toBe('package_install');
    expect('error' in result && result.error.message).toMatch(/^version not found: six==99\.0\.0 \(available for .*1\.16\.0/);
  });

  it('takes a pure wheel from an offline wheelhouse into the cpython lane', { timeout: 120_000 }, async () => {
    const house = freshStore('isola-wheelhouse-');
    cleanups.push(house.cleanup);
    makeWheel(house.dir, 'isolademo', '1.0.0', 'py3-none-any', 'X = 1\n');
    const store = freshStore();
    cleanups.push(store.cleanup);
    const local = createEnvironmentManager({ storeDir: store.dir, wheelhouse: house.dir, pipOffline: true });
    try {
      const env = prepared(await local.prepare({ language: 'python', packages: ['isolademo'], runtime: 'wasm' }));
      expect(env.lane).toBe('cpython');
      expect((env.spec.wheels as string[]).map((w) => w.split('/').pop())).toEqual(['isolademo-1.0.0-py3-none-any.whl']);
      expect(existsSync((env.spec.wheels as string[])[0] ?? '')).toBe(true);
    } finally {
      await local.close();
    }
  });
});
