// `isola run --follow`: the built binary in a child process prints the code's stdout and stderr as the
// code writes them (the first line is on the pipe before the code's 300 ms sleep ends), not the JSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));

interface FollowedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each stdout chunk reached this process, ms after spawn, with its text. */
  chunks: { at: number; text: string }[];
  exitedAt: number;
}

function follow(args: string[]): Promise<FollowedRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: FollowedRun['chunks'] = [];
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => chunks.push({ at: Date.now() - started, text }));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('close', (code) => resolve({ code, stdout: chunks.map((chunk) => chunk.text).join(''), stderr, chunks, exitedAt: Date.now() - started }));
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isola-follow-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('isola run --follow', () => {
  it('prints output live, then main()\'s return value', async () => {
    const path = join(dir, 'live.js');
    writeFileSync(path, 'async function main() { console.log("first"); console.error("warn"); await new Promise((r) => setTimeout(r, 300)); console.log("second"); return { ok: true }; }');
    const run = await follow(['run', path, '--follow']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('first\nsecond\n{"ok":true}\n');
    expect(run.stderr).toBe('warn\n');
    const first = run.chunks.find((chunk) => chunk.text.startsWith('first'));
    const second = run.chunks.find((chunk) => chunk.text.includes('second'));
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(100);
  });

  it('exits with the result\'s code and names a platform failure on stderr', async () => {
    const path = join(dir, 'spin.js');
    writeFileSync(path, 'console.log("before"); while (true) {}');
    const run = await follow(['run', path, '--follow', '--timeout', '300']);
    expect(run.code).toBe(124);
    expect(run.stdout).toBe('before\n');
    expect(run.stderr).toMatch(/^isola run: timeout: /);
  });
});
