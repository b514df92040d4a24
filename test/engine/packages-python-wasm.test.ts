import { describe, expect, it } from 'vitest';
import { SHARED_STORE } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

// The CPython lane has numpy, pandas and friends built in, and takes pure wheels from the index.
const { run } = useEngine({ storeDir: SHARED_STORE, workers: { cpython: 1 } });

describe('Python packages in the cpython lane', () => {
  it('numpy and pandas (built in) compute a determinant and a groupby', async () => {
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
      packages: ['numpy', 'pandas'],
      inputs: { rows: [{ region: 'eu', amount: 3 }, { region: 'us', amount: 5 }, { region: 'eu', amount: 4 }], matrix: [[2, 0], [1, 3]] },
      timeout_ms: 60_000,
      memory_mb: 512,
    });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ det: 6, totals: { eu: 7, us: 5 } });
    expect(response.environment.lane).toBe('cpython');
  }, 300_000);

  it('a pure wheel from the index is importable, and its environment is reused', async () => {
    const request = { language: 'python' as const, code: 'import humanize\nprint(humanize.intcomma(1234567))', packages: ['humanize==4.17.0'] };
    const first = await run(request);
    expect(first.error).toBeNull();
    expect(first.stdout).toBe('1,234,567\n');
    expect(first.environment.lane).toBe('cpython');
    const second = await run(request);
    expect(second.stdout).toBe('1,234,567\n');
    expect(second.environment.hash).toBe(first.environment.hash);
  }, 300_000);

  it("a wheel's modules come with bytecode, and a package's traceback still shows its source lines", async () => {
    const code = [
      'import sys, zipfile, humanize',
      'archives = [p for p in sys.path if p.startswith("/isola-env/")]',
      'names = zipfile.ZipFile(archives[0]).namelist()',
      'print("humanize/__init__.pyc" in names, humanize.__file__.startswith(archives[0]))',
      'humanize.naturalsize("not a number")',
    ].join('\n');
    const response = await run({ language: 'python', code, packages: ['humanize==4.17.0'] });
    expect(response.stdout).toBe('True True\n');
    // The frame inside the package names its file and shows the line that raised.
    expect(response.error?.traceback).toMatch(/humanize\/filesize\.py", line \d+, in naturalsize\n +\S/);
  }, 300_000);

  it('what a prebuild leaves in the working directory is there for every execution, fresh each time', async () => {
    const prebuild = 'import json\njson.dump({"model": [1, 2, 3]}, open("model.json", "w"))';
    const code = 'import json, os\nm = json.load(open("model.json"))\nos.remove("model.json")\nprint(m["model"], os.listdir("."))';
    const first = await run({ language: 'python', code, packages: ['humanize==4.17.0'], prebuild });
    expect(first.error).toBeNull();
    expect(first.stdout).toBe("[1, 2, 3] ['inputs.json']\n");
    // The first execution deleted its copy; the next one gets its own.
    const second = await run({ language: 'python', code, packages: ['humanize==4.17.0'], prebuild });
    expect(second.stdout).toBe("[1, 2, 3] ['inputs.json']\n");
  }, 300_000);

  it('a failing prebuild is a package_install error with what it printed', async () => {
    const response = await run({ language: 'python', code: 'print(1)', packages: ['humanize==4.17.0'], prebuild: 'print("building")\nraise SystemExit(3)' });
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toMatch(/prebuild failed/);
  }, 300_000);
});
