/**
 * A minimal QuickJS host for testing the guest libraries (runtimes/quickjs/lib/*.js) in a real
 * interpreter, independent of the lane driver: it provides the `__isolaHost` door bootstrap.js expects,
 * evaluates bootstrap.js, then runs test code as the body of an async function and returns its
 * JSON-serialized result together with what the guest wrote to stdout/stderr.
 *
 * Test code sees `lib(name)` (bootstrap's internal.lib) and `internal`, so a library is exercised
 * directly, whatever `require` maps to; globals such as URL and Buffer come through bootstrap's getters.
 * Library names follow the driver's rule (/^[a-z][a-z0-9_-]{0,40}$/, looked up in lib/ then core/).
 *
 * Each `run()` uses a fresh runtime and context, like one execution.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten-core';

// The package's types are CommonJS-shaped, so under NodeNext the default import types as the module
// object; at runtime the ESM default is the variant itself (same cast as src/lanes/quickjs/worker-entry.ts).
const variant = releaseSync as unknown as QuickJSSyncVariant;

// ISOLA_QJS_RUNTIMES points the harness at another copy of runtimes/quickjs (to try a bootstrap change
// against every library test before proposing it).
const runtimeDir = process.env['ISOLA_QJS_RUNTIMES'] ?? fileURLToPath(new URL('../../../runtimes/quickjs/', import.meta.url));

/** What the stubbed host fetch answers: the JSON the guest's internal.hostFetch resolves with. */
export type HostFetch = (request: HostFetchRequest, body: Uint8Array | undefined) => Promise<unknown> | unknown;
export interface HostFetchRequest {
  url: string;
  method: string;
  headers: [string, string][];
  timeoutMs?: number;
}

export interface RunOptions {
  inputsJson?: string;
  fetch?: HostFetch;
  /** Give up (as a test failure) after this much wall time. */
  timeoutMs?: number;
}

export interface RunResult {
  ok: boolean;
  /** The test code's return value (already JSON-parsed) when ok. */
  value: unknown;
  /** "Name: message" of what the test code threw, when not ok. */
  error?: string;
  stdout: string;
  stderr: string;
  /** Names of the libraries loaded during the run, in load order. */
  loaded: string[];
}

let modulePromise: Promise<QuickJSWASMModule> | undefined;
function quickjs(): Promise<QuickJSWASMModule> {
  modulePromise ??= newQuickJSWASMModuleFromVariant(variant);
  return modulePromise;
}

const sourceCache = new Map<string, string>();
function runtimeSource(path: string): string | undefined {
  let source = sourceCache.get(path);
  if (source === undefined) {
    try {
      source = readFileSync(runtimeDir + path, 'utf8');
    } catch {
      return undefined;
    }
    sourceCache.set(path, source);
  }
  return source;
}

function librarySource(name: string): string | undefined {
  if (!/^[a-z][a-z0-9_-]{0,40}$/.test(name)) return undefined; // the driver's rule (guest-host.ts)
  // Shared with the native lane (the driver's SHARED_FILES).
  if (name === 'serialize') return runtimeSource('../shared/explain-json.js');
  if (name === 'batch-item') return runtimeSource('../shared/batch-item.js');
  return runtimeSource('lib/' + name + '.js') ?? runtimeSource('core/' + name + '.js');
}

/** Run `body` (the body of an async function; `return` gives the result) in a fresh guest. */
export async function runGuest(body: string, options: RunOptions = {}): Promise<RunResult> {
  const module = await quickjs();
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  runtime.setMaxStackSize(1024 * 1024);
  const ctx = runtime.newContext();
  const out = { stdout: '', stderr: '', loaded: [] as string[] };
  const pendingHost = new Set<Promise<void>>();
  const deferreds = new Set<QuickJSDeferredPromise>();
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  try {
    installHost(ctx, options, out, pendingHost, deferreds);
    const internal = ctx.unwrapResult(ctx.evalCode(runtimeSource('bootstrap.js') ?? '', 'bootstrap.js'));
    try {
      ctx.setProp(ctx.global, '__internal', internal);
      const setJob = 'if (typeof __internal.setJob === "function") __internal.setJob(' + JSON.stringify(options.inputsJson ?? '{}') + ', "main.js");';
      ctx.unwrapResult(ctx.evalCode(setJob, 'set-job.js')).dispose();
      const wrapped =
        'globalThis.__done = undefined;\n(async (internal, lib) => {\n' + body + '\n})(__internal, __internal.lib).then(' +
        '(v) => { try { globalThis.__done = { ok: true, json: JSON.stringify(v === undefined ? null : v) }; } catch (e) { globalThis.__done = { ok: false, error: "HarnessError: the result is not JSON: " + e.message }; } },' +
        '(e) => { globalThis.__done = { ok: false, error: e instanceof Error ? e.name + ": " + e.message : "Uncaught " + String(e) }; });';
      ctx.unwrapResult(ctx.evalCode(wrapped, 'test.js')).dispose();
      for (;;) {
        drainJobs(ctx);
        const done = readDone(ctx);
        if (done) return { ...done, ...out };
        if (Date.now() > deadline) throw new Error('guest test did not finish in time');
        const next = callNumber(ctx, internal, 'nextTimerAt');
        if (pendingHost.size > 0) {
          const wait = next < 0 ? 50 : Math.max(0, next - Date.now());
          await Promise.race([...pendingHost, sleep(wait)]);
        } else if (next >= 0) {
          await sleep(Math.max(0, next - Date.now()));
        } else {
          return { ok: false, value: undefined, error: 'HarnessError: the test never settled', ...out };
        }
        const now = Date.now();
        const runTimers = ctx.getProp(internal, 'runTimers');
        try {
          using nowHandle = ctx.newNumber(now);
          ctx.unwrapResult(ctx.callFunction(runTimers, internal, nowHandle)).dispose();
        } finally {
          runTimers.dispose();
        }
      }
    } finally {
      internal.dispose();
    }
  } finally {
    // Host fetches still in flight hold promise capabilities inside the context: free them first.
    for (const deferred of deferreds) if (deferred.alive) deferred.dispose();
    ctx.dispose();
    runtime.dispose();
  }
}

