// `isola serve`'s limit settings: flags over ISOLA_MAX_* variables, a usage error (exit 2) naming the flag
// or variable for a bad value, and the limits a running service reports. Needs `npm run build`.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { limitSettings } from '../../src/cli/limit-settings.js';
import { isUsageError } from '../../src/cli/usage-error.js';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const JS_ONLY = 'quickjs=1,cpython=0,native=0';

function serve(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'serve', '--port', '0', '--workers', JS_ONLY, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
  });
}

describe('limitSettings', () => {
  it('reads flags, falls back to the environment, and leaves the rest to the defaults', () => {
    expect(limitSettings({}, {})).toEqual({});
    expect(limitSettings({ 'max-timeout-ms': '5000' }, { ISOLA_MAX_TIMEOUT_MS: '7000', ISOLA_MAX_CODE_BYTES: '4096' })).toEqual({ maxTimeoutMs: 5000, maxCodeBytes: 4096 });
    expect(limitSettings({}, { ISOLA_MAX_INPUTS_BYTES: '1000000' })).toEqual({ maxInputsBytes: 1_000_000 });
  });

  it.each([
    [{ 'max-timeout-ms': 'ten' }, {}, '--max-timeout-ms must be an integer in 1..86400000, got "ten"'],
    [{ 'max-timeout-ms': '86400001' }, {}, '--max-timeout-ms must be an integer in 1..86400000, got "86400001"'],
    [{}, { ISOLA_MAX_CODE_BYTES: '0' }, 'ISOLA_MAX_CODE_BYTES must be an integer in 1..67108864, got "0"'],
    [{ 'max-inputs-bytes': '-5' }, {}, '--max-inputs-bytes must be an integer in 2..268435456, got "-5"'],
  ])('refuses %j %j as a usage error naming the setting', (flags, env, message) => {
    let thrown: unknown;
    try {
      limitSettings(flags, env);
    } catch (error) {
      thrown = error;
    }
    expect(isUsageError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(message);
  });
});

describe('isola serve with limit settings', () => {
  it('exits 2 naming the flag or the variable for a bad value', async () => {
    const flag = await serve(['--max-timeout-ms', '1.5']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('isola serve: --max-timeout-ms must be an integer in 1..86400000, got "1.5"');
    const variable = await serve([], { ISOLA_MAX_INPUTS_BYTES: 'lots' });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain('ISOLA_MAX_INPUTS_BYTES must be an integer');
  }, 60_000);

  it('exits 2 when the dify face would wait longer than the maximum timeout', async () => {
    const run = await serve(['--max-timeout-ms', '1000', '--dify-api-key', 'k'], { ISOLA_DIFY_TIMEOUT_S: '5' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ISOLA_DIFY_TIMEOUT_S=5) exceeds the maximum timeout of 1000 ms');
  }, 60_000);

  it('reports the configured limits in /readyz', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', JS_ONLY, '--max-timeout-ms', '120000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ISOLA_LOG_LEVEL: 'info', ISOLA_MAX_CODE_BYTES: '65536' },
    });
    try {
      let address = '';
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'isola listening') {
          address = entry.address ?? '';
          break;
        }
      }
      const ready = (await (await fetch(`${address}/readyz`)).json()) as { limits: Record<string, number> };
      expect(ready.limits).toMatchObject({ max_timeout_ms: 120_000, max_code_bytes: 65_536, max_inputs_bytes: 10 * 1024 * 1024 });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 60_000);
});
