/**
 * Log lines a guest can cause are budgeted per execution: a job that makes 300 denied requests must not
 * write 300 warn lines (log volume is the operator's cost, and a flood hides other tenants' events).
 * The first `perExecution` lines of a job are written; the rest are counted, and the count is reported
 * in one summary line when the job is released. Metrics still see every event.
 */
export interface LogBudget {
  /** Whether one more line of this job may be written; counts the line either way. */
  take(jobId: string): boolean;
  /** Forget the job; returns how many of its lines were held back. */
  release(jobId: string): number;
}

export const DEFAULT_LOG_LINES_PER_EXECUTION = 5;

export function createLogBudget(perExecution: number = DEFAULT_LOG_LINES_PER_EXECUTION): LogBudget {
  const seen = new Map<string, number>();
  return {
    take(jobId) {
      const count = (seen.get(jobId) ?? 0) + 1;
      seen.set(jobId, count);
      return count <= perExecution;
    },
    release(jobId) {
      const count = seen.get(jobId) ?? 0;
      seen.delete(jobId);
      return Math.max(0, count - perExecution);
    },
  };
}
