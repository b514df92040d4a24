/** Running the harness's own child scripts (bench/child/*) and reading their reports. */
import { childScriptArgs, lastJsonLine, repoRoot, runProcess } from './process.js';
import { SkipMeasurement } from './measure.js';
import type { ChildReport } from './child/report.js';

export interface ChildRun {
  report: ChildReport;
  /** Wall clock of the whole child, from spawn to exit: what a user starting a process would wait. */
  ms: number;
}

/** A child that has not answered by then is hung, not slow: kill it and fail the row. */
const CHILD_TIMEOUT_MS = 10 * 60_000;

export async function runChild(name: string, args: readonly string[], nodeFlags: readonly string[] = [], timeoutMs = CHILD_TIMEOUT_MS): Promise<ChildRun> {
  const result = await runProcess(process.execPath, [...nodeFlags, ...childScriptArgs(name), ...args], {
    cwd: repoRoot(),
    killAfterMs: timeoutMs,
  });
  if (result.signal === 'SIGKILL') throw new Error(`bench child ${name} did not finish within ${timeoutMs / 1000} s`);
  const report = lastJsonLine<ChildReport>(`bench child ${name} ${args.join(' ').slice(0, 80)}`, result);
  if (report.skip !== undefined) throw new SkipMeasurement(report.skip);
  return { report, ms: result.ms };
}
