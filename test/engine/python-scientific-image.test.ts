/**
 * Code that imports numpy or pandas runs, after the first such job on a worker, on a second image with
 * both already imported. That image is reset like the first: what one execution does to the modules
 * (patched methods, options, random state) is gone for the next, checked byte for byte by verifyResets.
 */
import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

const { engine, run } = useEngine({ workers: { quickjs: 0, cpython: 1 }, laneOptions: { cpython: { verifyResets: true } } });

const details = () => engine().readiness().lanes.cpython!.details as Record<string, unknown>;
/** The image is made while the worker is idle after the first pandas job: wait for it to say so. */
async function untilScientific(): Promise<void> {
  for (const until = Date.now() + 60_000; Date.now() < until && !details()['scientificImage']; ) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('the scientific image', () => {
  it('is made after the first pandas job, and later pandas jobs run on it', async () => {
    const first = await run({ language: 'python', code: 'import pandas as pd\nprint(pd.DataFrame({"a": [1, 2, 3]}).a.sum())', timeout_ms: 30_000, memory_mb: 512 });
    expect(first.stdout).toBe('6\n');
    await untilScientific();
    expect(details()['scientificImage']).toMatchObject({ preload: ['numpy', 'pandas'] });
    const second = await run({ language: 'python', code: 'import sys\nimport numpy as np\nprint("pandas" in sys.modules, int(np.arange(4).sum()))', memory_mb: 512 });
    // Only an image with pandas imported has it in sys.modules before the code imports it.
    expect(second.stdout).toBe('True 6\n');
  }, 120_000);

  it('forgets what an execution did to pandas, numpy and their options', async () => {
    const tamper = [
      'import numpy as np, pandas as pd',
      'pd.DataFrame.sum = lambda *args, **kwargs: 42',
      'pd.set_option("display.max_rows", 7)',
      'np.pi = 3',
      'print(np.random.rand())',
    ].join('\n');
    const check = [
      'import numpy as np, pandas as pd',
      'print(int(pd.DataFrame({"a": [1, 2]}).sum()["a"]), pd.get_option("display.max_rows"), np.pi > 3.14)',
      'print(np.random.rand())',
    ].join('\n');
    const tampered = await run({ language: 'python', code: tamper, memory_mb: 512 });
    const after = await run({ language: 'python', code: check, memory_mb: 512 });
    const again = await run({ language: 'python', code: check, memory_mb: 512 });
    const [line, random] = after.stdout.split('\n');
    expect(line).toBe('3 60 True');
    // numpy's global generator is reseeded per execution: no two executions draw the same number.
    expect(new Set([tampered.stdout.trim(), random, again.stdout.split('\n')[1]]).size).toBe(3);
  }, 120_000);
});
