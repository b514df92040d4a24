/**
 * From what the realm reported (lane.py's reply, the captured streams, what went wrong in between) to
 * the lane protocol's GuestResult fields. The runner's result already follows the contract; this adds
 * the failures only the lane can see: deadlines, the memory cap, a broken interpreter.
 */
import type { EntryMode, GuestFailure, GuestJob, GuestResult } from '../lane.js';
import type { InvokeOutcome } from './realm.js';

export interface Prefix {
  stdout: string;
  stderr: string;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
}

type Mapped = Pick<GuestResult, 'exitCode' | 'mode' | 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated' | 'returnJson' | 'failure'>;

export function withPrefix(outcome: InvokeOutcome, prefix: Prefix): InvokeOutcome {
  if (!prefix.stdout && !prefix.stderr && !prefix.stdoutTruncated && !prefix.stderrTruncated) return outcome;
  return {
    ...outcome,
    stdout: prefix.stdout + outcome.stdout,
    stderr: prefix.stderr + outcome.stderr,
    stdoutTruncated: outcome.stdoutTruncated || prefix.stdoutTruncated === true,
    stderrTruncated: outcome.stderrTruncated || prefix.stderrTruncated === true,
  };
}

export function mapOutcome(job: GuestJob, outcome: InvokeOutcome, signals: { interrupted: boolean; deadlinePassed: boolean }): Mapped {
  const reply = outcome.reply;
  const replyMode = reply?.['mode'];
  const mode: EntryMode = replyMode === 'main' || replyMode === 'script' ? replyMode : job.mode === 'main' ? 'main' : 'script';
  const streams = {
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    stdoutTruncated: outcome.stdoutTruncated,
    stderrTruncated: outcome.stderrTruncated,
  };
  const fail = (exitCode: number, failure: GuestFailure): Mapped => ({ exitCode, mode, ...streams, failure });
  const timeout = () => fail(124, { type: 'timeout', message: `execution exceeded its ${job.timeoutMs} ms deadline` });
  const outOfMemory = (traceback?: string) =>
    fail(137, {
      type: 'memory_limit',
      message: `out of memory: the ${Math.round(job.memoryBytes / 2 ** 20)} MB memory limit was reached`,
      ...(traceback ? { traceback } : {}),
    });

  if (!reply) {
    if (signals.interrupted || signals.deadlinePassed || /KeyboardInterrupt/.test(outcome.thrown)) return timeout();
    if (outcome.memoryCapHit || /MemoryError/.test(outcome.thrown)) return outOfMemory();
    // The host stack ran out under deeply nested C calls (e.g. json.dumps of a 50,000-deep list) before
    // Python's own recursion check: the user's error, reported like Python's. The realm is replaced.
    if (/Maximum call stack size exceeded/.test(outcome.thrown)) {
      return fail(1, { type: 'exception', message: 'RecursionError: maximum recursion depth exceeded (the interpreter ran out of stack)' });
    }
    return fail(1, { type: 'internal', message: `the Python interpreter failed: ${outcome.thrown || 'no result'}` });
  }
  if (reply['interrupted'] === true) return timeout();
  if (reply['memory'] === true) return outOfMemory();
  if (typeof reply['internal'] === 'string') return fail(1, { type: 'internal', message: `pyodide lane: ${reply['internal']}` });

  const exitCode = typeof reply['exit_code'] === 'number' ? reply['exit_code'] : 1;
  const returnJson = typeof reply['return_json'] === 'string' ? reply['return_json'] : undefined;
  const raw = reply['failure'];
  let failure: GuestFailure | undefined;
  if (raw && typeof raw === 'object') {
    const { type, message, traceback } = raw as Record<string, unknown>;
    failure = {
      type: typeof type === 'string' ? (type as GuestFailure['type']) : 'exception',
      message: typeof message === 'string' ? message : 'unknown error',
      ...(typeof traceback === 'string' && traceback ? { traceback } : {}),
    };
    if (failure.type === 'memory_limit' && outcome.memoryCapHit) return outOfMemory(failure.traceback);
  }
  return { exitCode, mode, ...streams, ...(returnJson !== undefined ? { returnJson } : {}), ...(failure ? { failure } : {}) };
}
