// The console methods beyond log/info/debug/error/warn/trace, kept out of the bootstrap so a fresh
// context compiles less. Each takes the same arguments as Node's.
(function (internal) {
  'use strict';
  const lib = internal.lib;
  const counts = new Map();
  const started = new Map();
  const format = (args) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : lib('inspect').format(args));
  const out = (text) => internal.write(1, text + '\n');
  const timeEnd = (label = 'default', keep) => {
    const start = started.get(label);
    if (start === undefined) return;
    if (!keep) started.delete(label);
    out(label + ': ' + (internal.now() - start).toFixed(3) + 'ms');
  };
  return {
    dir: (value) => out(format([value])),
    dirxml: (...args) => out(format(args)),
    table(data, properties) {
      const text = data !== null && typeof data === 'object' ? lib('console_table').table(data, properties) : undefined;
      out(text === undefined ? format([data]) : text);
    },
    assert(ok, ...args) {
      if (!ok) internal.write(2, 'Assertion failed' + (args.length ? ': ' + format(args) : '') + '\n');
    },
    count(label = 'default') {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      out(label + ': ' + n);
    },
    countReset: (label = 'default') => void counts.delete(label),
    time: (label = 'default') => void started.set(label, internal.now()),
    timeEnd,
    timeLog: (label = 'default') => timeEnd(label, true),
    group: (...args) => args.length && out(format(args)),
    groupCollapsed: (...args) => args.length && out(format(args)),
    groupEnd() {},
  };
})
