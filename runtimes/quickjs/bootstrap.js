// Isola guest bootstrap for the QuickJS lane, evaluated in every fresh context before any user code.
//
// `__isolaHost` is the only door to the host: a few functions taking and returning strings and numbers.
// This file captures it, removes it from the global object, and defines the Node-like surface lazily:
// `process`, `require`, `Buffer`, `URL`, `fetch`... are getters that load their implementation from
// runtimes/quickjs/{core,lib}/ on first use, because parsing is the dominant cost of a fresh context and
// most code nodes touch only a few of them. The completion value is the `internal` object the driver uses.
(function bootstrap(global) {
  'use strict';
  const host = global.__isolaHost;
  delete global.__isolaHost;

  // Null prototype: reading a member internal lacks must never run a getter user code put on Object.prototype.
  const internal = Object.assign(Object.create(null), { cwd: '/work', inputsJson: '{}', filename: 'main.js', exited: false, libs: Object.create(null) });

  /** Evaluate a runtime file once per context; each is `(function (internal) {...})`. */
  function lib(name) {
    let value = internal.libs[name];
    if (value === undefined) internal.libs[name] = value = host.load(name)(internal);
    return value;
  }
  internal.lib = lib;
  internal.write = (fd, text) => {
    if (!internal.exited) host.write(fd, String(text));
  };
  internal.exit = (code) => {
    internal.exited = true;
    host.exit(code);
  };
  internal.now = () => host.now();
  internal.randomBytesHex = (n) => host.randomHex(n);
  internal.hostFetch = (requestJson, bodyBase64) => host.fetch(requestJson, bodyBase64);

  /** Called by the driver when the job starts (the context may be prepared before the job is known). */
  internal.setJob = (inputsJson, filename) => {
    internal.inputsJson = inputsJson;
    internal.filename = filename;
  };

  // The in-memory file system starts with inputs.json; it is built on first use (after setJob). The getters
  // close over variables: calling Object.defineProperty(internal, ...) here, after user code ran, would hand
  // internal to a user-replaced Object.defineProperty.
  let files;
  let dirs;
  Object.defineProperty(internal, 'files', { get: () => (files ??= new Map([[internal.cwd + '/inputs.json', internal.inputsJson]])) });
  Object.defineProperty(internal, 'dirs', { get: () => (dirs ??= new Set(['/', '/tmp', internal.cwd])) });

  // ---- timers: a guest-side queue; the driver sleeps until nextTimerAt() and calls runTimers(). ----
  let nextTimerId = 1;
  const timers = new Map();
  /** Node's Timeout: ref/unref decide whether the timer keeps the run alive; it converts to its id. */
  class Timeout {
    #timer;
    constructor(timer) {
      this.#timer = timer;
    }
    ref() {
      this.#timer.ref = true;
      return this;
    }
    unref() {
      this.#timer.ref = false;
      return this;
    }
    hasRef() {
      return this.#timer.ref;
    }
    refresh() {
      this.#timer.at = Date.now() + this.#timer.ms;
      return this;
    }
    close() {
      timers.delete(this.#timer.id);
      return this;
    }
    [Symbol.toPrimitive]() {
      return this.#timer.id;
    }
  }
  function addTimer(callback, delay, args, repeat) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + typeof callback);
    const ms = Math.max(1, Number(delay) || 0);
    const timer = { id: nextTimerId++, callback, args, at: Date.now() + ms, every: repeat ? ms : 0, ms, ref: true };
    timers.set(timer.id, timer);
    return new Timeout(timer);
  }
  const clearTimer = (handle) => timers.delete(handle instanceof Timeout ? +handle : handle);
  /** 1 while a timer keeps the run alive (unref'd ones, like AbortSignal.timeout's, do not), else 0. */
  internal.hasRefTimers = () => {
    for (const timer of timers.values()) if (timer.ref) return 1;
    return 0;
  };
  global.setTimeout = (cb, ms, ...args) => addTimer(cb, ms, args, false);
  global.setInterval = (cb, ms, ...args) => addTimer(cb, ms, args, true);
  global.setImmediate = (cb, ...args) => addTimer(cb, 0, args, false);
  global.clearTimeout = global.clearInterval = global.clearImmediate = clearTimer;
  global.queueMicrotask = (cb) => void Promise.resolve().then(cb);
  internal.nextTimerAt = () => {
    let soonest = -1;
    for (const timer of timers.values()) if (soonest < 0 || timer.at < soonest) soonest = timer.at;
    return soonest;
  };
  /** Run every timer due by `now`, in due order. An exception propagates to the driver as uncaught. */
  internal.runTimers = (now) => {
    const due = [];
    for (const timer of timers.values()) if (timer.at <= now) due.push(timer);
    due.sort((a, b) => a.at - b.at || a.id - b.id);
    for (const timer of due) {
      if (!timers.has(timer.id)) continue;
      if (timer.every) timer.at = now + timer.every;
      else timers.delete(timer.id);
      timer.callback(...timer.args);
    }
  };

  // ---- console: plain strings take the fast path; anything else is formatted like Node's util.format ----
  const format = (args) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : lib('inspect').format(args));
  const out = (...args) => internal.write(1, format(args) + '\n');
  const err = (...args) => internal.write(2, format(args) + '\n');
  global.console = {
    log: out, info: out, debug: out, error: err, warn: err, trace: err,
    dir: (value) => out(value),
    table: (data, properties) => {
      const text = data !== null && typeof data === 'object' ? lib('console_table').table(data, properties) : undefined;
      if (text === undefined) out(data);
      else internal.write(1, text + '\n');
    },
    assert: (ok, ...args) => ok || err('Assertion failed' + (args.length ? ': ' + format(args) : '')),
    count: (label = 'default') => lib('console-extra').count(label),
    time: (label = 'default') => lib('console-extra').time(label),
    timeEnd: (label = 'default') => lib('console-extra').timeEnd(label),
    timeLog: (label = 'default') => lib('console-extra').timeEnd(label, true),
    group: () => {},
    groupEnd: () => {},
  };

  // ---- everything else on first use ----
  // Data, not closures: every function literal here is compiled in every fresh context, so the table
  // says which lib (and which member path of it) backs each global, and one getter serves them all.
  const LAZY = [
    ['process', 'process', ''], ['require', 'modules', 'require'], ['module', 'modules', 'module'], ['exports', 'modules', 'module.exports'],
    ['Buffer', 'buffer', 'Buffer'], ['atob', 'buffer', 'atob'], ['btoa', 'buffer', 'btoa'],
    ['TextEncoder', 'text', 'TextEncoder'], ['TextDecoder', 'text', 'TextDecoder'],
    ['URL', 'url', 'URL'], ['URLSearchParams', 'url', 'URLSearchParams'], ['structuredClone', 'clone', 'structuredClone'],
    ['fetch', 'fetch', 'fetch'], ['Headers', 'fetch', 'Headers'], ['Request', 'fetch', 'Request'], ['Response', 'fetch', 'Response'],
    ['AbortController', 'abort', 'AbortController'], ['AbortSignal', 'abort', 'AbortSignal'], ['Event', 'abort', 'Event'],
    ['EventTarget', 'abort', 'EventTarget'], ['DOMException', 'abort', 'DOMException'], ['crypto', 'crypto', 'webcrypto'],
    ['Intl', 'intl', 'Intl'], ['Blob', 'fetch_form', 'Blob'], ['File', 'fetch_form', 'File'], ['FormData', 'fetch_form', 'FormData'],
    // Computed rather than loaded (the file name is known only once the job starts).
    ['__filename', '', 'filename'], ['__dirname', '', 'dirname'], ['performance', '', 'performance'],
  ];
  function computed(what) {
    if (what === 'filename') return internal.cwd + '/' + internal.filename;
    if (what === 'dirname') return internal.cwd;
    return { now: () => host.now(), timeOrigin: Date.now() - host.now() };
  }
  const descriptors = {};
  for (const [name, libName, path] of LAZY) {
    const define = (value) => Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
    const get = () => {
      let value = libName === '' ? computed(path) : lib(libName);
      if (libName !== '' && path !== '') for (const key of path.split('.')) value = value[key];
      define(value);
      return value;
    };
    descriptors[name] = { configurable: true, enumerable: false, get, set: define };
  }
  Object.defineProperties(global, descriptors);

  // QuickJS has no Intl: the locale methods format through lib('intl'), parsed on their first call.
  const localeMethod = (proto, name, helper) =>
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: { [name](locales, options) { return lib('intl')[helper](this, locales, options); } }[name] });
  localeMethod(Number.prototype, 'toLocaleString', 'numberToLocaleString');
  localeMethod(BigInt.prototype, 'toLocaleString', 'numberToLocaleString');
  localeMethod(Date.prototype, 'toLocaleString', 'dateToLocaleString');
  localeMethod(Date.prototype, 'toLocaleDateString', 'dateToLocaleDateString');
  localeMethod(Date.prototype, 'toLocaleTimeString', 'dateToLocaleTimeString');
  Object.defineProperty(String.prototype, 'localeCompare', {
    configurable: true,
    writable: true,
    value: { localeCompare(that, locales, options) { return lib('intl').localeCompare(String(this), String(that), locales, options); } }.localeCompare,
  });
  /** Whether user code touched a lazy global (so the driver does not load `module` just to look for main). */
  internal.loaded = (name) => !('get' in Object.getOwnPropertyDescriptor(global, name));

  /** The user's main, however the code defined it: an export, or CommonJS `module.exports`. */
  internal.findMain = (namespace) => {
    if (namespace && typeof namespace.main === 'function') return namespace.main;
    // Planning exports a module's unexported top-level main under this name (src/engine/plan.ts).
    if (namespace && typeof namespace.__isolaMain === 'function') return namespace.__isolaMain;
    if (namespace && namespace.default && typeof namespace.default.main === 'function') return namespace.default.main;
    if (!internal.loaded('module')) return undefined;
    const exported = global.module.exports;
    if (exported && typeof exported.main === 'function') return exported.main;
    if (typeof exported === 'function' && exported.name === 'main') return exported;
    return undefined;
  };
  internal.callMain = (main) => main(JSON.parse(internal.inputsJson));
  internal.finalExitCode = () => (internal.loaded('process') && global.process.exitCode !== undefined ? Number(global.process.exitCode) | 0 : 0);

  /** Serialize main's return value; a value JSON cannot represent is an error naming its path. */
  internal.serialize = (value) => {
    if (value === undefined) return 'null';
    try {
      const json = JSON.stringify(value);
      return json === undefined ? 'null' : json;
    } catch (error) {
      throw lib('serialize').explain(value, error);
    }
  };

  internal.readOutputFile = () => {
    if (!internal.libs.fs) return undefined; // nothing can have written a file without loading fs
    const content = internal.files.get(internal.cwd + '/output.json');
    if (content === undefined) return undefined;
    return typeof content === 'string' ? content : lib('text').decode(content);
  };

  /** Describe a thrown value for the envelope: [message, stack]. Handles non-Error throws. */
  internal.describeError = (error) => {
    if (error !== null && typeof error === 'object' && 'message' in error && 'name' in error) {
      const head = String(error.name || 'Error') + ': ' + String(error.message);
      const stack = typeof error.stack === 'string' && error.stack.length > 0 ? head + '\n' + error.stack.replace(/\n$/, '') : head;
      return [head, stack];
    }
    let text;
    try {
      text = typeof error === 'string' ? error : JSON.stringify(error);
    } catch {
      text = String(error);
    }
    return ['Uncaught ' + text, 'Uncaught ' + text];
  };

  return internal;
})(globalThis);
