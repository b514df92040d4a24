// `process` for guest code: what Node scripts use in code nodes. No real process is behind it: env is empty,
// exit() ends the run through the host, stdout/stderr are the captured streams.
(function (internal) {
  'use strict';
  const toText = (chunk) => (typeof chunk === 'string' ? chunk : internal.lib('text').decode(chunk));
  const stream = (fd) => ({
    fd,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      internal.write(fd, toText(chunk));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(done);
      return true;
    },
    end(chunk) {
      if (chunk !== undefined) internal.write(fd, toText(chunk));
    },
    on() {
      return this;
    },
    once() {
      return this;
    },
  });
  const listeners = [];
  const process = {
    title: 'node',
    argv: ['/usr/local/bin/node', internal.cwd + '/' + internal.filename],
    argv0: 'node',
    execArgv: [],
    env: {},
    platform: 'linux',
    arch: 'wasm32',
    version: 'v20.0.0',
    versions: { node: '20.0.0' },
    release: { name: 'node' },
    pid: 1,
    ppid: 0,
    exitCode: undefined,
    stdout: stream(1),
    stderr: stream(2),
    get stdin() {
      return internal.lib('stdin');
    },
    cwd: () => internal.cwd,
    chdir(dir) {
      const target = internal.lib('path').resolve(internal.cwd, String(dir));
      if (!internal.dirs.has(target)) {
        const error = new Error("ENOENT: no such file or directory, chdir '" + internal.cwd + "' -> '" + dir + "'");
        error.code = 'ENOENT';
        throw error;
      }
      internal.cwd = target;
    },
    exit(code) {
      const n = code === undefined || code === null ? (process.exitCode === undefined ? 0 : process.exitCode) : code;
      // The host records the code and interrupts the interpreter, so not even a catch block resumes the run.
      internal.exit(Number(n) | 0);
      throw new Error('process.exit(' + n + ')');
    },
    abort() {
      process.exit(134);
    },
    nextTick(callback, ...args) {
      Promise.resolve().then(() => callback(...args));
    },
    hrtime: Object.assign(
      (previous) => {
        const ms = internal.now();
        let seconds = Math.floor(ms / 1000);
        let nanos = Math.floor((ms % 1000) * 1e6);
        if (previous) {
          seconds -= previous[0];
          nanos -= previous[1];
          if (nanos < 0) {
            seconds -= 1;
            nanos += 1e9;
          }
        }
        return [seconds, nanos];
      },
      { bigint: () => BigInt(Math.floor(internal.now() * 1e6)) },
    ),
    memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
    cpuUsage: () => ({ user: 0, system: 0 }),
    uptime: () => internal.now() / 1000,
    umask: () => 0o22,
    getuid: () => 10000,
    getgid: () => 10000,
    emitWarning: (warning) => internal.write(2, '(node) Warning: ' + String(warning?.message ? warning.message : warning) + '\n'),
    // Event registration is accepted (scripts register 'exit' or 'unhandledRejection' handlers) but the
    // sandbox emits no process events.
    on(event, listener) {
      listeners.push([event, listener]);
      return process;
    },
    once(event, listener) {
      return process.on(event, listener);
    },
    off() {
      return process;
    },
    removeListener() {
      return process;
    },
    removeAllListeners() {
      return process;
    },
    listeners: (event) => listeners.filter(([name]) => name === event).map(([, fn]) => fn),
    emit: () => false,
  };
  return process;
})
