/**
 * The guest's event loop: run microtasks, then sleep until the next guest timer or host operation, until
 * nothing is pending, the awaited promise settles, process.exit() was called, or the deadline passes.
 * Time waiting here is real time: a guest setTimeout(fn, 500) really waits 500 ms, within the deadline.
 */
import { callNumber } from './guest-calls.js';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { GuestHostState } from './guest-host.js';

export type LoopEnd =
  | { kind: 'idle' }
  | { kind: 'settled' }
  | { kind: 'exit' }
  | { kind: 'timeout' }
  /** An exception escaped a timer callback or a job: Node would crash the process with it. */
  | { kind: 'uncaught'; error: QuickJSHandle };

export interface LoopDeps {
  runtime: QuickJSRuntime;
  ctx: QuickJSContext;
  internal: QuickJSHandle;
  state: GuestHostState;
  deadline: number;
  timedOut: () => boolean;
}

export async function runEventLoop(deps: LoopDeps, settled?: () => boolean): Promise<LoopEnd> {
  const { runtime, ctx, internal, state } = deps;
  for (;;) {
    const jobs = runtime.executePendingJobs(-1);
    if (jobs.error) {
      if (state.exitCode !== undefined) {
        jobs.error.dispose();
        return { kind: 'exit' };
      }
      if (deps.timedOut()) {
        jobs.error.dispose();
        return { kind: 'timeout' };
      }
      return { kind: 'uncaught', error: jobs.error };
    }
    if (state.exitCode !== undefined) return { kind: 'exit' };
    if (deps.timedOut() || Date.now() >= deps.deadline) return { kind: 'timeout' };
    if (settled?.()) return { kind: 'settled' };

    const nextAt = callNumber(ctx, internal, 'nextTimerAt', -1);
    // Unref'd timers (AbortSignal.timeout, timer.unref()) fire while something else is pending but do
    // not keep the run alive on their own, as in Node.
    if ((nextAt < 0 || callNumber(ctx, internal, 'hasRefTimers', 0) !== 1) && state.pending === 0) return { kind: 'idle' };

    const now = Date.now();
    const until = Math.min(nextAt < 0 ? Number.POSITIVE_INFINITY : nextAt, deps.deadline);
    if (until > now) await sleepOrWake(until - now, state);
    if (Date.now() >= deps.deadline) return { kind: 'timeout' };
    if (nextAt >= 0 && Date.now() >= nextAt) {
      const fire = ctx.newNumber(Date.now());
      const ran = ctx.callMethod(internal, 'runTimers', [fire]);
      fire.dispose();
      if (ran.error) {
        if (state.exitCode !== undefined) {
          ran.error.dispose();
          return { kind: 'exit' };
        }
        if (deps.timedOut()) {
          ran.error.dispose();
          return { kind: 'timeout' };
        }
        return { kind: 'uncaught', error: ran.error };
      }
      ran.value.dispose();
    }
  }
}

/** Sleep for `ms`, or less if a host operation settles first. */
function sleepOrWake(ms: number, state: GuestHostState): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const previousWake = state.wake;
    function done() {
      clearTimeout(timer);
      state.wake = previousWake;
      resolve();
    }
    state.wake = done;
  });
}
