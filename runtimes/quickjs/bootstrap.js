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
  const internal = Object.assign(Object.create(null), { cwd: '/work', inputsJson: '{}', stdinText: '{}', filename: 'main.js', exited: false, libs: Object.create(null) });

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
  // The in-memory file system starts with inputs.json; it is built on first use (after setJob). The getters
  // close over variables: calling Object.defineProperty(internal, ...) here, after user code ran, would hand
  // internal to a user-replaced Object.defineProperty.
  let files;
  let dirs;
  internal.setJob = (inputsJson, filename, stdinText) => {
    internal.inputsJson = inputsJson;
    internal.stdinText = stdinText ?? inputsJson;
    internal.filename = filename;
    // An environment's image loads its packages before any job (src/lanes/quickjs/prepared-context.ts),
    // and with them perhaps fs, process or the module system: what those took from the job when they
    // loaded is this job's again.
    if (files) files.set(internal.cwd + '/inputs.json', inputsJson);
    const main = internal.cwd + '/' + filename;
    if (internal.libs.process) internal.libs.process.argv[1] = main;
    if (internal.libs.modules) internal.libs.modules.module.filename = main;
  };

  Object.defineProperty(internal, 'files', { get: () => (files ??= new Map([[internal.cwd + '/inputs.json', internal.inputsJson]])) });
  Object.defineProperty(internal, 'dirs', { get: () => (dirs ??= new Set(['/', '/tmp', internal.cwd])) });

  // ---- timers live in core/timers.js, loaded by the first setTimeout/setInterval/setImmediate ----
  global.queueMicrotask = (cb) => void Promise.resolve().then(cb);
  internal.nextTimerAt = () => (internal.libs.timers ? internal.libs.timers.nextTimerAt() : -1);
  internal.hasRefTimers = () => (internal.libs.timers ? internal.libs.timers.hasRefTimers() : 0);
  internal.runTimers = (now) => internal.libs.timers?.runTimers(now);

  // ---- console: plain strings take the fast path; anything else is formatted like Node's util.format.
  // The rarer methods (table, count, time...) come from core/console-extra.js on first call.
  const format = (args) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : lib('inspect').format(args));
  const out = (...args) => internal.write(1, format(args) + '\n');
  const err = (...args) => internal.write(2, format(args) + '\n');
  const console = { log: out, info: out, debug: out, error: err, warn: err, trace: err };
  for (const name of ['dir', 'dirxml', 'table', 'assert', 'count', 'countReset', 'time', 'timeEnd', 'timeLog', 'group', 'groupCollapsed', 'groupEnd']) {
    console[name] = (...args) => lib('console-extra')[name](...args);
  }
  global.console = console;

  // ---- everything else on first use ----
  // Data, not closures: every function literal here is compiled in every fresh context, so the table
  // says which lib (and which member path of it) backs each global, and one getter serves them all.
  const LAZY = [
    ['process', 'process', ''], ['setTimeout', 'timers', 'setTimeout'], ['setInterval', 'timers', 'setInterval'],
    ['setImmediate', 'timers', 'setImmediate'], ['clearTimeout', 'timers', 'clearTimeout'], ['clearInterval', 'timers', 'clearInterval'],
    ['clearImmediate', 'timers', 'clearImmediate'], ['require', 'modules', 'require'], ['module', 'modules', 'module'], ['exports', 'modules', 'module.exports'],
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

  // QuickJS has no Intl: the locale methods format through lib('intl'), compiled on their first call.
  // One function literal serves all of them (see LAZY above for why).
  for (const [proto, name, helper] of [
    [Number.prototype, 'toLocaleString', 'numberToLocaleString'], [BigInt.prototype, 'toLocaleString', 'numberToLocaleString'],
    [Date.prototype, 'toLocaleString', 'dateToLocaleString'], [Date.prototype, 'toLocaleDateString', 'dateToLocaleDateString'],
    [Date.prototype, 'toLocaleTimeString', 'dateToLocaleTimeString'], [String.prototype, 'localeCompare', 'localeCompare'],
  ]) {
    const method = {
      [name](a, b, c) {
        return helper === 'localeCompare' ? lib('intl').localeCompare(String(this), String(a), b, c) : lib('intl')[helper](this, a, b);
      },
    }[name];
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: method });
  }
  /** Whether user code touched a lazy global (so the driver does not load `module` just to look for main). */
  internal.loaded = (name) => !('get' in Object.getOwnPropertyDescriptor(global, name));

  /** The user's main, however the code defined it: an export, or CommonJS `module.exports`. */
  internal.findMain = (namespace) => {
    if (namespace && typeof namespace.main === 'function') return namespace.main;
    // Planning exports a module's unexported top-level main under this name (src/engine/plan.ts).
    if (namespace && typeof namespace.__isolaMain === 'function') return namespace.__isolaMain;
    if (namespace?.default && typeof namespace.default.main === 'function') return namespace.default.main;
    if (!internal.loaded('module')) return undefined;
    const exported = global.module.exports;
    if (exported && typeof exported.main === 'function') return exported.main;
    if (typeof exported === 'function' && exported.name === 'main') return exported;
    return undefined;
  };
  internal.callMain = (main) => main(JSON.parse(internal.inputsJson));

  // ---- a batch item: execute(args, ctx) instead of main (runtimes/shared/batch-item.js) ----
  /** Called by the driver, after setJob, for a job that is one item of a batch. */
  internal.setItem = (itemJson, index) => {
    internal.item = { json: itemJson, index };
  };
  internal.findExecute = (namespace) => {
    if (namespace && typeof namespace.execute === 'function') return namespace.execute;
    // Planning exports a module's unexported top-level execute under this name (src/engine/plan.ts).
    if (namespace && typeof namespace.__isolaExecute === 'function') return namespace.__isolaExecute;
    if (namespace?.default && typeof namespace.default.execute === 'function') return namespace.default.execute;
    if (!internal.loaded('module')) return undefined;
    const exported = global.module.exports;
    if (exported && typeof exported.execute === 'function') return exported.execute;
    if (typeof exported === 'function' && exported.name === 'execute') return exported;
    return undefined;
  };
  /** A file the driver puts in the VFS (an input attachment, /data/binary/<index>/<name>), with its directories. */
  internal.addFile = (path, buffer) => {
    const parts = path.split('/');
    for (let i = 2; i < parts.length; i++) internal.dirs.add(parts.slice(0, i).join('/'));
    internal.files.set(path, buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : buffer);
  };
  const OUTBOX = '/tmp/isola-outbox/';
  /** Whether this job's ctx.binary.attach ran (the image holds false, so every job starts without). */
  let attached = false;
  const itemFiles = {
    read: (name) => {
      const content = internal.files.get('/data/binary/' + internal.item.index + '/' + name);
      return typeof content === 'string' ? lib('text').encode(content) : content?.slice();
    },
    write: (name, bytes) => {
      attached = true;
      internal.addFile(OUTBOX + name, bytes.slice());
    },
  };
  /** Names of the files in the outbox (what ctx.binary.attach or fs wrote), for the driver to collect; none without either. */
  internal.outboxNames = () => (internal.libs.fs || attached ? [...internal.files.keys()].filter((path) => path.startsWith(OUTBOX)).map((path) => path.slice(OUTBOX.length)) : []);
  internal.outboxFile = (name) => {
    const content = internal.files.get(OUTBOX + name);
    const bytes = typeof content === 'string' ? lib('text').encode(content) : content;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  };
  let itemReport;
  internal.callExecute = (execute) => {
    const call = lib('batch-item').begin(internal.item.json, internal.item.index, () => host.items(), itemFiles);
    itemReport = call.report;
    return execute(call.args, call.ctx);
  };
  internal.serializeItem = (value) => internal.serialize(itemReport(value));
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

  // Compiled here, so into the heap image: the file only defines functions (evaluating it reads nothing
  // of any job), and a batch would otherwise compile it again for every item (about two thirds of a
  // hello-world item's time in the worker).
  lib('batch-item');

  return internal;
})(globalThis);
