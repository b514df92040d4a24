/**
 * From how a fresh instance ended to the lane protocol's result fields, for every guest of the wasi
 * lane. The platform's own stops come first (the deadline, the memory cap), then the guest's: an exit
 * code, a trap (the module's fault: `exception`), the call stack running out. Portable.
 */
import { memoryFailure, timeoutFailure } from '../failures.js';
import type { EntryMode, GuestFailure, GuestJob, GuestResult } from '../lane.js';
import type { StreamCapture } from '../stream-capture.js';
import type { InstanceEnd } from './fresh-instance.js';

/** How a run ended, a module's (fresh-instance.ts) or a component's (component-run.ts). */
export interface EndedRun {
  end: InstanceEnd;
  session: { stdout: StreamCapture; stderr: StreamCapture; outputFile(limit: number): { text: string } | { tooLarge: number } | undefined };
  deadlineRaised: boolean;
  memoryFull: boolean;
}

export type Mapped = Pick<GuestResult, 'exitCode' | 'mode' | 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated' | 'outputFileText' | 'failure'>;

export function mapInstanceRun(job: GuestJob, run: EndedRun, mode: EntryMode, what: string): Mapped {
  const { session, end } = run;
  const streams = { mode, stdout: session.stdout.text(), stderr: session.stderr.text(), stdoutTruncated: session.stdout.truncated, stderrTruncated: session.stderr.truncated };
  const fail = ({ exitCode, failure }: { exitCode: number; failure: GuestFailure }): Mapped => ({ ...streams, exitCode, failure });
  if (end.kind === 'too_large') return fail(memoryFailure(job.memoryBytes, undefined, `the ${what} needs ${Math.ceil(end.initialBytes / 2 ** 20)} MB of memory to start`));
  // A raised flag means the deadline passed while the guest ran: even one that then returned (a sleep
  // woken by the flag, then no loop to trap in) ran past it.
  if (run.deadlineRaised) return fail(timeoutFailure(job.timeoutMs));
  if (end.kind === 'trapped' && run.memoryFull) return fail(memoryFailure(job.memoryBytes));
  if (end.kind === 'trapped') {
    const message = end.stack ? `the ${what} ran out of call stack (unbounded recursion?)` : `the ${what} trapped: ${end.message}`;
    return fail({ exitCode: 1, failure: { type: 'exception', message } });
  }
  const exitCode = end.kind === 'exited' ? end.code : 0;
  if (exitCode !== 0 && run.memoryFull) return fail(memoryFailure(job.memoryBytes));
  const output = session.outputFile(job.limits.outputBytes);
  if (output && 'tooLarge' in output) {
    return fail({ exitCode, failure: { type: 'output_limit', message: `output.json is ${output.tooLarge} bytes; the limit is ${job.limits.outputBytes}` } });
  }
  return { ...streams, exitCode, ...(output ? { outputFileText: output.text } : {}) };
}
