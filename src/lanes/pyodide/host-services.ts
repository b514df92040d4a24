/**
 * The host functions the sealed realm may call (runtimes/pyodide/realm.js keeps them in closures).
 *
 * Each one takes primitives or the realm's own buffers and typed arrays, returns a primitive, and never
 * throws: a host-realm error object reaching the guest would hand it the host's Function constructor.
 * Buffers of the realm are only read or filled through host views (`new Uint8Array(buffer, ...)`), so no
 * method of a realm object is ever called from here.
 */
import { utf8Length } from '../../contract/limits.js';
import type { EgressRequest, EgressResponse } from '../lane.js';
import { parseGuestRequest, responseHead } from '../egress-wire.js';

export interface HostServicesConfig {
  /** The engine's interrupt flag (index 0 becomes non-zero at the deadline); absent in some tests. */
  interrupt?: Int32Array;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** Called when a realm timer is due; the realm decides whether it still belongs to the current run. */
  fireTimer(id: number): void;
  /** The guest's HTTP requests (requests, urllib, pyfetch), for the job running now. */
  fetchSync?(request: EgressRequest): EgressResponse;
}

export interface HostServices {
  readonly functions: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** The heap part of a snapshot, for the realm's next copySnapshot() (booting from a snapshot). */
  setSnapshot(heap: Uint8Array | undefined): void;
  /** Stops every pending timer (a realm being dropped). */
  clearTimers(): void;
}

const RANDOM_CHUNK = 65536;
/** Log lines the realm may send per second (guest JS can reach console.*; the engine's log is not its outlet). */
const LOG_LINES_PER_SECOND = 50;
/** Longest single Atomics.wait of a sleep: bounds the lag if the flag is set without a notify. */
const SLEEP_SLICE_MS = 20;

