// node:util beyond inspect/format: inherits, promisify, deep equality and the common type checks.
(function (internal) {
  'use strict';
  const { formatWithOptions, inspect } = internal.lib('inspect');
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const customPromisify = Symbol.for('nodejs.util.promisify.custom');

  function inherits(ctor, superCtor) {
    if (typeof ctor !== 'function' || typeof superCtor !== 'function') throw new TypeError('The "ctor" and "superCtor" arguments must be of type function');
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  function promisify(original) {
    if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
    if (typeof original[customPromisify] === 'function') return original[customPromisify];
    function promisified(...args) {
      return new Promise((resolve, reject) => {
        original.call(this, ...args, (error, value) => (error ? reject(error) : resolve(value)));
      });
    }
    Object.setPrototypeOf(promisified, Object.getPrototypeOf(original));
    return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(original));
  }
  promisify.custom = customPromisify;

  function callbackify(original) {
    return function (...args) {
      const callback = args.pop();
      original.apply(this, args).then((value) => callback(null, value), (error) => callback(error || new Error('Promise was rejected with a falsy value')));
    };
  }

  function deprecate(fn, message) {
    let warned = false;
    return function (...args) {
      if (!warned) {
        warned = true;
        internal.write(2, '(node) DeprecationWarning: ' + message + '\n');
      }
      return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
    };
  }

  // Node's isDeepStrictEqual: same prototypes, same own enumerable keys, SameValue for primitives,
  // Map/Set compared by content (Set members and Map keys by deep equality when they are objects).
  function deepEqual(a, b, memo) {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (tag(a) !== tag(b)) return false;
    for (const [x, y] of memo) if (x === a && y === b) return true;
    memo.push([a, b]);
    try {
      if (a instanceof Date) {
        if (a.getTime() !== b.getTime()) return false;
      } else if (a instanceof RegExp) {
        if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
      } else if (a instanceof Error) {
        if (a.message !== b.message || a.name !== b.name) return false;
      } else if (a instanceof Number || a instanceof String || a instanceof Boolean || a instanceof BigInt || a instanceof Symbol) {
        if (!Object.is(a.valueOf(), b.valueOf())) return false;
      } else if (a instanceof ArrayBuffer) {
        if (!bytesEqual(new Uint8Array(a), new Uint8Array(b))) return false;
      } else if (a instanceof TypedArray) {
        if (a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
      } else if (a instanceof Set) {
        if (a.size !== b.size) return false;
        outer: for (const value of a) {
          if (b.has(value)) continue;
          if (typeof value !== 'object' || value === null) return false;
          for (const other of b) if (deepEqual(value, other, memo)) continue outer;
          return false;
        }
      } else if (a instanceof Map) {
        if (a.size !== b.size) return false;
        outer: for (const [key, value] of a) {
          if (b.has(key)) {
            if (!deepEqual(value, b.get(key), memo)) return false;
            continue;
          }
          if (typeof key !== 'object' || key === null) return false;
          for (const [otherKey, otherValue] of b) if (deepEqual(key, otherKey, memo) && deepEqual(value, otherValue, memo)) continue outer;
          return false;
        }
      }
      if (Array.isArray(a) && a.length !== b.length) return false;
      const keysA = ownEnumerable(a);
      const keysB = ownEnumerable(b);
      if (keysA.length !== keysB.length) return false;
      for (const key of keysA) {
        if (!Object.prototype.propertyIsEnumerable.call(b, key)) return false;
        if (a instanceof TypedArray && typeof key === 'string' && /^\d+$/.test(key)) continue;
        if (!deepEqual(a[key], b[key], memo)) return false;
      }
      return true;
    } finally {
      memo.pop();
    }
  }

  function ownEnumerable(obj) {
    const keys = Object.keys(obj);
    for (const symbol of Object.getOwnPropertySymbols(obj)) if (Object.prototype.propertyIsEnumerable.call(obj, symbol)) keys.push(symbol);
    return keys;
  }

  function bytesEqual(x, y) {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  const AsyncFunction = (async () => {}).constructor;
  const GeneratorFunction = function* () {}.constructor;
  const types = {
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isPromise: (v) => v instanceof Promise,
    isNativeError: (v) => v instanceof Error,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray: (v) => v instanceof TypedArray,
    isUint8Array: (v) => v instanceof Uint8Array,
    isDataView: (v) => v instanceof DataView,
    isAsyncFunction: (v) => v instanceof AsyncFunction,
    isGeneratorFunction: (v) => v instanceof GeneratorFunction,
    isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt || v instanceof Symbol,
  };

  // util.styleText: ANSI SGR codes. Like Node, colours are dropped when the target stream is not a TTY
  // (the sandbox's stdout never is) unless { validateStream: false } is passed.
  const STYLES = { reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], inverse: [7, 27], hidden: [8, 28], strikethrough: [9, 29],
    black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], white: [37, 39], gray: [90, 39], grey: [90, 39],
    bgBlack: [40, 49], bgRed: [41, 49], bgGreen: [42, 49], bgYellow: [43, 49], bgBlue: [44, 49], bgMagenta: [45, 49], bgCyan: [46, 49], bgWhite: [47, 49] };
  function styleText(format, text, options) {
    let out = String(text);
    const plain = !(options && options.validateStream === false) && !(options?.stream?.isTTY);
    for (const name of Array.isArray(format) ? format.slice().reverse() : [format]) {
      const codes = STYLES[name];
      if (!codes) {
        const error = new TypeError('The argument \'format\' must be one of: ' + Object.keys(STYLES).join(', ') + ". Received '" + name + "'");
        error.code = 'ERR_INVALID_ARG_VALUE';
        throw error;
      }
      if (!plain) out = '\u001b[' + codes[0] + 'm' + out + '\u001b[' + codes[1] + 'm';
    }
    return out;
  }

  const util = {
    styleText,
    stripVTControlCharacters: (str) => String(str).replace(/[\u001b\u009b][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, ''),
    toUSVString: (str) => String(str).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
    format: (...args) => formatWithOptions(undefined, args),
    formatWithOptions: (options, ...args) => formatWithOptions(options, args),
    inspect,
    inherits,
    promisify,
    callbackify,
    deprecate,
    isDeepStrictEqual: (a, b) => deepEqual(a, b, []),
    types,
    isArray: Array.isArray,
    debuglog: () => () => {},
    get TextEncoder() {
      return internal.lib('text').TextEncoder;
    },
    get TextDecoder() {
      return internal.lib('text').TextDecoder;
    },
  };
  return util;
});
