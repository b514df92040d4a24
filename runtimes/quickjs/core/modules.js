// `require` and `module` for guest code. Built-ins resolve to the sandbox's own implementations; other
// names resolve to the packages bundled into this execution's environment (globalThis.__isolaPackages).
(function (internal) {
  'use strict';
  const lib = internal.lib;
  const builtins = {
    fs: () => lib('fs'),
    'fs/promises': () => lib('fs').promises,
    path: () => lib('path'),
    'path/posix': () => lib('path'),
    buffer: () => lib('buffer'),
    util: () => lib('util'),
    url: () => lib('url'),
    events: () => lib('events'),
    crypto: () => lib('crypto'),
    timers: () => ({ setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate }),
    'timers/promises': () => ({
      setTimeout: (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms)),
      setImmediate: (value) => new Promise((resolve) => setImmediate(() => resolve(value))),
    }),
    process: () => globalThis.process,
    string_decoder: () => lib('text').string_decoder,
    assert: () => lib('assert'),
    'assert/strict': () => lib('assert'),
    querystring: () => lib('querystring'),
    readline: () => lib('readline'),
    'readline/promises': () => lib('readline').promises,
    os: () => lib('os'),
    'util/types': () => lib('util').types,
    // Project files, databases and KV (runtimes/quickjs/lib/project_data.js), and Intellectible's
    // signatures over the same clients (intellectible_sdk.js).
    isola: () => lib('project_data'),
    '@intellectible/execution-sdk': () => lib('intellectible_sdk'),
  };
  // Node modules that cannot exist in a sandbox without processes, sockets or a real file system.
  const unavailable = new Set(['child_process', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'cluster', 'worker_threads', 'vm', 'v8', 'inspector', 'module', 'zlib', 'stream', 'perf_hooks', 'async_hooks', 'repl', 'tty']);
  const cache = Object.create(null);

  function require(specifier) {
    const id = String(specifier);
    if (id in cache) return cache[id];
    const bare = id.startsWith('node:') ? id.slice(5) : id;
    const builtin = Object.hasOwn(builtins, bare) ? builtins[bare] : undefined;
    if (builtin) return (cache[id] = builtin());
    const packages = globalThis.__isolaPackages;
    if (packages && Object.hasOwn(packages, id)) return (cache[id] = packages[id]());
    let message = "Cannot find module '" + id + "'";
    if (unavailable.has(bare)) message += ': the sandbox has no ' + bare + ' module (no processes, sockets or host files)';
    else if (!id.startsWith('.') && !id.startsWith('/')) message += '; list it in "packages" to install it';
    const error = new Error(message);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  require.resolve = (id) => {
    require(id);
    return String(id);
  };
  require.cache = cache;

  const module = { id: '.', filename: internal.cwd + '/' + internal.filename, loaded: false, exports: {}, children: [], paths: [] };
  module.require = require;
  return { require, module };
})
