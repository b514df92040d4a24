// Regression: `isola run x | head -c0` crashed with an unhandled EPIPE instead of exiting with the run's code.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'isola-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a reader that closes stdout early does not crash isola run', async () => {
  const file = join(dir, 'hello.js');
  writeFileSync(file, 'function main() { return "x".repeat(100000) }\n');
  const child = spawn(process.execPath, [BIN, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader goes away before any output
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(code).toBe(0);
});