function installHost(
  ctx: QuickJSContext,
  options: RunOptions,
  out: { stdout: string; stderr: string; loaded: string[] },
  pendingHost: Set<Promise<void>>,
  deferreds: Set<QuickJSDeferredPromise>,
): void {
  using host = ctx.newObject();
  const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): void => {
    using handle = ctx.newFunction(name, impl);
    ctx.setProp(host, name, handle);
  };
  fn('write', (fd, text) => {
    if (ctx.getNumber(fd!) === 2) out.stderr += ctx.getString(text!);
    else out.stdout += ctx.getString(text!);
    return undefined;
  });
  fn('load', (name) => {
    const libName = ctx.getString(name!);
    out.loaded.push(libName);
    const source = librarySource(libName);
    if (source === undefined) throw new Error('no runtime library "' + libName + '"');
    return ctx.unwrapResult(ctx.evalCode(source, 'isola:' + libName + '.js'));
  });
  fn('exit', () => undefined);
  fn('now', () => ctx.newNumber(performance.now()));
  fn('randomHex', (n) => ctx.newString(randomBytes(ctx.getNumber(n!)).toString('hex')));
  fn('fetch', (requestJson, bodyBase64) => {
    const deferred = ctx.newPromise();
    deferreds.add(deferred);
    const request = JSON.parse(ctx.getString(requestJson!)) as HostFetchRequest;
    const body = bodyBase64 && ctx.typeof(bodyBase64) === 'string' ? Buffer.from(ctx.getString(bodyBase64), 'base64') : undefined;
    const handler = options.fetch ?? (() => ({ ok: false, kind: 'denied', message: 'no network in this test' }));
    const settle = Promise.resolve()
      .then(() => handler(request, body ? new Uint8Array(body) : undefined))
      .then(
        (answer) => JSON.stringify(answer),
        (error: unknown) => JSON.stringify({ ok: false, kind: 'network', message: String(error) }),
      )
      .then((json) => {
        if (!deferred.alive) return;
        using text = ctx.newString(json);
        deferred.resolve(text);
        deferred.dispose();
        deferreds.delete(deferred);
      })
      .finally(() => pendingHost.delete(settle));
    pendingHost.add(settle);
    return deferred.handle;
  });
  using inputs = ctx.newString(options.inputsJson ?? '{}');
  ctx.setProp(host, 'inputsJson', inputs);
  using filename = ctx.newString('main.js');
  ctx.setProp(host, 'filename', filename);
  ctx.setProp(ctx.global, '__isolaHost', host);
}

function drainJobs(ctx: QuickJSContext): void {
  const result = ctx.runtime.executePendingJobs();
  if (result.error) {
    const error = ctx.dump(result.error) as unknown;
    result.error.dispose();
    throw new Error('uncaught error in a guest job: ' + JSON.stringify(error));
  }
}

function readDone(ctx: QuickJSContext): Omit<RunResult, 'stdout' | 'stderr' | 'loaded'> | undefined {
  using done = ctx.getProp(ctx.global, '__done');
  if (ctx.typeof(done) === 'undefined') return undefined;
  const state = ctx.dump(done) as { ok: boolean; json?: string; error?: string };
  if (state.ok) return { ok: true, value: JSON.parse(state.json ?? 'null') as unknown };
  return { ok: false, value: undefined, error: state.error ?? 'unknown' };
}

function callNumber(ctx: QuickJSContext, target: QuickJSHandle, method: string): number {
  using fnHandle = ctx.getProp(target, method);
  using result = ctx.unwrapResult(ctx.callFunction(fnHandle, target));
  return ctx.getNumber(result);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Run `body` and return its value; a guest exception fails the calling test with the guest's message. */
export async function guestValue<T = unknown>(body: string, options?: RunOptions): Promise<T> {
  const result = await runGuest(body, options);
  if (!result.ok) throw new Error('guest threw ' + (result.error ?? '') + '\nstderr: ' + result.stderr);
  return result.value as T;
}