export function createHostServices(config: HostServicesConfig): HostServices {
  const interrupt = config.interrupt ?? new Int32Array(new SharedArrayBuffer(4));
  const decoders = new Map<string, InstanceType<typeof TextDecoder>>();
  const encoder = new TextEncoder();
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let pendingBody: Uint8Array | undefined;
  let pendingSnapshot: Uint8Array | undefined;
  let logWindow = 0;
  let logLines = 0;
  let logDropped = 0;

  const bytesOf = (buffer: unknown, offset: unknown, length: unknown): Uint8Array | undefined => {
    if (typeof offset !== 'number' || typeof length !== 'number' || !isArrayBuffer(buffer)) return undefined;
    try {
      return new Uint8Array(buffer, offset, length);
    } catch {
      return undefined;
    }
  };

  const functions = {
    log(level: unknown, message: unknown): void {
      if (typeof message !== 'string') return;
      const now = Math.floor(performance.now() / 1000);
      if (now !== logWindow) {
        try {
          if (logDropped > 0) config.log('warn', `pyodide realm: ${logDropped} log lines dropped (over ${LOG_LINES_PER_SECOND}/s)`);
        } catch {
          // As below.
        }
        logWindow = now;
        logLines = 0;
        logDropped = 0;
      }
      if (++logLines > LOG_LINES_PER_SECOND) {
        logDropped++;
        return;
      }
      const lvl = level === 'warn' || level === 'error' || level === 'info' ? level : 'debug';
      try {
        config.log(lvl, message.length > 2000 ? `${message.slice(0, 2000)}…` : message);
      } catch {
        // Logging never fails the guest.
      }
    },
    now(): number {
      return performance.now();
    },
    fillRandom(buffer: unknown, offset: unknown, length: unknown): boolean {
      const view = bytesOf(buffer, offset, length);
      if (!view) return false;
      for (let at = 0; at < view.length; at += RANDOM_CHUNK) crypto.getRandomValues(view.subarray(at, at + RANDOM_CHUNK));
      return true;
    },
    decode(label: unknown, fatal: unknown, buffer: unknown, offset: unknown, length: unknown): string | undefined {
      const view = bytesOf(buffer, offset, length);
      if (!view || typeof label !== 'string') return undefined;
      const key = `${label}\u0000${fatal === true}`;
      try {
        let decoder = decoders.get(key);
        if (!decoder) {
          decoder = new TextDecoder(label, { fatal: fatal === true });
          decoders.set(key, decoder);
        }
        return decoder.decode(view);
      } catch {
        return undefined;
      }
    },
    utf8Length(text: unknown): number {
      return typeof text === 'string' ? utf8Length(text) : 0;
    },
    encodeInto(text: unknown, buffer: unknown, offset: unknown, length: unknown, result: unknown): boolean {
      const view = bytesOf(buffer, offset, length);
      if (!view || typeof text !== 'string' || !isFloat64Array(result)) return false;
      const { read, written } = encoder.encodeInto(text, view);
      result[0] = read;
      result[1] = written;
      return true;
    },
    sleep(ms: unknown): boolean {
      if (typeof ms !== 'number' || !(ms >= 0)) return false;
      const end = performance.now() + ms;
      for (;;) {
        if (Atomics.load(interrupt, 0) !== 0) {
          Atomics.store(interrupt, 0, 0);
          return true;
        }
        const left = end - performance.now();
        if (left <= 0) return false;
        // Woken early by Atomics.notify on the interrupt flag, when the engine notifies.
        Atomics.wait(interrupt, 0, 0, Math.min(left, SLEEP_SLICE_MS));
      }
    },
    interruptRead(): number {
      return Atomics.load(interrupt, 0);
    },
    interruptClear(): void {
      Atomics.store(interrupt, 0, 0);
    },
    /** One HTTP request: JSON head and body bytes in; JSON head out (the body follows via fetchBody). */
    fetch(head: unknown, buffer: unknown, offset: unknown, length: unknown): string {
      pendingBody = undefined;
      const body = bytesOf(buffer, offset, length);
      let response: EgressResponse;
      try {
        const request = parseGuestRequest(head, body);
        response = config.fetchSync ? config.fetchSync(request) : { ok: false, kind: 'network', message: 'no network in this lane' };
      } catch (error) {
        response = { ok: false, kind: 'network', message: error instanceof Error ? error.message : 'bad request' };
      }
      if (!response.ok) return JSON.stringify(responseHead(response));
      pendingBody = response.body;
      return JSON.stringify({ ...responseHead(response), bodyLength: response.body.length });
    },
    fetchBody(buffer: unknown, offset: unknown, length: unknown): boolean {
      const view = bytesOf(buffer, offset, length);
      const body = pendingBody;
      pendingBody = undefined;
      if (!view || !body || body.length !== view.length) return false;
      view.set(body);
      return true;
    },
    /** Copies the pending snapshot heap to the start of the realm's wasm memory, once. */
    copySnapshot(buffer: unknown): boolean {
      const heap = pendingSnapshot;
      pendingSnapshot = undefined;
      const target = heap ? bytesOf(buffer, 0, heap.length) : undefined;
      if (!heap || !target) return false;
      target.set(heap);
      return true;
    },
    timerStart(id: unknown, ms: unknown): void {
      if (typeof id !== 'number' || typeof ms !== 'number') return;
      const handle = setTimeout(() => {
        timers.delete(id);
        config.fireTimer(id);
      }, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
      // A guest timer never keeps the worker alive.
      (handle as { unref?: () => void }).unref?.();
      timers.set(id, handle);
    },
    timerStop(id: unknown): void {
      if (typeof id !== 'number') return;
      const handle = timers.get(id);
      if (handle !== undefined) clearTimeout(handle);
      timers.delete(id);
    },
  };

  return {
    functions,
    setSnapshot(heap) {
      pendingSnapshot = heap;
    },
    clearTimers() {
      for (const handle of timers.values()) clearTimeout(handle);
      timers.clear();
    },
  };
}

// Brand checks through the host's own intrinsics: they read internal slots and work on objects of any
// realm without looking anything up on the object (a realm object's prototype may be guest-controlled).
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const sharedArrayBufferLength = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')!.get!;

function isFloat64Array(value: unknown): value is Float64Array {
  return Reflect.apply(typedArrayTag, value, []) === 'Float64Array';
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  for (const brand of [arrayBufferLength, sharedArrayBufferLength]) {
    try {
      Reflect.apply(brand, value, []);
      return true;
    } catch {
      // Not this kind of buffer.
    }
  }
  return false;
}
