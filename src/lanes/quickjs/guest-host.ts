/**
 * The `__isolaHost` object: the only functions guest code can reach on the host. Each takes and returns
 * strings or numbers, never host objects, so nothing in the guest can walk back to the host realm.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten-core';
import type { DriverHost, GuestJob } from '../lane.js';
import type { StreamCapture } from '../stream-capture.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import { parseGuestRequest, responseHead } from '../egress-wire.js';

export interface GuestHostState {
  /** The job being run; undefined while the context is prepared ahead of time. */
  job: GuestJob | undefined;
  stdout: StreamCapture;
  stderr: StreamCapture;
  /** Set by process.exit(n); the interrupt handler then stops the interpreter. */
  exitCode: number | undefined;
  /** Host-side async operations (fetch) the guest is waiting for. */
  pending: number;
  /** Resolved whenever a host operation settles, so the event loop can wake up. */
  wake: () => void;
  /** Guest promises for host operations still in flight; freed before the context is (or the module aborts). */
  deferreds: Set<QuickJSDeferredPromise>;
  /**
   * Bumped when the heap is put back from its image: a host operation started before that settles
   * into nothing (its promise lives in memory that has been rewritten since).
   */
  generation: number;
}

const MAX_RANDOM_BYTES = 65_536;

export function installGuestHost(
  ctx: QuickJSContext,
  host: DriverHost,
  state: GuestHostState,
  libSource: (name: string) => string | undefined,
): void {
  const hostObject = ctx.newObject();
  // biome-ignore lint/suspicious/noConfusingVoidType: host functions that return nothing are declared as returning void
  const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | void | { error: QuickJSHandle } | { value: QuickJSHandle }) => {
    const handle = ctx.newFunction(name, fn);
    ctx.setProp(hostObject, name, handle);
    handle.dispose();
  };

  define('write', (fd, text) => {
    if (state.exitCode !== undefined || !fd || !text) return;
    const capture = ctx.getNumber(fd) === 2 ? state.stderr : state.stdout;
    capture.write(ctx.getString(text));
  });
  define('exit', (code) => {
    state.exitCode = code ? ctx.getNumber(code) | 0 : 0;
  });
  define('now', () => ctx.newNumber(performance.now()));
  define('randomHex', (count) => {
    const n = Math.min(MAX_RANDOM_BYTES, Math.max(0, count ? ctx.getNumber(count) | 0 : 0));
    const bytes = new Uint8Array(n);
    crypto.getRandomValues(bytes);
    let hex = '';
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
    return ctx.newString(hex);
  });
  define('load', (nameHandle) => {
    const name = nameHandle ? ctx.getString(nameHandle) : '';
    const source = /^[a-z][a-z0-9_-]{0,40}$/.test(name) ? libSource(name) : undefined;
    if (source === undefined) return { error: ctx.newError(`isola: no runtime library "${name}"`) };
    return ctx.evalCode(source, `isola:${name}.js`, { type: 'global' });
  });
  // The whole batch's JSON (args.items), decoded only when the code reads it. A copy first: the bytes
  // are shared by the batch's jobs, and TextDecoder refuses views of shared memory.
  define('items', () => ctx.newString(new TextDecoder().decode(state.job?.batch?.itemsBytes.slice() ?? new Uint8Array(0)) || '[]'));
  define('fetch', (requestJson, bodyBase64) => {
    const job = state.job;
    if (!job) return { error: ctx.newError('fetch is unavailable before the job starts') };
    const deferred = ctx.newPromise();
    const generation = state.generation;
    state.deferreds.add(deferred);
    const requestText = requestJson ? ctx.getString(requestJson) : '{}';
    const bodyText = bodyBase64 && ctx.typeof(bodyBase64) === 'string' ? ctx.getString(bodyBase64) : undefined;
    state.pending++;
    void guestFetch(job, host, requestText, bodyText).then((responseJson) => {
      if (state.generation !== generation) return;
      state.pending--;
      state.deferreds.delete(deferred);
      if (deferred.alive) {
        const value = ctx.newString(responseJson);
        deferred.resolve(value);
        value.dispose();
      }
      state.wake();
    });
    return deferred.handle;
  });

  ctx.setProp(ctx.global, '__isolaHost', hostObject);
  hostObject.dispose();
}

/** Runs one guest fetch through the host bridge; always resolves with the JSON the guest's fetch expects. */
async function guestFetch(job: GuestJob, host: DriverHost, requestText: string, bodyText: string | undefined): Promise<string> {
  try {
    // The reserved project-data host and the service's signed downloads need no allow-list entry; the
    // bridge serves them (or refuses them).
    if (job.allowHosts.length === 0 && !servedInProcess(job, requestText)) {
      return JSON.stringify({ ok: false, kind: 'denied', message: `${hostOf(requestText)}: network access is disabled for this execution (network.allow is empty)` });
    }
    const request = parseGuestRequest(requestText, bodyText !== undefined ? base64ToBytes(bodyText) : undefined);
    const response = await host.fetch(job.id, request);
    if (!response.ok) return JSON.stringify(responseHead(response));
    return JSON.stringify({ ...responseHead(response), bodyBase64: bytesToBase64(response.body) });
  } catch (error) {
    return JSON.stringify({ ok: false, kind: 'network', message: error instanceof Error ? error.message : String(error) });
  }
}

function servedInProcess(job: GuestJob, requestText: string): boolean {
  if (job.internalHost !== undefined && hostOf(requestText) === job.internalHost) return true;
  if (job.downloadOrigin === undefined) return false;
  try {
    return new URL(String((JSON.parse(requestText) as { url?: unknown }).url)).origin === job.downloadOrigin;
  } catch {
    return false;
  }
}

function hostOf(requestText: string): string {
  try {
    const url = (JSON.parse(requestText) as { url?: unknown }).url;
    return new URL(String(url)).host;
  } catch {
    return 'request';
  }
}
