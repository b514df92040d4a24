// Explains why main()'s return value cannot be serialized to JSON: walks the value the way
// JSON.stringify would and names the first offending path, e.g. `output.user.id: BigInt value ...`.
// The one source for every JavaScript lane: QuickJS loads it as its `serialize` lib, the native lane's
// runner.mjs evaluates the same text in Node. A function expression, so both can call it with their
// `internal` object (unused here).
(function (internal) {
  'use strict';
  const identifier = /^[A-Za-z_$][\w$]*$/;
  const child = (path, key) => (typeof key === 'number' ? path + '[' + key + ']' : identifier.test(key) ? path + '.' + key : path + '[' + JSON.stringify(key) + ']');

  function find(_holder, key, value, path, stack) {
    if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
      try {
        value = value.toJSON(key);
      } catch (error) {
        return [path, 'toJSON() threw ' + describe(error), error];
      }
    }
    if (typeof value === 'bigint') return [path, "BigInt value can't be serialized in JSON"];
    if (value === null || typeof value !== 'object') return null;
    if (stack.includes(value)) return [path, 'circular reference'];
    stack.push(value);
    try {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = find(value, String(i), value[i], child(path, i), stack);
          if (found) return found;
        }
      } else {
        for (const k of Object.keys(value)) {
          let v;
          try {
            v = value[k];
          } catch (error) {
            return [child(path, k), 'getter threw ' + describe(error), error];
          }
          const found = find(value, k, v, child(path, k), stack);
          if (found) return found;
        }
      }
    } finally {
      stack.pop();
    }
    return null;
  }

  function describe(error) {
    return error instanceof Error ? error.name + ': ' + error.message : String(error);
  }

  function explain(value, error) {
    const found = find({ '': value }, '', value, 'output', []);
    const message = found ? found[0] + ': ' + found[1] : 'output: cannot be serialized to JSON (' + describe(error) + ')';
    const result = new Error(message, { cause: found && found[2] !== undefined ? found[2] : error });
    result.name = 'InvalidOutputError';
    result.path = found ? found[0] : 'output';
    return result;
  }

  void internal;
  return { explain };
});
