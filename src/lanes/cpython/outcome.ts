/**
 * From what an execution reported (isola_lane.py's reply, the captured streams, how the turn ended) to
 * the lane protocol's GuestResult fields. The runner's result already follows the contract; this adds
 * the failures only the lane can see: the deadline, the memory cap, a broken interpreter.
 *
 * The reply is untrusted data: user code shares the interpreter with isola_lane.py, so it can send a
 * reply of its own through the door, break the glue before the real one is sent, or stop the
 * interpreter (os.abort, os._exit). Everything here is therefore read field by field against what the
 * runner can report, and whatever the guest can cause is the code's own failure ('exception'), never
 * 'internal': that type is kept for the host's own faults, which throw on the host side instead.
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
  /** The guest said main() returned and its value is being serialised (door op O). */
  serializing?: boolean;
}

/** The failure types the runner reports (isola_runner.py); any other claim is read as 'exception'. */
const GUEST_FAILURES = new Set<string>(['exception', 'invalid_output', 'invalid_input', 'output_limit', 'memory_limit']);

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
    if (seen.turn.kind === 'trapped' && /call stack/i.test(seen.turn.message) && seen.serializing) {
      return fail(1, { type: 'invalid_output', message: 'the return value of main() is nested too deeply to be serialised as JSON' });
    }
    if (seen.turn.kind === 'trapped' && /call stack/i.test(seen.turn.message)) {
      return fail(1, { type: 'exception', message: 'RecursionError: maximum recursion depth exceeded (the interpreter ran out of stack)' });
    }
    if (seen.turn.kind === 'trapped' && seen.turn.beforeStart) return fail(1, { type: 'internal', message: `the Python interpreter could not start the execution: ${seen.turn.message}` });
    // A trap here is the guest's doing (os.abort(), a C extension's crash); so is a turn that ended
    // without a result (the code replaced the lane's reply function). The next execution starts from
    // the image either way.
    const why = seen.turn.kind === 'trapped' ? `it trapped (${seen.turn.message}): os.abort() or a crash in C code` : 'the code stopped the lane from reporting a result';
    return fail(1, { type: 'exception', message: `the Python interpreter stopped without a result: ${why}` });
  }
  if (reply['interrupted'] === true) return timeout();
  if (reply['memory'] === true) return outOfMemory();
  if (typeof reply['lane_error'] === 'string') {
    return fail(1, { type: 'exception', message: `the lane could not run or report the code (did the code replace what the lane uses?): ${reply['lane_error'].slice(0, 500)}` });
  }

  const rawExit = reply['exit_code'];
  const exitCode = typeof rawExit === 'number' && Number.isInteger(rawExit) && rawExit >= 0 && rawExit <= 255 ? rawExit : 1;
  const returnJson = typeof reply['return_json'] === 'string' ? reply['return_json'] : undefined;
  const raw = reply['failure'];
  let failure: GuestFailure | undefined;
  if (raw && typeof raw === 'object') {
    const { type, message, traceback } = raw as Record<string, unknown>;
    failure = {
      type: typeof type === 'string' && GUEST_FAILURES.has(type) ? (type as GuestFailure['type']) : 'exception',
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
