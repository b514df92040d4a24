/**
 * Builds the venv of a native-lane Python environment from already downloaded wheels: `python3 -m venv
 * --without-pip`, then the host's pip installs the exact wheel files into it (no index, no deps, no
 * builds; `pip --python` runs it under the venv's interpreter), then byte-compiles with the final path recorded, so the venv can be used read-only (an
 * import inside the sandbox cannot write .pyc files) after the build dir is renamed into place.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { installerEnv, outcomeSummary, runProcess, type ProcessOutcome } from './run-process.js';

export interface VenvOptions {
  python: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type VenvResult = { ok: true } | { ok: false; message: string; detail: string };

const env = (): NodeJS.ProcessEnv => installerEnv(process.env, { PIP_NO_INPUT: '1', PYTHONDONTWRITEBYTECODE: '1' });

function failed(step: string, outcome: ProcessOutcome, timeoutMs: number): VenvResult {
  const lastError = outcome.stderr.split('\n').filter((line) => line.startsWith('ERROR:')).pop();
  const message = outcome.code !== null && !outcome.timedOut && lastError ? `${step}: ${lastError.slice(6).trim()}` : outcomeSummary(step, outcome, timeoutMs);
  return { ok: false, message, detail: outcome.stderr.slice(-4000) };
}

/**
 * @param buildVenv where the venv is built (inside the build dir)
 * @param finalVenv where it will live after publishing (recorded in compiled files' paths)
 * @param wheelsDir directory holding exactly the wheels to install
 */
export async function buildVenv(buildVenv: string, finalVenv: string, wheelsDir: string, options: VenvOptions): Promise<VenvResult> {
  const common = { cwd: wheelsDir, timeoutMs: options.timeoutMs, env: env(), ...(options.signal ? { signal: options.signal } : {}) };
  const created = await runProcess(options.python, ['-m', 'venv', '--without-pip', '--', buildVenv], common);
  if (created.code !== 0) return failed('python -m venv', created, options.timeoutMs);

  const wheels = (await readdir(wheelsDir)).filter((f) => f.endsWith('.whl')).map((f) => join(wheelsDir, f));
  if (wheels.length > 0) {
    const installed = await runProcess(
      options.python,
      [
        '-m', 'pip',
        '--python', join(buildVenv, 'bin', 'python'),
        'install',
        '--disable-pip-version-check', '--no-input', '--no-index', '--no-deps', '--ignore-installed',
        '--no-compile', '--no-warn-script-location', '--only-binary=:all:',
        // The venv has no pip of its own; the host's pip installs into it by running under the venv's
        // interpreter (pip >= 22.3), so the venv's install scheme applies. (--prefix would follow the
        // host's scheme, which Debian patches to <prefix>/local/..., outside the venv's site-packages.)
        '--',
        ...wheels,
      ],
      common,
    );
    if (installed.code !== 0) return failed('pip install', installed, options.timeoutMs);
  }
  const compiled = await runProcess(
    options.python,
    ['-m', 'compileall', '-q', '-j', '0', '-s', buildVenv, '-p', finalVenv, '--', join(buildVenv, 'lib')],
    common,
  );
  if (compiled.code !== 0) return failed('compileall', compiled, options.timeoutMs);
  return { ok: true };
}

/** The interpreter's identity, part of a native environment's hash (a venv is tied to it). */
export async function pythonIdentity(python: string, timeoutMs: number): Promise<string | undefined> {
  const outcome = await runProcess(
    python,
    ['-I', '-c', 'import sys, sysconfig; print(sys.version.split()[0], sysconfig.get_platform(), sys.base_prefix)'],
    { cwd: '/', timeoutMs, env: env() },
  );
  return outcome.code === 0 ? outcome.stdout.trim() : undefined;
}
