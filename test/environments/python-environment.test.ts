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
  it('resolves a pure-Python package to the Pyodide lane with its wheel files', { timeout: 120_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['python-dateutil==2.9.0.post0'], runtime: 'auto' }));
    expect(env.lane).toBe('cpython');
    const wheels = env.spec.wheels as string[];
    const names = wheels.map((w) => w.split('/').pop());
    expect(names).toContain('python_dateutil-2.9.0.post0-py2.py3-none-any.whl');
    expect(names.some((n) => n?.startsWith('six-'))).toBe(true); // its dependency came along
    // Every wheel is on disk, and its sha256 is the one the environment hash covers.
    const manifest = manifestOf(env);
    for (const wheel of wheels) {
      const entry = manifest.packages.find((p) => wheel.endsWith(`/${p.file}`));
      expect(entry?.kind).toBe('pure');
      expect(await sha256File(wheel)).toBe(entry?.digest);
    }
    const again = prepared(await manager.prepare({ language: 'python', packages: ['python-dateutil==2.9.0.post0'], runtime: 'auto' }));
    expect(again).toMatchObject({ cache: 'hit', hash: env.hash });
    expect(again.buildMs).toBeLessThan(5);
  });

  it('sends numpy and pandas to a lane that really runs them', { timeout: 600_000 }, async () => {
    const env = prepared(await manager.prepare({ language: 'python', packages: ['numpy', 'pandas>=2'], runtime: 'auto' }));
    const manifest = manifestOf(env);
    const pandas = manifest.packages.find((p) => p.name === 'pandas');
    if (env.lane === 'cpython') {
      // The index (or the Pyodide mirror) had a wasm build for this ABI.
      expect(pandas?.kind).toBe('wasm');
      return;
    }
    expect(env.lane).toBe('native');
    expect(env.reason).toMatch(/^(numpy|pandas) \S+ (has|have) compiled extensions and no wasm build/);
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
    const result = await manager.prepare({ language: 'python', packages: ['pandas>=2'], runtime: 'wasm' });
    if (!('error' in result)) {
      expect(result.lane).toBe('cpython'); // a wasm build exists on this index
      return;
    }
    expect(result.error.type).toBe('package_unavailable');
    expect(result.error.message).toMatch(/^pandas \S+ has compiled extensions and no wasm build for Pyodide/);
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

  it('installs a pyemscripten wheel for this Pyodide ABI from a wheelhouse into the Pyodide lane', { timeout: 120_000 }, async () => {
    const house = freshStore('isola-wheelhouse-');
    cleanups.push(house.cleanup);
    // A wheel tagged for Pyodide 314's ABI (PEP 783) and one for an older ABI that must not be chosen.
    makeWheel(house.dir, 'isolawasmdemo', '1.0.0', 'cp314-cp314-pyemscripten_2026_0_wasm32', 'X = 1\n');
    makeWheel(house.dir, 'isolawasmdemo', '2.0.0', 'cp313-cp313-pyodide_2025_0_wasm32', 'X = 2\n');
    const store = freshStore();
    cleanups.push(store.cleanup);
    const local = createEnvironmentManager({ storeDir: store.dir, wheelhouse: house.dir, pipOffline: true });
    try {
      const env = prepared(await local.prepare({ language: 'python', packages: ['isolawasmdemo'], runtime: 'wasm' }));
      expect(env.lane).toBe('cpython');
      expect((env.spec.wheels as string[]).map((w) => w.split('/').pop())).toEqual(['isolawasmdemo-1.0.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl']);
      expect(existsSync((env.spec.wheels as string[])[0] ?? '')).toBe(true);
    } finally {
      await local.close();
    }
  });
});
