/**
 * Turns what a finished native job left behind (exit status, the runner's result on fd 3, captured
 * streams, whether the deadline fired) into a GuestResult. Portable: no I/O here.
 *
 * Only the result document on fd 3 is trusted for the outcome, and even it can only claim the failure
 * types a guest can cause itself (exception, invalid_output, invalid_input, output_limit, memory_limit): timeouts and
 * kills are decided here from what the host saw, so no guest can forge them either way.
 */
import { MEMORY_EXIT_CODE, memoryFailure, timeoutFailure } from '../failures.js';
import { z } from 'zod';
import type { EntryMode, GuestJob, GuestResult } from '../lane.js';
import type { CappedBytes } from './capped-bytes.js';
import type { NativeRuntime } from './guest-command.js';

const RunnerResultSchema = z.object({
  mode: z.enum(['script', 'main']),
  exit_code: z.number().int(),
  return_json: z.string().nullable(),
  failure: z
    .object({
      type: z.enum(['exception', 'invalid_output', 'invalid_input', 'output_limit', 'memory_limit']),
      message: z.string(),
      traceback: z.string().nullable(),
    })
    .nullable(),
  output_file_text: z.string().optional(),
  output_file_bytes: z.number().int().optional(),
});
export type RunnerResult = z.infer<typeof RunnerResultSchema>;

export interface JobEnd {
  /** Exit code of the sandbox (bwrap passes the guest's through), or null when killed by a signal. */
  code: number | null;
  signal: string | null;
  /** The host killed the job at its deadline. */
  timedOut: boolean;
  /** Bytes written to fd 3. */
  result: CappedBytes;
  stdout: CappedBytes;
  stderr: CappedBytes;
  setupMs: number;
  runMs: number;
  runtime: NativeRuntime;
  /** Mode to report when the runner left no result (the host's decision, or the job's). */
  fallbackMode: EntryMode;
}

/** Exit code reported for a run the host or the kernel stopped (128 + SIGKILL, as shells report it). */
const KILLED_EXIT_CODE = MEMORY_EXIT_CODE;

const ModeHintSchema = z.object({ mode: z.enum(['script', 'main']) });

/**
 * fd 3 carries JSON lines: the Python runner announces its entry mode first, and the result comes last.
 * Returns the result (if the runner got that far) and the announced mode (if any).
 */
export function parseRunnerOutput(text: string): { result?: RunnerResult; mode?: EntryMode } {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const result = RunnerResultSchema.safeParse(parseJson(lines.at(-1)));
  const hint = ModeHintSchema.safeParse(parseJson(lines[0]));
  return { ...(result.success ? { result: result.data } : {}), ...(hint.success ? { mode: hint.data.mode } : {}) };
}

function parseJson(line: string | undefined): unknown {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined; // the runner never finished writing (killed) or the guest scribbled on fd 3
  }
}

export function jobOutcome(job: GuestJob, end: JobEnd): GuestResult {
  const output = end.result.truncated ? {} : parseRunnerOutput(end.result.text());
  const runner = output.result;
  const base: GuestResult = {
    exitCode: 0,
    mode: runner?.mode ?? output.mode ?? end.fallbackMode,
    stdout: end.stdout.text(),
    stderr: end.stderr.text(),
    stdoutTruncated: end.stdout.truncated,
    stderrTruncated: end.stderr.truncated,
    cache: 'hit', // the worker entry says 'miss' when this job ran the environment's prebuild
    setupMs: end.setupMs,
    runMs: end.runMs,
  };
  if (end.timedOut) {
    return { ...base, ...timeoutFailure(job.timeoutMs) };
  }
  if (runner) return withRunner(base, runner, job);
  // bwrap reports a guest killed by signal N as exit code 128 + N.
  const signal = end.signal ?? (end.code !== null && end.code > 128 ? signalName(end.code - 128) : null);
  if (signal === 'SIGXCPU') {
    return { ...base, ...timeoutFailure(job.timeoutMs, 'its CPU time limit') };
  }
  if (signal === 'SIGKILL') {
    // Not ours (the deadline did not fire): the kernel's hard limits, in practice memory.
    return { ...base, ...memoryFailure(job.memoryBytes, undefined, 'the kernel killed the process') };
  }
  if (signal === 'SIGABRT' && end.runtime === 'node') {
    // V8 aborts the process when the heap reaches --max-old-space-size.
    return { ...base, ...memoryFailure(job.memoryBytes, undefined, 'JavaScript heap') };
  }
  if (signal !== null) {
    return {
      ...base,
      exitCode: end.code ?? KILLED_EXIT_CODE,
      failure: { type: 'exception', message: `The process was terminated by ${signal}` },
    };
  }
  const code = end.code ?? 1;
  if (code === 0) return { ...base, exitCode: 0 };
  return {
    ...base,
    exitCode: code,
    failure: { type: 'exception', message: `The process exited with code ${code} before reporting a result` },
  };
}

function withRunner(base: GuestResult, runner: RunnerResult, job: GuestJob): GuestResult {
  const result: GuestResult = { ...base, exitCode: runner.exit_code };
  if (runner.return_json !== null) result.returnJson = runner.return_json;
  if (runner.output_file_text !== undefined) result.outputFileText = runner.output_file_text;
  if (runner.failure?.type === 'memory_limit') {
    // The runtime's own words (MemoryError, a failed allocation) stay in the traceback.
    return { ...result, ...memoryFailure(job.memoryBytes, runner.failure.traceback ?? runner.failure.message) };
  }
  if (runner.failure) {
    result.failure = { type: runner.failure.type, message: runner.failure.message };
    if (runner.failure.traceback !== null) result.failure.traceback = runner.failure.traceback;
  } else if (runner.output_file_text === undefined && runner.output_file_bytes !== undefined) {
    result.failure = {
      type: 'output_limit',
      message: `output.json is ${runner.output_file_bytes} bytes, over the output limit of ${job.limits.outputBytes} bytes`,
    };
  }
  return result;
}

const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS',
};

function signalName(number: number): string | null {
  return SIGNAL_NAMES[number] ?? null;
}
