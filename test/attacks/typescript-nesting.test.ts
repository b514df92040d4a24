// A TypeScript file of 500,000 nested parentheses (1 MB, under the 2 MiB code limit) overflowed the
// esbuild service's stack; the dead service then failed every later TypeScript request until restart.
// Now such source is refused before any parser sees it, and a dead esbuild service is replaced on the
// next call. Real HTTP face, real esbuild, real process kill.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/contract/limits.js';
import { transpileTypeScript, transpilerRestarts } from '../../src/languages/javascript/transpile.js';
import { post, useApp } from '../server/helpers.js';

const TS_MAIN = 'function main({ n }: { n: number }): number { return n * 2; }';
const parens = (depth: number) => `const x: number = ${'('.repeat(depth)}1${')'.repeat(depth)};\nconsole.log(x);`;

/** Pids of this process's esbuild service children, found through /proc. */
function esbuildChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--service=')) pids.push(Number(entry));
    } catch {
      // The process went away while we looked.
    }
  }
  return pids;
}

describe('deeply nested TypeScript', () => {
  const app = useApp();

  const runTs = (code: string, inputs: Record<string, unknown> = {}) => post(app(), { language: 'typescript', code, inputs });

  it('500,000 nested parentheses: a typed SyntaxError result, and TypeScript keeps working', async () => {
    const code = parens(500_000);
    expect(code.length).toBeGreaterThan(1_000_000);
    const res = await runTs(code);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'completed',
      return_code: 1,
      error: { type: 'exception', message: expect.stringMatching(new RegExp(`^SyntaxError: brackets nested more than ${LIMITS.sourceNesting} levels deep \\(main\\.ts:1:\\d+\\)`)) },
    });
    const after = await runTs(TS_MAIN, { n: 21 });
    expect(after.json()).toMatchObject({ status: 'completed', output: 42, error: null });
  });

  it('the same guard holds for JavaScript', async () => {
    const res = await post(app(), { language: 'javascript', code: parens(200_000).replace(': number', '') });
    expect(res.json().error).toMatchObject({ type: 'exception', message: expect.stringContaining('brackets nested more than') });
  });

  it('nesting under the limit still compiles and runs', async () => {
    const res = await runTs(parens(2_000));
    expect(res.json()).toMatchObject({ error: null, stdout: '1\n' });
  });

  it('a killed esbuild service is replaced on the next call, not left dead', async () => {
    expect((await transpileTypeScript('let a: number = 1;', 'warm.ts')).ok).toBe(true);
    const children = esbuildChildren();
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const restartsBefore = transpilerRestarts();
    const res = await runTs(`${TS_MAIN}\n// after the kill`, { n: 5 });
    expect(res.json()).toMatchObject({ status: 'completed', output: 10, error: null });
    expect(transpilerRestarts()).toBe(restartsBefore + 1);
    // Compile errors are still compile errors, not service failures.
    const bad = await runTs('let = ;');
    expect(bad.json().error.message).toMatch(/^SyntaxError: .*\(main\.ts:1:\d+\)$/);
    expect(transpilerRestarts()).toBe(restartsBefore + 1);
  });
});
