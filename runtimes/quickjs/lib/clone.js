// structuredClone: the HTML structured clone algorithm for the types a JSON-ish workload meets.
// Class instances come back as plain objects and functions/symbols throw DataCloneError, as in Node.
(function (internal) {
  'use strict';
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

  function fail(value) {
    let shown;
    try {
      shown = typeof value === 'symbol' ? value.toString() : typeof value === 'function' ? Function.prototype.toString.call(value) : Object.prototype.toString.call(value);
    } catch {
      shown = 'Value';
    }
    return internal.lib('abort').domException(shown + ' could not be cloned.', 'DataCloneError');
  }

  function clone(value, memory) {
    if (typeof value === 'symbol' || typeof value === 'function') throw fail(value);
    if (value === null || typeof value !== 'object') return value;
    if (memory.has(value)) return memory.get(value);
    const remember = (copy) => (memory.set(value, copy), copy);
    if (value instanceof Boolean || value instanceof Number || value instanceof String || value instanceof BigInt) return remember(Object(value.valueOf()));
    if (value instanceof Date) return remember(new Date(value.getTime()));
    if (value instanceof RegExp) return remember(new RegExp(value.source, value.flags));
    if (value instanceof ArrayBuffer) return remember(value.slice(0));
    if (value instanceof TypedArray || value instanceof DataView) {
      const buffer = clone(value.buffer, memory);
      const Ctor = value instanceof DataView ? DataView : globalThis[Object.prototype.toString.call(value).slice(8, -1)];
      const length = value instanceof DataView ? value.byteLength : value.length;
      return remember(new Ctor(buffer, value.byteOffset, length));
    }
    if (value instanceof Map) {
      const copy = remember(new Map());
      for (const [k, v] of value) copy.set(clone(k, memory), clone(v, memory));
      return copy;
    }
    if (value instanceof Set) {
      const copy = remember(new Set());
      for (const v of value) copy.add(clone(v, memory));
      return copy;
    }
    if (value instanceof Error) {
      const name = Object.hasOwn(ERRORS, value.name) ? value.name : 'Error';
      const copy = remember(new ERRORS[name](String(value.message)));
      if (typeof value.stack === 'string') copy.stack = value.stack;
      if ('cause' in value) copy.cause = clone(value.cause, memory);
      return copy;
    }
    if (Array.isArray(value)) {
      const copy = remember(new Array(value.length));
      for (const key of Object.keys(value)) copy[key] = clone(value[key], memory);
      return copy;
    }
    if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) throw fail(value);
    const copy = remember({});
    for (const key of Object.keys(value)) copy[key] = clone(value[key], memory);
    return copy;
  }

  function structuredClone(value, options) {
    if (arguments.length === 0) throw new TypeError('The "value" argument must be specified');
    void options; // transfer lists only matter across threads; there are none in the sandbox
    return clone(value, new Map());
  }

  return { structuredClone };
});
