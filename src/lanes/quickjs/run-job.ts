/**
 * One execution in a QuickJS runtime and context that has never run user code: the bootstrapped heap
 * put back from its image (heap-image.ts). Nothing survives into the next job, because the heap (atoms,
 * globals, timers, files), the Wasm globals and the wrapper objects are put back again after it.
 */
import { callNumber } from './guest-calls.js';
import { memoryFailure, timeoutFailure } from '../failures.js';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import type { DriverHost, GuestFailure, GuestJob, GuestResult } from '../lane.js';
import { StreamCapture } from '../stream-capture.js';
import type { GuestHostState } from './guest-host.js';
import { runEventLoop, type LoopEnd } from './event-loop.js';
import type { PreparedContext } from './prepared-context.js';

export interface RunJobDeps {
  prepared: PreparedContext;
  host: DriverHost;
  /** Bundle of the job's npm packages (environment), evaluated before user code. */
  packagesSource?: string;
  /**
   * The environment's prebuild. The heap image is the bare lane's, so it runs in every execution
   * before the user's code (its time counts as setup), which gives the same starting state.
   */
  prebuildSource?: string;
  /** A batch item's input attachments: [path in the VFS, bytes]. */
  attachments?: [string, Uint8Array][];
}

export async function runJob(deps: RunJobDeps, job: GuestJob): Promise<GuestResult> {
  const setupStart = performance.now();
  const { prepared } = deps;
  const { runtime, ctx, internal, state } = prepared;
  const interrupt = deps.host.interrupt;
  // The flag may already say "deadline passed" (set while this job waited for the worker): keep it.
  if (interrupt) Atomics.store(interrupt, 0, Date.now() >= job.deadline ? 2 : 0);
  state.job = job;
  const output = job.streamOutput ? deps.host.output : undefined;
  state.stdout = new StreamCapture(job.limits.stdoutBytes, output && ((text) => output(job.id, 'stdout', text)));
  state.stderr = new StreamCapture(job.limits.stderrBytes, output && ((text) => output(job.id, 'stderr', text)));
  runtime.setMemoryLimit(job.memoryBytes);
  const owned: QuickJSHandle[] = [];
  const own = <T extends QuickJSHandle>(handle: T): T => (owned.push(handle), handle);
  let runStart = setupStart;
  try {
    const inputs = own(ctx.newString(job.inputsJson));
    const filename = own(ctx.newString(job.filename));
    // Without a request stdin the guest reads stdin from the inputs' own string (setJob falls back to
    // it): a second guest string of the inputs cost another whole copy, 10 MB for a 10 MiB input.
    const stdin = job.stdin === undefined ? ctx.undefined : own(ctx.newString(job.stdin));
    own(ctx.unwrapResult(ctx.callMethod(internal, 'setJob', [inputs, filename, stdin])));
    if (job.batch) {
      own(ctx.unwrapResult(ctx.callMethod(internal, 'setItem', [own(ctx.newString(job.batch.itemJson)), own(ctx.newNumber(job.batch.index))])));
      for (const [path, bytes] of deps.attachments ?? []) {
        own(ctx.unwrapResult(ctx.callMethod(internal, 'addFile', [own(ctx.newString(path)), own(ctx.newArrayBuffer(bytes.slice().buffer))])));
      }
    }
    if (deps.packagesSource) own(ctx.unwrapResult(ctx.evalCode(deps.packagesSource, 'isola:packages.js', { type: 'global' })));
    const timedOut = () => prepared.timedOut;
    const loop = { runtime, ctx, internal, state, deadline: job.deadline, timedOut };
    if (deps.prebuildSource !== undefined) {
      const prebuilt = ctx.evalCode(deps.prebuildSource, 'prebuild.js', { type: 'global' });
      if (prebuilt.error) {
        own(prebuilt.error);
        const [message, stack] = describe(ctx, internal, prebuilt.error);
        return resultOf(job, state, { exitCode: 1, failure: { type: 'package_install', message: `prebuild failed: ${message}`, traceback: stack } }, performance.now() - setupStart, 0);
      }
      own(prebuilt.value);
      const settled = await runEventLoop(loop);
      if (settled.kind !== 'idle') {
        if (settled.kind === 'uncaught') own(settled.error);
        return resultOf(job, state, { exitCode: 1, failure: { type: settled.kind === 'timeout' ? 'timeout' : 'package_install', message: `prebuild did not finish cleanly (${settled.kind})` } }, performance.now() - setupStart, 0);
      }
    }
    runStart = performance.now();
    const finish = (partial: Outcome): GuestResult => resultOf(job, state, partial, runStart - setupStart, performance.now() - runStart);
    // `raised` is the handle of an exception that an interrupt made moot: it still has to be freed.
    const failed = (end: LoopEnd | { kind: 'thrown'; error: QuickJSHandle }, raised?: QuickJSHandle) => {
      if (raised) own(raised);
      return finish(endToFailure(ctx, internal, state, end, job));
    };

    // 1. Evaluate the code (a module's top-level await is driven by the loop like any promise).
    const evaluated = ctx.evalCode(job.code, job.filename, { type: job.sourceType === 'module' ? 'module' : 'global' });
    if (evaluated.error) return failed(interrupted(state, timedOut()) ?? { kind: 'thrown', error: own(evaluated.error) }, evaluated.error);
    let namespace = own(evaluated.value);
    if (job.sourceType === 'module') {
      const settledModule = await awaitPromise(ctx, namespace, loop);
      if (settledModule.kind !== 'fulfilled') return failed(settledModule.end);
      namespace = own(settledModule.value);
    }

    if (job.mode !== 'main') {
      const end = await runEventLoop(loop);
      if (end.kind !== 'idle') return failed(end);
      return finish({ exitCode: callNumber(ctx, internal, 'finalExitCode', 1), ...readOutputFile(ctx, internal) });
    }

    // 2. Function mode: find main, call it with the inputs, await it, serialize its value. A batch
    // item calls execute(args, ctx) the same way.
    const entry = job.batch ? 'execute' : 'main';
    const main = own(findMain(ctx, internal, job.sourceType === 'module' ? namespace : undefined, entry));
    if (ctx.typeof(main) !== 'function') {
      const message = job.batch ? 'items were given but the code defines no execute(args, ctx) function' : 'entrypoint "main" was requested but the code defines no main function';
      return finish({ exitCode: 1, failure: { type: 'exception', message } });
    }
    const called = ctx.callMethod(internal, job.batch ? 'callExecute' : 'callMain', [main]);
    if (called.error) return failed(interrupted(state, timedOut()) ?? { kind: 'thrown', error: own(called.error) }, called.error);
    const settled = await awaitPromise(ctx, own(called.value), loop);
    if (settled.kind !== 'fulfilled') return failed(settled.end);
    const serialized = ctx.callMethod(internal, job.batch ? 'serializeItem' : 'serialize', [own(settled.value)]);
    if (serialized.error) {
      const [message] = describe(ctx, internal, own(serialized.error));
      return finish({ exitCode: 1, failure: { type: 'invalid_output', message: message.replace(/^InvalidOutputError: /, '') } });
    }
    const returnJson = ctx.getString(own(serialized.value));
    if (!job.batch) return finish({ exitCode: 0, returnJson });
    return { ...finish({ exitCode: 0, returnJson }), attachments: collectOutbox(ctx, internal) };
  } finally {
    // Handles go now, while the heap they point into is still this job's; the heap itself is put back
    // from the image by the driver while idle, so the answer does not wait for it.
    for (const handle of owned.reverse()) if (handle.alive) handle.dispose();
  }
}

