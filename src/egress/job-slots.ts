/**
 * Per-job concurrency limit for the bridge. Without it one guest could start its whole request budget
 * at once (`Promise.all` of 100 fetches) and make the host hold 100 capped bodies in memory together;
 * with it, a job's peak is `slots x maxResponseBytes`. Waiters queue in order; a waiter whose signal
 * aborts (deadline) leaves the queue.
 */

export interface JobSlots {
  /** Resolves true with a slot held, or false if the signal aborted first. */
  acquire(jobId: string, signal: AbortSignal): Promise<boolean>;
  /** Give back a slot taken by a successful acquire. */
  free(jobId: string): void;
}

interface JobState {
  active: number;
  waiting: (() => void)[];
}

export function createJobSlots(perJob: number): JobSlots {
  const jobs = new Map<string, JobState>();

  return {
    acquire(jobId, signal) {
      if (signal.aborted) return Promise.resolve(false);
      let state = jobs.get(jobId);
      if (!state) {
        state = { active: 0, waiting: [] };
        jobs.set(jobId, state);
      }
      if (state.active < perJob) {
        state.active++;
        return Promise.resolve(true);
      }
      const current = state;
      return new Promise<boolean>((resolve) => {
        const onAbort = (): void => {
          const index = current.waiting.indexOf(grant);
          if (index >= 0) current.waiting.splice(index, 1);
          resolve(false);
        };
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          current.active++;
          resolve(true);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        current.waiting.push(grant);
      });
    },
    free(jobId) {
      const state = jobs.get(jobId);
      if (!state) return;
      state.active--;
      const next = state.waiting.shift();
      if (next) next();
      else if (state.active === 0) jobs.delete(jobId);
    },
  };
}
