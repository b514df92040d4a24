// Isola guest bootstrap for the QuickJS lane. Evaluated first in every fresh context.
//
// `__isolaHost` is the only door to the host: a handful of functions that take and return plain data
// (strings and numbers). This file captures it, removes it from the global object, and builds the
// Node-like surface user code expects. Heavy globals (Buffer, URL, fetch, TextEncoder...) are loaded from
// runtimes/quickjs/lib/ on first use, so a hello world does not pay to parse them.
//
// The completion value of this script is the `internal` object the driver calls into.
(function bootstrap(global) {
  'use strict';
  const host = global.__isolaHost;
  delete global.__isolaHost;

  const internal = {
    cwd: '/work',
    inputsJson: host.inputsJson,
    exited: false,
    libs: Object.create(null),
  };

  /** Evaluate runtimes/quickjs/lib/<name>.js once per context; each lib is `(function (internal) {...})`. */
  function lib(name) {
    let value = internal.libs[name];
    if (value === undefined) {
      value = host.load(name)(internal);
      internal.libs[name] = value;
    }
    return value;
  }
  internal.lib = lib;
  internal.write = function write(fd, text) {
    if (!internal.exited) host.write(fd, String(text));
  };

  // ---- timers: a guest-side queue; the driver sleeps until nextTimerAt() and calls runTimers(). ----
  let nextTimerId = 1;
  const timers = new Map();
  function addTimer(callback, delay, args, repeat) {
    if (typeof callback !== 'function') {
      throw new TypeError('The "callback" argument must be of type function. Received ' + typeof callback);
    }
    const ms = Math.max(1, Number(delay) || 0);
    const id = nextTimerId++;
    timers.set(id, { id, callback, args, at: Date.now() + ms, every: repeat ? ms : 0 });
    return id;
  }
  function clearTimer(id) {
    timers.delete(typeof id === 'object' && id !== null ? id.id : id);
  }
  global.setTimeout = (cb, ms, ...args) => addTimer(cb, ms, args, false);
  global.setInterval = (cb, ms, ...args) => addTimer(cb, ms, args, true);
  global.setImmediate = (cb, ...args) => addTimer(cb, 0, args, false);
  global.clearTimeout = clearTimer;
  global.clearInterval = clearTimer;
  global.clearImmediate = clearTimer;
  global.queueMicrotask = (cb) => {
    Promise.resolve().then(cb);
  };
  internal.nextTimerAt = function nextTimerAt() {
    let soonest = -1;
    for (const timer of timers.values()) if (soonest < 0 || timer.at < soonest) soonest = timer.at;
    return soonest;
  };
  /** Run every timer due by `now`, in due order. Exceptions propagate to the driver as uncaught. */
  internal.runTimers = function runTimers(now) {
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

  // ---- console ----
  function format(args) {
    if (args.length === 1 && typeof args[0] === 'string') return args[0];
    return lib('inspect').format(args);
  }
  const counts = new Map();
  const timersByLabel = new Map();
  const console = {
    log: (...args) => internal.write(1, format(args) + '\n'),
    error: (...args) => internal.write(2, format(args) + '\n'),
    table: (data) => internal.write(1, format([data]) + '\n'),
    dir: (value) => internal.write(1, format([value]) + '\n'),
    assert: (ok, ...args) => {
      if (!ok) internal.write(2, 'Assertion failed' + (args.length ? ': ' + format(args) : '') + '\n');
    },
    count: (label = 'default') => {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      internal.write(1, label + ': ' + n + '\n');
    },
    time: (label = 'default') => timersByLabel.set(label, Date.now()),
    timeEnd: (label = 'default') => {
      const start = timersByLabel.get(label);
      timersByLabel.delete(label);
      if (start !== undefined) internal.write(1, label + ': ' + (Date.now() - start) + 'ms\n');
    },
    group: () => {},
    groupEnd: () => {},
  };
  console.info = console.log;
  console.debug = console.log;
  console.trace = console.error;
  console.warn = console.error;
  console.timeLog = console.timeEnd;
  global.console = console;

  // ---- process ----
  const stdout = { write: (chunk) => (internal.write(1, typeof chunk === 'string' ? chunk : lib('text').decode(chunk)), true), isTTY: false };
  const stderr = { write: (chunk) => (internal.write(2, typeof chunk === 'string' ? chunk : lib('text').decode(chunk)), true), isTTY: false };
  const process = {
    argv: ['node', internal.cwd + '/' + host.filename],
    argv0: 'node',
    env: {},
    platform: 'linux',
    arch: 'wasm32',
    version: 'v20.0.0',
    versions: { node: '20.0.0', quickjs: '2024-01-13' },
    pid: 1,
    exitCode: undefined,
    stdout,
    stderr,
    get stdin() {
      return lib('stdin');
    },
    cwd: () => internal.cwd,
    chdir: (dir) => {
      internal.cwd = lib('path').resolve(internal.cwd, String(dir));
    },
    exit(code) {
      const n = code === undefined ? (process.exitCode === undefined ? 0 : process.exitCode) : code;
      internal.exited = true;
      // The host marks the run as exited and interrupts the interpreter, so even a catch cannot resume it.
      host.exit(Number(n) | 0);
      throw new Error('process.exit(' + n + ')');
    },
    nextTick: (cb, ...args) => {
      Promise.resolve().then(() => cb(...args));
    },
    hrtime: Object.assign((prev) => {
      const ms = host.now();
      const s = Math.floor(ms / 1000);
      const ns = Math.floor((ms % 1000) * 1e6);
      return prev ? [s - prev[0], ns - prev[1]] : [s, ns];
    }, { bigint: () => BigInt(Math.floor(host.now() * 1e6)) }),
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    uptime: () => host.now() / 1000,
    on: () => process,
    once: () => process,
    off: () => process,
    emitWarning: (warning) => internal.write(2, 'Warning: ' + String(warning) + '\n'),
  };
  global.process = process;
  global.performance = { now: () => host.now(), timeOrigin: Date.now() };

  // ---- lazily loaded globals ----
  function lazyGlobal(name, load) {
    Object.defineProperty(global, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = load();
        Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
        return value;
      },
      set(value) {
        Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }
  lazyGlobal('Buffer', () => lib('buffer').Buffer);
  lazyGlobal('TextEncoder', () => lib('text').TextEncoder);
  lazyGlobal('TextDecoder', () => lib('text').TextDecoder);
  lazyGlobal('atob', () => lib('buffer').atob);
  lazyGlobal('btoa', () => lib('buffer').btoa);
  lazyGlobal('URL', () => lib('url').URL);
  lazyGlobal('URLSearchParams', () => lib('url').URLSearchParams);
  lazyGlobal('structuredClone', () => lib('clone').structuredClone);
  lazyGlobal('fetch', () => lib('fetch').fetch);
  lazyGlobal('Headers', () => lib('fetch').Headers);
  lazyGlobal('Request', () => lib('fetch').Request);
  lazyGlobal('Response', () => lib('fetch').Response);
  lazyGlobal('AbortController', () => lib('abort').AbortController);
  lazyGlobal('AbortSignal', () => lib('abort').AbortSignal);
  lazyGlobal('crypto', () => lib('crypto').webcrypto);

  internal.randomBytesHex = (n) => host.randomHex(n);
  internal.hostFetch = (requestJson, bodyBase64) => host.fetch(requestJson, bodyBase64);

  // ---- require / module ----
  const builtins = {
    fs: () => lib('fs'),
    'fs/promises': () => lib('fs').promises,
    path: () => lib('path'),
    buffer: () => lib('buffer'),
    util: () => lib('inspect').util,
    url: () => lib('url'),
    events: () => lib('events'),
    crypto: () => lib('crypto'),
    timers: () => ({ setTimeout: global.setTimeout, setInterval: global.setInterval, setImmediate: global.setImmediate, clearTimeout, clearInterval: clearTimer, clearImmediate: clearTimer }),
    process: () => process,
    string_decoder: () => lib('text').string_decoder,
    assert: () => lib('assert'),
  };
  function require(name) {
    const id = String(name);
    const bare = id.startsWith('node:') ? id.slice(5) : id;
    const builtin = builtins[bare];
    if (builtin) return builtin();
    const packages = global.__isolaPackages;
    if (packages && Object.prototype.hasOwnProperty.call(packages, id)) return packages[id]();
    const error = new Error("Cannot find module '" + id + "'" + (id.startsWith('node:') || NODE_ONLY.has(bare) ? ': the sandbox has no ' + bare + ' module' : '; add it to "packages" to install it'));
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  const NODE_ONLY = new Set(['child_process', 'net', 'http', 'https', 'tls', 'dgram', 'dns', 'os', 'cluster', 'worker_threads', 'vm', 'v8', 'inspector', 'module', 'zlib', 'stream', 'readline', 'http2', 'perf_hooks', 'async_hooks']);
  internal.require = require;
  internal.isBuiltin = (name) => Object.prototype.hasOwnProperty.call(builtins, String(name).replace(/^node:/, ''));
  global.require = require;
  const module = { exports: {}, id: '.', filename: process.argv[1], loaded: false };
  global.module = module;
  global.exports = module.exports;
  global.__filename = process.argv[1];
  global.__dirname = internal.cwd;

  // ---- the file system starts with inputs.json ----
  internal.files = new Map([[internal.cwd + '/inputs.json', internal.inputsJson]]);
  internal.dirs = new Set(['/', '/tmp', internal.cwd]);

  /** The user's main, whichever way the script defined it. */
  internal.findMain = function findMain(namespace) {
    if (namespace && typeof namespace.main === 'function') return namespace.main;
    if (namespace && namespace.default && typeof namespace.default.main === 'function') return namespace.default.main;
    const exported = module.exports;
    if (exported && typeof exported.main === 'function') return exported.main;
    if (typeof exported === 'function' && exported.name === 'main') return exported;
    return undefined;
  };

  /** Serialize main's return value; a value JSON cannot represent is a clear error naming its path. */
  internal.serialize = function serialize(value) {
    if (value === undefined) return 'null';
    try {
      const json = JSON.stringify(value);
      return json === undefined ? 'null' : json;
    } catch (error) {
      throw lib('serialize').explain(value, error);
    }
  };

  /** Call main with the inputs object; returns its value or promise. */
  internal.callMain = function callMain(main) {
    return main(JSON.parse(internal.inputsJson));
  };
  internal.finalExitCode = function finalExitCode() {
    return process.exitCode === undefined ? 0 : Number(process.exitCode) | 0;
  };

  internal.readOutputFile = function readOutputFile() {
    const content = internal.files.get(internal.cwd + '/output.json');
    if (content === undefined) return undefined;
    return typeof content === 'string' ? content : lib('text').decode(content);
  };

  /** Describe a thrown value for the envelope: [message, stack]. Handles non-Error throws. */
  internal.describeError = function describeError(error) {
    if (error instanceof Error || (error && typeof error === 'object' && 'message' in error && 'name' in error)) {
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
