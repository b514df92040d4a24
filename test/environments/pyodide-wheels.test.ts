/**
 * The pyodide spec is what the Pyodide lane can use: a real Pyodide unpacks the environment's wheels
 * into site-packages and imports them (what the lane does before its snapshot).
 */
import { readFileSync } from 'node:fs';

import { loadPyodide } from 'pyodide';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEnvironmentManager, type EnvironmentManager } from '../../src/environments/index.js';
import { SHARED_STORE } from './helpers.js';

let manager: EnvironmentManager;

beforeAll(() => {
  manager = createEnvironmentManager({ storeDir: SHARED_STORE });
});
afterAll(async () => {
  await manager.close();
});

describe('pyodide spec in a real Pyodide', () => {
  it('unpacks the wheels and imports the packages', { timeout: 180_000 }, async () => {
    const result = await manager.prepare({ language: 'python', packages: ['python-dateutil==2.9.0.post0'], runtime: 'wasm' });
    if ('error' in result) throw new Error(result.error.message);
    expect(result.lane).toBe('pyodide');
    const pyodide = await loadPyodide();
    for (const wheel of result.spec.wheels as string[]) {
      pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), 'wheel');
    }
    const parsed = pyodide.runPython(
      'import dateutil.parser, dateutil.relativedelta as rd\n' +
        '(dateutil.parser.parse("2024-01-31T03:04:05") + rd.relativedelta(months=1)).isoformat()',
    ) as string;
    expect(parsed).toBe('2024-02-29T03:04:05');
  });
});
