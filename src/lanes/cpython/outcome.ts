/**
 * From what an execution reported (isola_lane.py's reply, the captured streams, how the turn ended) to
 * the lane protocol's GuestResult fields. The runner's result already follows the contract; this adds
 * the failures only the lane can see: the deadline, the memory cap, a broken interpreter.
 */
import { memoryFailure, timeoutFailure } from '../failures.js';
import type { EntryMode, GuestFailure, GuestJob, GuestResult } from '../lane.js';
import type { TurnOutcome } from './interpreter.js';

export type Mapped = Pick<GuestResult, 'exitCode' | 'mode' | 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated' | 'returnJson' | 'failure'>;

export interface Observed {
  reply: Record<string, unknown> | undefined;
  turn: TurnOutcome;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  deadlineRaised: boolean;
  /** Linear memory plus files reached the execution's limit. */
  memoryFull: boolean;
}

export function mapOutcome(job: GuestJob, seen: Observed): Mapped {
  const reply = seen.reply;
  const replyMode = reply?.['mode'];
  const mode: EntryMode = replyMode === 'main' || replyMode === 'script' ? replyMode : job.mode === 'main' ? 'main' : 'script';
  const streams = { stdout: seen.stdout, stderr: seen.stderr, stdoutTruncated: seen.stdoutTruncated, stderrTruncated: seen.stderrTruncated };
  const fail = (exitCode: number, failure: GuestFailure): Mapped => ({ exitCode, mode, ...streams, failure });
  const timeout = () => {
    const { exitCode, failure } = timeoutFailure(job.timeoutMs);
    return fail(exitCode, failure);
  };
  const outOfMemory = (traceback?: string) => {
    const { exitCode, failure } = memoryFailure(job.memoryBytes, traceback);
    return fail(exitCode, failure);
  };

  if (!reply) {
    if (seen.deadlineRaised) return timeout();
    if (seen.memoryFull) return outOfMemory();
    if (seen.turn.kind === 'exited') return fail(seen.turn.code, { type: 'exception', message: `the interpreter exited with code ${seen.turn.code}` });
    if (seen.turn.kind === 'trapped' && /call stack/i.test(seen.turn.message)) {
      return fail(1, { type: 'exception', message: 'RecursionError: maximum recursion depth exceeded (the interpreter ran out of stack)' });
    }
    const why = seen.turn.kind === 'trapped' ? `it trapped (${seen.turn.message})` : `it returned ${seen.turn.code} without a result`;
    return fail(1, { type: 'internal', message: `the Python interpreter failed: ${why}` });
  }
  if (reply['interrupted'] === true) return timeout();
  if (reply['memory'] === true) return outOfMemory();
  if (typeof reply['internal'] === 'string') return fail(1, { type: 'internal', message: `cpython lane: ${reply['internal']}` });

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
    if (failure.type === 'memory_limit') return outOfMemory(failure.traceback);
  }
  return { exitCode, mode, ...streams, ...(returnJson !== undefined ? { returnJson } : {}), ...(failure ? { failure } : {}) };
}

export function isPlatformFailure(failure: GuestFailure | undefined): boolean {
  return failure?.type === 'timeout' || failure?.type === 'memory_limit' || failure?.type === 'internal';
}