type Awaited_ = { kind: 'fulfilled'; value: QuickJSHandle } | { kind: 'failed'; end: LoopEnd | { kind: 'thrown'; error: QuickJSHandle } };

/** Drive the loop until `promise` settles; a non-promise value counts as fulfilled. */
async function awaitPromise(ctx: QuickJSContext, promise: QuickJSHandle, loop: Parameters<typeof runEventLoop>[0]): Promise<Awaited_> {
  let state = ctx.getPromiseState(promise);
  if (state.type === 'pending') {
    const end = await runEventLoop(loop, () => !isPending(ctx, promise));
    if (end.kind !== 'settled') {
      if (end.kind !== 'idle') return { kind: 'failed', end };
      state = ctx.getPromiseState(promise);
      if (state.type === 'pending') {
        const error = ctx.newError({ name: 'Error', message: 'the promise never settled: it waits for nothing (no timers or I/O pending)' });
        return { kind: 'failed', end: { kind: 'thrown', error } };
      }
    }
    state = ctx.getPromiseState(promise);
  }
  if (state.type === 'fulfilled') return { kind: 'fulfilled', value: state.value };
  if (state.type === 'rejected') return { kind: 'failed', end: { kind: 'thrown', error: state.error } };
  return { kind: 'failed', end: { kind: 'timeout' } };
}

/** What a run decided; resultOf adds the captured streams and the timings. */
type Outcome = Pick<GuestResult, 'exitCode' | 'failure' | 'returnJson' | 'outputFileText'>;

