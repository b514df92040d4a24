import { describe, expect, it } from 'vitest';
import { SHARED_STORE } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

// numpy and pandas at versions other than the CPython lane's built-ins have compiled extensions and no
// wasm32-wasi build: with runtime "auto" they run in the native lane, and the response says why.
const { run } = useEngine({ storeDir: SHARED_STORE, workers: { native: 1 } });

describe('compiled Python packages in the native lane', () => {
  it('numpy computes a determinant and pandas does a groupby', async () => {
    const code = [
      'import numpy as np',
      'import pandas as pd',
      '',
      'def main(rows: list, matrix: list) -> dict:',
      '    df = pd.DataFrame(rows)',
      '    totals = df.groupby("region")["amount"].sum().to_dict()',
      '    return {"det": round(float(np.linalg.det(np.array(matrix))), 6), "totals": totals}',
    ].join('\n');
    const response = await run({
      language: 'python',
      code,
      packages: ['numpy<2.5', 'pandas<3'],
      inputs: { rows: [{ region: 'eu', amount: 3 }, { region: 'us', amount: 5 }, { region: 'eu', amount: 4 }], matrix: [[2, 0], [1, 3]] },
      timeout_ms: 60_000,
      memory_mb: 512,
    });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ det: 6, totals: { eu: 7, us: 5 } });
    expect(response.environment.lane).toBe('native');
    expect(response.environment.reason).toMatch(/numpy|pandas/);
  }, 600_000);

  it('runtime "wasm" refuses them with package_unavailable naming the package', async () => {
    const response = await run({ language: 'python', code: 'import numpy', packages: ['numpy<2.5'], runtime: 'wasm' });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('package_unavailable');
    expect(response.error?.message).toContain('numpy');
  }, 300_000);
});
