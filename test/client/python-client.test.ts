// Runs the Python client's pytest suite (clients/python/tests) against real Isola servers started here:
// ISOLA_URL (JavaScript and Python lanes) and ISOLA_OVERLOADED_URL (a queue of size 0: every execution
// is refused with 503 overloaded). Python comes from ISOLA_TEST_PYTHON, else python3; it needs httpx and
// pytest (.ci/run installs them). Needs `npm run build` (workers run dist/).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JS_ONLY, useServer } from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../clients/python', import.meta.url));
const PYTHON = process.env['ISOLA_TEST_PYTHON'] ?? 'python3';

/** Why the suite cannot run here, or undefined. In CI a missing dependency is a failure, never a skip. */
function missingPython(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import httpx, pytest'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import httpx and pytest (${(probe.stderr || String(probe.error)).trim().split('\n').pop()}); install them or set ISOLA_TEST_PYTHON`;
}

const missing = missingPython();

describe.skipIf(missing !== undefined && !process.env['CI'])(`Python client (${missing ?? PYTHON})`, () => {
  const server = useServer({ workers: { quickjs: 1, cpython: 1, native: 0 } });
  const overloaded = useServer({ ...JS_ONLY, maxQueue: 0, prewarm: false });

  it('passes its pytest suite against the real servers', async () => {
    expect(missing).toBeUndefined();
    // Asynchronous on purpose: the servers answer from this process's event loop while pytest runs.
    const child = spawn(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ISOLA_URL: server().url, ISOLA_OVERLOADED_URL: overloaded().url, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(exitCode, output).toBe(0);
    // A suite that skipped everything (no ISOLA_URL reached it) would also exit 0.
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/skipped/);
  }, 120_000);
});
