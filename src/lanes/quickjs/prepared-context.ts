/**
 * The one QuickJS runtime and context of a module, bootstrapped once and imaged (heap-image.ts): before
 * each job the heap, the Wasm globals and the wrapper objects are put back as they were right after
 * the bootstrap, so every job starts from a runtime+context that has never run user code, without
 * paying for a new one (0.28 ms) and for the bootstrap (1.2 ms) each time.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { DriverHost } from '../lane.js';
import { callNumber } from './guest-calls.js';
import { StreamCapture } from '../stream-capture.js';
import type { CappedModule } from './capped-module.js';
import { installGuestHost, type GuestHostState } from './guest-host.js';
import { HeapImage } from './heap-image.js';
import { installModuleLoader } from './module-loader.js';

export interface PreparedContext {
  runtime: QuickJSRuntime;
  ctx: QuickJSContext;
  internal: QuickJSHandle;
  state: GuestHostState;
  image: HeapImage;
  /** Set by the interrupt handler when it stopped the guest for the deadline. */
  timedOut: boolean;
  /** Whether a job ran since the image was taken or last put back. */
  used: boolean;
  /** Puts the heap back from the image and forgets the last job's host-side state. */
  reset(): void;
  /** Marks the context used and gives it a fresh Math.random seed: call right before a job. */
  begin(): void;
}

export interface PrepareDeps {
  capped: CappedModule;
  host: DriverHost;
  bootstrapSource: string;
  libSource: (name: string) => string | undefined;
  stackSizeBytes: number;
  /** An environment's packages, evaluated and required into the image after the bootstrap. */
  packages?: PackagesPreload;
}

/**
 * An npm environment baked into the image: its bundle is evaluated and each requested package
 * required (its module code run, its exports cached by `require`) before the heap is imaged, so every
 * execution of that environment starts with the packages loaded, as a fresh context that had just
 * loaded them would, without paying for it (lodash: ~40 ms of parse and evaluation).
 */
export interface PackagesPreload {
  source: string;
  names: readonly string[];
  /** How long loading may take; past it the interrupt handler stops it and the preload is refused. */
  budgetMs: number;
  /** The memory cap loading runs under (the asking job's). */
  memoryBytes: number;
}

/** The packages could not be baked into an image; the caller loads them in each execution instead. */
export class PreloadRefused extends Error {}

export function prepareContext(deps: PrepareDeps): PreparedContext {
  const interrupt = deps.host.interrupt;
  const { module } = deps.capped;
  const runtime = module.newRuntime();
  const state: GuestHostState = {
    job: undefined,
    stdout: new StreamCapture(0),
    stderr: new StreamCapture(0),
    exitCode: undefined,
    pending: 0,
    wake: () => {},
    deferreds: new Set(),
    generation: 0,
  };
  runtime.setMaxStackSize(deps.stackSizeBytes);
  const ctx = runtime.newContext();
  let preloadUntil: number | undefined;
  runtime.setInterruptHandler(() => {
    if (state.exitCode !== undefined) return true;
    if (preloadUntil !== undefined && Date.now() >= preloadUntil) return true;
    const job = state.job;
    if (job && (Date.now() >= job.deadline || (interrupt !== undefined && Atomics.load(interrupt, 0) !== 0))) {
      prepared.timedOut = true;
      return true;
    }
    return false;
  });
  installGuestHost(ctx, deps.host, state, deps.libSource);
  installModuleLoader(runtime, ctx);
  const internal = ctx.unwrapResult(ctx.evalCode(deps.bootstrapSource, 'isola:bootstrap.js', { type: 'global' }));
  if (deps.packages) {
    preloadUntil = Date.now() + deps.packages.budgetMs;
    try {
      preloadPackages(runtime, ctx, internal, state, deps.packages);
    } finally {
      preloadUntil = undefined;
    }
  }
  // Quiescent: no host call in flight and no handle but `internal` (kept for good) outside the heap.
  const emscripten = (module as unknown as { module: object; ffi: object });
  const image = HeapImage.capture(deps.capped, runtime, ctx, [emscripten.module, emscripten.ffi, state]);
  const prepared: PreparedContext = {
    runtime,
    ctx,
    internal,
    state,
    image,
    timedOut: false,
    used: false,
    reset() {
      // The last job's promises for host operations live in the memory being rewritten: drop them
      // unfreed (freeing them would write into the restored heap) and let late answers fall away.
      state.deferreds.clear();
      state.generation++;
      state.job = undefined;
      state.exitCode = undefined;
      state.pending = 0;
      state.wake = () => {};
      state.stdout = new StreamCapture(0);
      state.stderr = new StreamCapture(0);
      prepared.timedOut = false;
      image.restore();
      prepared.used = false;
    },
    begin() {
      prepared.used = true;
      image.reseed();
    },
  };
  return prepared;
}

/**
 * Evaluates the bundle and requires each package. Refused (PreloadRefused) unless loading ends
 * quiescent: no error, no pending promise job, no host call in flight and no timer, since the image
 * can hold none of those for a later execution. A package whose loading is refused is then loaded in
 * each execution, as before: same result, only slower.
 */
function preloadPackages(runtime: QuickJSRuntime, ctx: QuickJSContext, internal: QuickJSHandle, state: GuestHostState, packages: PackagesPreload): void {
  const attempt = (code: string, filename: string): void => {
    const result = ctx.evalCode(code, filename, { type: 'global' });
    if (result.error) {
      const message = ctx.dump(result.error);
      result.error.dispose();
      throw new PreloadRefused(`${filename}: ${typeof message === 'object' ? JSON.stringify(message) : String(message)}`);
    }
    result.value.dispose();
  };
  attempt(packages.source, 'isola:packages.js');
  attempt(`for (const name of ${JSON.stringify(packages.names)}) require(name);`, 'isola:preload.js');
  const jobs = runtime.executePendingJobs();
  if (jobs.error) {
    jobs.error.dispose();
    throw new PreloadRefused('a package rejected a promise while loading');
  }
  if (runtime.hasPendingJob()) throw new PreloadRefused('a package left promise jobs pending');
  if (state.pending > 0 || state.deferreds.size > 0) throw new PreloadRefused('a package left a host call in flight');
  if (callNumber(ctx, internal, 'nextTimerAt', -1) >= 0) throw new PreloadRefused('a package scheduled a timer while loading');
}
