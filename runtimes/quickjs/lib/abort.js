// AbortController/AbortSignal with the minimal Event/EventTarget/DOMException they need. QuickJS has
// none of these; fetch, timers-with-signal and user code share them.
(function (_internal) {
  'use strict';
  const CODES = { IndexSizeError: 1, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12, InvalidCharacterError: 5, NetworkError: 19, AbortError: 20, TimeoutError: 23, DataCloneError: 25 };

  class DOMException extends Error {
    #name;
    constructor(message = '', options = 'Error') {
      super(String(message));
      this.#name = typeof options === 'object' && options !== null ? String(options.name || 'Error') : String(options);
      if (typeof options === 'object' && options !== null && 'cause' in options) this.cause = options.cause;
    }
    get name() {
      return this.#name;
    }
    get code() {
      return CODES[this.#name] || 0;
    }
  }
  for (const [name, code] of Object.entries(CODES)) {
    const constant = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase().replace('ERROR', 'ERR');
    DOMException[constant] = code;
  }
  const domException = (message, name) => new DOMException(message, name);

  class Event {
    #type;
    constructor(type, init = {}) {
      if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
      this.#type = String(type);
      this.bubbles = !!init.bubbles;
      this.cancelable = !!init.cancelable;
      this.defaultPrevented = false;
      this.timeStamp = Date.now();
      this.target = null;
      this.currentTarget = null;
    }
    get type() {
      return this.#type;
    }
    preventDefault() {
      if (this.cancelable) this.defaultPrevented = true;
    }
    stopPropagation() {}
    stopImmediatePropagation() {
      this.stopped = true;
    }
  }

  class EventTarget {
    #listeners = new Map();
    addEventListener(type, listener, options) {
      if (!listener) return;
      const once = typeof options === 'object' && options !== null && !!options.once;
      const list = this.#listeners.get(type) || [];
      if (list.some((entry) => entry.listener === listener)) return;
      list.push({ listener, once });
      this.#listeners.set(type, list);
      const signal = typeof options === 'object' && options !== null ? options.signal : undefined;
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener));
    }
    removeEventListener(type, listener) {
      const list = this.#listeners.get(type);
      if (!list) return;
      const index = list.findIndex((entry) => entry.listener === listener);
      if (index >= 0) list.splice(index, 1);
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event');
      event.target = this;
      event.currentTarget = this;
      const handler = this['on' + event.type];
      const list = (this.#listeners.get(event.type) || []).slice();
      if (typeof handler === 'function') list.unshift({ listener: handler, once: false });
      for (const entry of list) {
        if (entry.once) this.removeEventListener(event.type, entry.listener);
        // A throwing listener must not stop the others, as in browsers; report it like Node does.
        try {
          if (typeof entry.listener === 'function') entry.listener.call(this, event);
          else if (entry.listener && typeof entry.listener.handleEvent === 'function') entry.listener.handleEvent(event);
        } catch (error) {
          Promise.reject(error);
        }
        if (event.stopped) break;
      }
      return !event.defaultPrevented;
    }
  }

  const kCreate = Symbol('create');
  /** When a timeout signal fires (ms since epoch): fetch hands the remaining time to the host. */
  const deadlines = new WeakMap();

  class AbortSignal extends EventTarget {
    #aborted = false;
    #reason = undefined;
    constructor(key) {
      if (key !== kCreate) throw new TypeError('Illegal constructor');
      super();
      this.onabort = null;
    }
    get aborted() {
      return this.#aborted;
    }
    get reason() {
      return this.#reason;
    }
    throwIfAborted() {
      if (this.#aborted) throw this.#reason;
    }
    static abort(reason) {
      const signal = new AbortSignal(kCreate);
      signal.#aborted = true;
      signal.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
      return signal;
    }
    static timeout(ms) {
      const signal = new AbortSignal(kCreate);
      const delay = Math.max(0, Number(ms) || 0);
      deadlines.set(signal, Date.now() + delay);
      // Node's timeout timers are unref'd: they must not keep the run alive once nothing else is pending.
      // That needs bootstrap's setTimeout to return a Node-style Timeout with unref(). (Never probe
      // `internal` for optional members: user code can hook such lookups and would receive internal.)
      const timer = setTimeout(() => abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), delay);
      if (timer !== null && typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
      return signal;
    }
    static any(signals) {
      const signal = new AbortSignal(kCreate);
      for (const source of signals) {
        if (source.aborted) {
          signal.#aborted = true;
          signal.#reason = source.reason;
          return signal;
        }
      }
      for (const source of signals) source.addEventListener('abort', () => abortSignal(signal, source.reason), { once: true });
      const inherited = signals.map((source) => deadlines.get(source)).filter((at) => at !== undefined);
      if (inherited.length > 0) deadlines.set(signal, Math.min(...inherited));
      return signal;
    }
    static #markAborted(signal, reason) {
      if (signal.#aborted) return false;
      signal.#aborted = true;
      signal.#reason = reason;
      return true;
    }
    static [kCreate](signal, reason) {
      return AbortSignal.#markAborted(signal, reason);
    }
  }

  function abortSignal(signal, reason) {
    if (AbortSignal[kCreate](signal, reason)) signal.dispatchEvent(new Event('abort'));
  }

  class AbortController {
    #signal = new AbortSignal(kCreate);
    get signal() {
      return this.#signal;
    }
    abort(reason) {
      abortSignal(this.#signal, reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason);
    }
  }

  return { AbortController, AbortSignal, Event, EventTarget, DOMException, domException, timeoutDeadline: (signal) => deadlines.get(signal) };
});
