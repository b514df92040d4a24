/**
 * A fresh QuickJS runtime and context with the bootstrap already evaluated, built while the worker is
 * idle so that a job does not wait for it. It has never run user code: preparing it early changes when
 * the work happens, not what the job starts from. Each one serves exactly one job and is then freed.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { DriverHost } from '../lane.js';
import { StreamCapture } from '../stream-capture.js';
import { installGuestHost, type GuestHostState } from './guest-host.js';
import { installModuleLoader } from './module-loader.js';

export interface PreparedContext {
  runtime: QuickJSRuntime;
  ctx: QuickJSContext;
  internal: QuickJSHandle;
  state: GuestHostState;
  /** Set by the interrupt handler when it stopped the guest for the deadline. */
  timedOut: boolean;
  dispose(): void;
}

export interface PrepareDeps {
  module: QuickJSWASMModule;
  host: DriverHost;
  bootstrapSource: string;
  libSource: (name: string) => string | undefined;
  stackSizeBytes: number;
}

export function prepareContext(deps: PrepareDeps): PreparedContext {
  const interrupt = deps.host.interrupt;
  const runtime = deps.module.newRuntime();
  const state: GuestHostState = {
    job: undefined,
    stdout: new StreamCapture(0),
    stderr: new StreamCapture(0),
    exitCode: undefined,
    pending: 0,
    wake: () => {},
    deferreds: new Set(),
  };
  let ctx: QuickJSContext | undefined;
  try {
    runtime.setMaxStackSize(deps.stackSizeBytes);
    const prepared: PreparedContext = {
      runtime,
      ctx: (ctx = runtime.newContext()),
      internal: undefined as unknown as QuickJSHandle,
      state,
      timedOut: false,
      dispose() {
        for (const deferred of state.deferreds) if (deferred.alive) deferred.dispose();
        state.deferreds.clear();
        if (prepared.internal?.alive) prepared.internal.dispose();
        prepared.ctx.dispose();
        runtime.dispose();
      },
    };
    runtime.setInterruptHandler(() => {
      if (state.exitCode !== undefined) return true;
      const job = state.job;
      if (job && (Date.now() >= job.deadline || (interrupt !== undefined && Atomics.load(interrupt, 0) !== 0))) {
        prepared.timedOut = true;
        return true;
      }
      return false;
    });
    installGuestHost(ctx, deps.host, state, deps.libSource);
    installModuleLoader(runtime, ctx);
    prepared.internal = ctx.unwrapResult(ctx.evalCode(deps.bootstrapSource, 'isola:bootstrap.js', { type: 'global' }));
    return prepared;
  } catch (error) {
    ctx?.dispose();
    runtime.dispose();
    throw error;
  }
}