function resultOf(job: GuestJob, state: GuestHostState, outcome: Outcome, setupMs: number, runMs: number): GuestResult {
  return {
    ...outcome,
    mode: job.mode === 'main' ? 'main' : 'script',
    stdout: state.stdout.text(),
    stderr: state.stderr.text(),
    stdoutTruncated: state.stdout.truncated,
    stderrTruncated: state.stderr.truncated,
    cache: 'hit',
    setupMs,
    runMs,
  };
}

function isPending(ctx: QuickJSContext, promise: QuickJSHandle): boolean {
  const state = ctx.getPromiseState(promise);
  if (state.type === 'fulfilled') state.value.dispose();
  else if (state.type === 'rejected') state.error.dispose();
  return state.type === 'pending';
}

function interrupted(state: GuestHostState, timedOut: boolean): LoopEnd | undefined {
  if (state.exitCode !== undefined) return { kind: 'exit' };
  if (timedOut) return { kind: 'timeout' };
  return undefined;
}

function endToFailure(
  ctx: QuickJSContext,
  internal: QuickJSHandle,
  state: GuestHostState,
  end: LoopEnd | { kind: 'thrown'; error: QuickJSHandle },
  job: GuestJob,
): { exitCode: number; failure?: GuestFailure; outputFileText?: string } {
  switch (end.kind) {
    case 'exit':
      return { exitCode: state.exitCode ?? 0, ...readOutputFile(ctx, internal) };
    case 'timeout':
      return timeoutFailure(job.timeoutMs);
    case 'idle':
    case 'settled':
      return { exitCode: 0 };
    case 'uncaught':
    case 'thrown': {
      const [message, stack] = describe(ctx, internal, end.error);
      if (end.error.alive) end.error.dispose();
      if (/^InternalError: out of memory/.test(message)) {
        return memoryFailure(job.memoryBytes);
      }
      state.stderr.write(`${stack}\n`);
      return { exitCode: 1, failure: { type: 'exception', message, traceback: stack } };
    }
  }
}

function describe(ctx: QuickJSContext, internal: QuickJSHandle, error: QuickJSHandle): [string, string] {
  const described = ctx.callMethod(internal, 'describeError', [error]);
  if (described.error) {
    described.error.dispose();
    return ['Error: an exception was thrown that could not be described', ''];
  }
  const pair = ctx.dump(described.value) as unknown;
  described.value.dispose();
  if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') return [pair[0], pair[1]];
  return ['Error: an exception was thrown that could not be described', ''];
}

function findMain(ctx: QuickJSContext, internal: QuickJSHandle, namespace: QuickJSHandle | undefined, entry: 'main' | 'execute'): QuickJSHandle {
  if (namespace === undefined) {
    // A global `function main` or top-level `const main = ...` (global lexical scope) is found by name.
    const byName = ctx.evalCode(`typeof ${entry} === "function" ? ${entry} : undefined`, `isola:${entry}.js`, { type: 'global' });
    if (!byName.error && ctx.typeof(byName.value) === 'function') return byName.value;
    if (byName.error) byName.error.dispose();
    else byName.value.dispose();
  }
  const found = ctx.callMethod(internal, entry === 'execute' ? 'findExecute' : 'findMain', [namespace ?? ctx.undefined]);
  if (found.error) {
    found.error.dispose();
    return ctx.undefined;
  }
  return found.value;
}

/** What ctx.binary.attach wrote to the outbox: bytes copied out of the guest heap, never through JSON. */
function collectOutbox(ctx: QuickJSContext, internal: QuickJSHandle): { name: string; bytes: Uint8Array }[] {
  const listed = ctx.callMethod(internal, 'outboxNames', []);
  if (listed.error) {
    listed.error.dispose();
    return [];
  }
  const names = ctx.dump(listed.value) as unknown;
  listed.value.dispose();
  if (!Array.isArray(names)) return [];
  const attachments: { name: string; bytes: Uint8Array }[] = [];
  for (const name of names) {
    if (typeof name !== 'string') continue;
    using nameHandle = ctx.newString(name);
    const file = ctx.callMethod(internal, 'outboxFile', [nameHandle]);
    if (file.error) {
      file.error.dispose();
      continue;
    }
    using buffer = file.value;
    using view = ctx.getArrayBuffer(buffer);
    attachments.push({ name, bytes: view.value.slice() });
  }
  return attachments;
}

function readOutputFile(ctx: QuickJSContext, internal: QuickJSHandle): { outputFileText?: string } {
  const result = ctx.callMethod(internal, 'readOutputFile', []);
  if (result.error) {
    result.error.dispose();
    return {};
  }
  const text = ctx.typeof(result.value) === 'string' ? ctx.getString(result.value) : undefined;
  result.value.dispose();
  return text === undefined ? {} : { outputFileText: text };
}
