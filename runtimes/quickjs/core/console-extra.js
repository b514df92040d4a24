// The rarely used console methods, kept out of the bootstrap so a fresh context parses less.
(function (internal) {
  'use strict';
  const counts = new Map();
  const started = new Map();
  return {
    count(label) {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      internal.write(1, label + ': ' + n + '\n');
    },
    time(label) {
      started.set(label, internal.now());
    },
    timeEnd(label, keep) {
      const start = started.get(label);
      if (start === undefined) return;
      if (!keep) started.delete(label);
      internal.write(1, label + ': ' + (internal.now() - start).toFixed(3) + 'ms\n');
    },
  };
})
