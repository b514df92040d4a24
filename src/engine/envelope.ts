/**
 * Builds the response envelope from what a lane reported. One place decides the output precedence
 * (main's return value, then output.json, then stdout as JSON) and which failures are the platform's
 * (status "error") versus the code's own (status "completed" with a non-zero return_code). Portable.
 */
import { jsonTextExceedsDepth } from '../contract/json-checks.js';
import { LIMITS, utf8Length } from '../contract/limits.js';
import type { ExecuteResponse, LaneName, RunError } from '../contract/response.js';
import type { OutputCheck, OutputViolation } from '../contract/typed-io.js';
import type { EntryMode, GuestFailure, GuestResult } from '../lanes/lane.js';

/** Failures where the platform stopped the run; the code's exit status is then meaningless. */
const PLATFORM_FAILURES = new Set<RunError['type']>(['timeout', 'memory_limit', 'output_limit', 'internal', 'package_install', 'package_unavailable', 'cancelled']);

export interface EnvelopeContext {
  id: string;
  lane: LaneName;
  environmentHash: string;
  cache: 'hit' | 'miss';
  reason?: string;
  startedAt: number;
  queueMs: number;
  outputLimitBytes: number;
  /** Time spent building the environment on a cache miss; counted into setup_ms. */
  buildMs?: number;
  /** The request's output_schema and guards: run on the output of a run that ended cleanly. */
  outputCheck?: OutputCheck;
}

export function buildEnvelope(ctx: EnvelopeContext, result: GuestResult): ExecuteResponse {
  let failure: GuestFailure | undefined = result.failure;
  let output: unknown = null;
  let exitCode = result.exitCode;

  const parseOutput = (text: string, source: string): void => {
    const bytes = utf8Length(text);
    if (bytes > ctx.outputLimitBytes) {
      failure = { type: 'output_limit', message: `${source} is ${bytes} bytes; the limit is ${ctx.outputLimitBytes}` };
      return;
    }
    // JSON.parse is iterative, but everything after it (the HTTP reply, the CLI's print) serialises
    // recursively: a value nested 100,000 deep would fail there as a 500.
    if (jsonTextExceedsDepth(text)) {
      failure = { type: 'invalid_output', message: `${source} is nested more than ${LIMITS.jsonDepth} levels deep; the limit is ${LIMITS.jsonDepth}` };
      if (exitCode === 0) exitCode = 1;
      return;
    }
    try {
      output = JSON.parse(text);
    } catch (error) {
      failure = { type: 'invalid_output', message: `${source} is not valid JSON: ${(error as Error).message}` };
      if (exitCode === 0) exitCode = 1;
    }
  };

  if (!failure) {
    if (result.returnJson !== undefined) parseOutput(result.returnJson, 'the return value of main()');
    else if (result.outputFileText !== undefined) parseOutput(result.outputFileText, 'output.json');
  }

  let stdoutJson: unknown;
  let hasStdoutJson = false;
  const trimmed = result.stdout.trim();
  // stdout nested too deep is not offered as JSON (like text that is not JSON), for the same reason.
  if (!result.stdoutTruncated && trimmed.length > 0 && looksLikeJson(trimmed) && !jsonTextExceedsDepth(trimmed)) {
    try {
      stdoutJson = JSON.parse(trimmed);
      hasStdoutJson = true;
    } catch {
      hasStdoutJson = false;
    }
  }
  if (!failure && result.returnJson === undefined && result.outputFileText === undefined && hasStdoutJson) output = stdoutJson;

  // Only a run that ended cleanly has an output to hold to the schema; a failed run keeps its own error.
  let violation: OutputViolation | undefined;
  if (!failure && exitCode === 0 && ctx.outputCheck) {
    violation = ctx.outputCheck(output);
    if (violation) {
      const at = violation.pointer === '' ? 'output' : `output ${violation.pointer}`;
      failure = { type: 'invalid_output', message: `${at}: ${violation.message}` };
      exitCode = 1;
      output = null;
    }
  }

  const platformStopped = failure !== undefined && PLATFORM_FAILURES.has(failure.type);
  const finishedAt = Date.now();
  const error: RunError | null = failure
    ? { type: failure.type, message: failure.message, ...(failure.traceback ? { traceback: failure.traceback } : {}), ...(violation ? { pointer: violation.pointer, rule: violation.rule } : {}) }
    : null;
  return {
    id: ctx.id,
    status: platformStopped ? 'error' : 'completed',
    return_code: platformStopped ? null : exitCode,
    output: platformStopped ? null : output,
    stdout: result.stdout,
    stderr: result.stderr,
    stdout_truncated: result.stdoutTruncated,
    stderr_truncated: result.stderrTruncated,
    ...(hasStdoutJson ? { stdout_json: stdoutJson } : {}),
    error,
    started_at: new Date(ctx.startedAt).toISOString(),
    finished_at: new Date(finishedAt).toISOString(),
    elapsed_ms: finishedAt - ctx.startedAt,
    timings: { queue_ms: round(ctx.queueMs), setup_ms: round(result.setupMs + (ctx.buildMs ?? 0)), run_ms: round(result.runMs) },
    environment: {
      lane: ctx.lane,
      hash: ctx.environmentHash,
      cache: result.cache === 'miss' || ctx.cache === 'miss' ? 'miss' : 'hit',
      mode: result.mode,
      ...(ctx.reason ? { reason: ctx.reason } : {}),
    },
  };
}

/** A result for a run that never reached a lane (TS syntax error, platform failure before start). */
export function resultWithoutRun(mode: EntryMode, failure: GuestFailure, exitCode: number, stderr = ''): GuestResult {
  return { exitCode, mode, stdout: '', stderr, stdoutTruncated: false, stderrTruncated: false, failure, cache: 'hit', setupMs: 0, runMs: 0 };
}

function looksLikeJson(text: string): boolean {
  const first = text.charCodeAt(0);
  // { [ " - digits t f n: skip the parse attempt for ordinary log text.
  return first === 123 || first === 91 || first === 34 || first === 45 || (first >= 48 && first <= 57) || text === 'true' || text === 'false' || text === 'null';
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
