// node:util's inspect/format, close enough to Node's output that logs read the same in the sandbox.
// The layout rules (3 inner-most levels on one line if they fit in 80 columns, array grouping in columns)
// follow Node's lib/internal/util/inspect.js so console.log output matches what users see locally.
(function (internal) {
  'use strict';
  const custom = Symbol.for('nodejs.util.inspect.custom');
  const BREAK = 80;
  const MAX_ARRAY = 100;
  const MAX_STRING = 10000;
  const identifier = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const toStr = (v) => Object.prototype.toString.call(v);
  const AsyncFunction = (async () => {}).constructor;
  const GeneratorFunction = function* () {}.constructor;
  const AsyncGeneratorFunction = async function* () {}.constructor;

  function quote(str) {
    let q = "'";
    if (str.includes("'")) {
      if (!str.includes('"')) q = '"';
      else if (!str.includes('`') && !str.includes('${')) q = '`';
    }
    let out = '';
    for (let i = 0; i < str.length; i++) {
      const c = str[i];
      const code = str.charCodeAt(i);
      if (c === q || c === '\\') out += '\\' + c;
      else if (c === '\n') out += '\\n';
      else if (c === '\t') out += '\\t';
      else if (c === '\r') out += '\\r';
      else if (c === '\b') out += '\\b';
      else if (c === '\f') out += '\\f';
      else if (c === '\v') out += '\\v';
      else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).toUpperCase().padStart(2, '0');
      else out += c;
    }
    return q + out + q;
  }

  // Node's escapes for a symbol key's description: control characters, the quote and the backslash as in
  // its `meta` table (\b \t \n \f \r, else \xHH), lone surrogates as \uhhhh.
  const symbolEscapes = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const namedEscapes = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  function escapeSymbol(str) {
    return str.replace(symbolEscapes, (c) => {
      const code = c.charCodeAt(0);
      if (namedEscapes[code] !== undefined) return namedEscapes[code];
      return code <= 0x9f ? '\\x' + code.toString(16).toUpperCase().padStart(2, '0') : '\\u' + code.toString(16);
    });
  }

  function formatNumber(n) {
    return Object.is(n, -0) ? '-0' : String(n);
  }

  function formatPrimitive(value, ctx) {
    switch (typeof value) {
      case 'string': {
        const trimmed = value.length > ctx.maxStringLength ? value.slice(0, ctx.maxStringLength) : value;
        const more = value.length - trimmed.length;
        return quote(trimmed) + (more > 0 ? '... ' + more + ' more character' + (more > 1 ? 's' : '') : '');
      }
      case 'number':
        return formatNumber(value);
      case 'bigint':
        return value + 'n';
      case 'symbol':
        return value.toString();
      default:
        return String(value);
    }
  }

  // Brand checks: a prototype object (Map.prototype, Uint8Array.prototype) is not an instance even though
  // instanceof or its toStringTag may say so, and its accessors throw when called on it.
  function isMap(v) {
    try {
      Map.prototype.has.call(v, undefined);
      return true;
    } catch {
      return false;
    }
  }
  function isSet(v) {
    try {
      Set.prototype.has.call(v, undefined);
      return true;
    } catch {
      return false;
    }
  }
  // Read through the built-ins, not the instance: a Map or Set may have a null or foreign prototype.
  const mapSize = (v) => Object.getOwnPropertyDescriptor(Map.prototype, 'size').get.call(v);
  const setSize = (v) => Object.getOwnPropertyDescriptor(Set.prototype, 'size').get.call(v);
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const isTypedArray = (v) => ArrayBuffer.isView(v) && !(v instanceof DataView);

  function constructorName(obj) {
    let proto = Object.getPrototypeOf(obj);
    while (proto !== null) {
      const desc = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (desc && typeof desc.value === 'function' && desc.value.name !== '') return desc.value.name;
      proto = Object.getPrototypeOf(proto);
    }
    return null;
  }

  function functionBase(fn, ctorName) {
    let source = '';
    try {
      source = Function.prototype.toString.call(fn);
    } catch {}
    if (source.startsWith('class') && /^class\s*[\s{]/.test(source.replace(/^class\s+[A-Za-z_$][\w$]*/, 'class '))) {
      const parent = Object.getPrototypeOf(fn);
      return '[class ' + (fn.name || '(anonymous)') + (parent?.name ? ' extends ' + parent.name : '') + ']';
    }
    let type = 'Function';
    if (fn instanceof AsyncFunction) type = 'AsyncFunction';
    else if (fn instanceof GeneratorFunction) type = 'GeneratorFunction';
    else if (fn instanceof AsyncGeneratorFunction) type = 'AsyncGeneratorFunction';
    let base = '[' + type + (fn.name ? ': ' + fn.name : ' (anonymous)') + ']';
    if (ctorName === null) base += ' [null prototype]';
    return base;
  }

  function formatError(err, ctx) {
    const name = String(err.name || 'Error');
    const message = String(err.message === undefined ? '' : err.message);
    const head = message ? name + ': ' + message : name;
    // QuickJS's stack holds only the "    at ..." frames; Node's starts with "Name: message".
    const frames = typeof err.stack === 'string' ? err.stack.replace(/\s+$/, '') : '';
    let text = frames ? head + '\n' + frames.replace(/^\n+/, '') : '[' + head + ']';
    if (ctx.indentationLvl > 0) text = text.split('\n').join('\n' + ' '.repeat(ctx.indentationLvl));
    return text;
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return formatPrimitive(value, ctx);
    if (ctx.customInspect !== false) {
      const fn = value[custom];
      // As Node: a class's prototype object is not an instance, so its custom inspect is not used.
      const isPrototype = value.constructor && value.constructor.prototype === value;
      if (typeof fn === 'function' && fn !== inspect && !isPrototype) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const result = fn.call(value, depth, Object.assign({}, ctx.options, { depth }), inspect);
        if (result !== value) return typeof result === 'string' ? result : formatValue(ctx, result, recurseTimes);
      }
    }
    if (ctx.seen.includes(value)) {
      let index = ctx.circular.get(value);
      if (index === undefined) {
        index = ctx.circular.size + 1;
        ctx.circular.set(value, index);
      }
      return '[Circular *' + index + ']';
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function formatRaw(ctx, value, recurseTimes, _typedArray) {
    const ctorName = constructorName(value);
    const toStringTag = shownTag(ctx, value);
    // Node's getPrefix: "Foo(2) [Map] " when a subclass's name differs from the built-in's tag.
    const prefix = (fallback, size) => {
      const sized = (name) => (size !== undefined ? name + '(' + size + ')' : name);
      if (ctorName === null) return '[' + sized(fallback) + ': null prototype] ' + (toStringTag !== '' && toStringTag !== fallback ? '[' + toStringTag + '] ' : '');
      return sized(ctorName) + ' ' + (toStringTag !== '' && toStringTag !== ctorName ? '[' + toStringTag + '] ' : '');
    };
    let keys = ownKeys(value, ctx.showHidden);
    let base = '';
    let braces;
    let formatter = formatObjectEntries;
    let arrayLike = false;
    const tag = toStr(value);
    if (Array.isArray(value)) {
      keys = keys.filter((k) => !isIndex(k, value.length));
      braces = [(ctorName === 'Array' ? '' : prefix('Array', value.length)) + '[', ']'];
      formatter = formatArray;
      arrayLike = true;
      if (value.length === 0 && keys.length === 0) return braces[0] + ']';
    } else if (isMap(value)) {
      braces = [prefix('Map', mapSize(value)) + '{', '}'];
      formatter = formatMap;
      if (mapSize(value) === 0 && keys.length === 0) return braces[0] + '}';
    } else if (isSet(value)) {
      braces = [prefix('Set', setSize(value)) + '{', '}'];
      formatter = formatSet;
      if (setSize(value) === 0 && keys.length === 0) return braces[0] + '}';
    } else if (isTypedArray(value)) {
      keys = keys.filter((k) => !isIndex(k, value.length));
      braces = [prefix(tag.slice(8, -1), value.length) + '[', ']'];
      formatter = formatArray;
      arrayLike = true;
      if (value.length === 0 && keys.length === 0) return braces[0] + ']';
    } else if (typeof value === 'function') {
      base = functionBase(value, ctorName);
      if (keys.length === 0) return base;
      braces = ['{', '}'];
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      if (keys.length === 0) return base;
      braces = ['{', '}'];
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      if (keys.length === 0) return base;
      braces = ['{', '}'];
    } else if (value instanceof Error) {
      base = formatError(value, ctx);
      // As Node: drop name/message/stack keys the header already shows; always show cause and errors.
      keys = keys.filter((k) => !((k === 'stack' || k === 'message' || k === 'name') && (typeof value[k] !== 'string' || base.includes(value[k]))));
      if ('cause' in value && !keys.includes('cause')) keys.push('cause');
      if (Array.isArray(value.errors) && !keys.includes('errors')) keys.push('errors');
      if (keys.length === 0) return base;
      braces = ['{', '}'];
    } else if (value instanceof ArrayBuffer) {
      braces = [prefix('ArrayBuffer') + '{', '}'];
      formatter = formatArrayBuffer;
    } else if (value instanceof DataView && ArrayBuffer.isView(value)) {
      // Node 24 brackets these names: they are prototype accessors, shown like hidden keys.
      braces = [prefix('DataView') + '{', '}'];
      formatter = (c, v, r) => ['[byteLength]: ' + v.byteLength, '[byteOffset]: ' + v.byteOffset, '[buffer]: ' + formatValue(c, v.buffer, r + 1)];
    } else if (value instanceof Promise) {
      // A pure-JS inspector cannot see a promise's state synchronously.
      return 'Promise { <unknown> }';
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return (ctorName || 'WeakMap') + ' { <items unknown> }';
    } else if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol) {
      const type = tag.slice(8, -1);
      base = '[' + type + ': ' + formatPrimitive(value.valueOf(), ctx) + ']';
      if (value instanceof String) keys = keys.filter((k) => !isIndex(k, value.length));
      if (keys.length === 0) return base;
      braces = ['{', '}'];
    } else {
      let name = ctorName === null ? '[Object: null prototype]' : ctorName === 'Object' ? '' : ctorName;
      if (toStringTag !== '' && toStringTag !== ctorName) name = (name || 'Object') + ' [' + toStringTag + ']';
      if (keys.length === 0) return name ? name + ' {}' : '{}';
      braces = [(name ? name + ' ' : '') + '{', '}'];
    }

    if (ctx.depth !== null && recurseTimes > ctx.depth) {
      const name = ctorName || (arrayLike ? 'Array' : 'Object');
      return '[' + name + ']';
    }

    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, false));
    } finally {
      ctx.seen.pop();
    }
    const ref = ctx.circular.get(value);
    if (ref !== undefined) {
      const marker = '<ref *' + ref + '> ';
      if (base === '') braces[0] = marker + braces[0];
      else base = marker + base;
    }
    return reduceToSingleString(ctx, output, base, braces, arrayLike, recurseTimes, value);
  }

  // The Symbol.toStringTag Node shows in a prefix: not one that is an own enumerable key (hidden own keys too
  // with showHidden), since that one is printed among the keys already.
  function shownTag(ctx, value) {
    const tag = value[Symbol.toStringTag];
    if (typeof tag !== 'string') return '';
    const listed = ctx.showHidden ? Object.prototype.hasOwnProperty : Object.prototype.propertyIsEnumerable;
    return tag !== '' && listed.call(value, Symbol.toStringTag) ? '' : tag;
  }

  function isIndex(key, length) {
    if (typeof key !== 'string') return false;
    const n = Number(key);
    return Number.isInteger(n) && n >= 0 && n < length && String(n) === key;
  }

  function ownKeys(value, showHidden) {
    const keys = showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
    for (const symbol of Object.getOwnPropertySymbols(value)) {
      if (showHidden || Object.prototype.propertyIsEnumerable.call(value, symbol)) keys.push(symbol);
    }
    return keys;
  }

  function formatProperty(ctx, value, recurseTimes, key, isArrayItem) {
    const desc = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    let str;
    if (desc.value !== undefined || !('get' in desc || 'set' in desc)) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, desc.value, recurseTimes + 1);
      ctx.indentationLvl -= 2;
    } else if (desc.get) {
      str = desc.set ? '[Getter/Setter]' : '[Getter]';
    } else {
      str = desc.set ? '[Setter]' : 'undefined';
    }
    if (isArrayItem) return str;
    let name;
    // Node 24 prints a symbol key bare (brackets now only mark non-enumerable keys), escaped as strings are.
    if (typeof key === 'symbol') name = escapeSymbol(key.toString());
    else if (identifier.test(key)) name = key;
    else name = quote(key);
    if (desc.enumerable === false) name = '[' + name + ']';
    return name + ': ' + str;
  }

  function formatArray(ctx, value, recurseTimes) {
    const output = [];
    const length = value.length;
    const shown = Math.min(length, ctx.maxArrayLength);
    let holes = 0;
    for (let i = 0; i < shown; i++) {
      if (!Object.hasOwn(value, i) && !(value instanceof TypedArray)) {
        holes++;
        continue;
      }
      if (holes > 0) {
        output.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
        holes = 0;
      }
      output.push(formatProperty(ctx, value, recurseTimes, i, true));
    }
    if (holes > 0) output.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
    if (length > shown) output.push('... ' + (length - shown) + ' more item' + (length - shown > 1 ? 's' : ''));
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const output = [];
    ctx.indentationLvl += 2;
    for (const [k, v] of mapEntries.call(value)) {
      if (output.length >= ctx.maxArrayLength) break;
      output.push(formatValue(ctx, k, recurseTimes + 1) + ' => ' + formatValue(ctx, v, recurseTimes + 1));
    }
    ctx.indentationLvl -= 2;
    return moreItems(output, mapSize(value));
  }

  function formatSet(ctx, value, recurseTimes) {
    const output = [];
    ctx.indentationLvl += 2;
    for (const v of setValues.call(value)) {
      if (output.length >= ctx.maxArrayLength) break;
      output.push(formatValue(ctx, v, recurseTimes + 1));
    }
    ctx.indentationLvl -= 2;
    return moreItems(output, setSize(value));
  }

  function moreItems(output, size) {
    const more = size - output.length;
    if (more > 0) output.push('... ' + more + ' more item' + (more > 1 ? 's' : ''));
    return output;
  }

  function formatObjectEntries() {
    return [];
  }

  // As Node 24: up to maxArrayLength bytes in hex (Buffer's 50 is its own limit), then byteLength in
  // brackets (a prototype accessor, shown like a hidden key); own keys follow, and the whole breaks over
  // lines like any object when too wide.
  function formatArrayBuffer(ctx, value) {
    const bytes = new Uint8Array(value);
    const shown = Math.min(bytes.length, ctx.maxArrayLength);
    const hex = Array.from(bytes.subarray(0, shown), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const rest = bytes.length - shown;
    const more = rest > 0 ? ' ... ' + rest + ' more byte' + (rest > 1 ? 's' : '') : '';
    return ['[Uint8Contents]: <' + hex + more + '>', '[byteLength]: ' + value.byteLength];
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let outputLength = output.length;
    if (value && value.length > ctx.maxArrayLength) outputLength--; // leave "... n more items" out of the grid
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax), Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax), ctx.compact * 4, 15);
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineLength = 0;
        for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
        maxLineLength.push(lineLength + separatorSpace);
      }
      let padStart = true;
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
          padStart = false;
          break;
        }
      }
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < max - 1; j++) {
          const cell = output[j] + ', ';
          str += padStart ? cell.padStart(maxLineLength[j - i], ' ') : cell.padEnd(maxLineLength[j - i], ' ');
        }
        str += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, ' ') : output[j];
        tmp.push(str);
      }
      if (outputLength < output.length) tmp.push(output[outputLength]);
      return tmp;
    }
    return output;
  }

  function reduceToSingleString(ctx, output, base, braces, arrayLike, recurseTimes, value) {
    const entries = output.length;
    if (ctx.compact !== false && arrayLike && entries > 6) output = groupArrayElements(ctx, output, value);
    if (ctx.compact !== false && ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
      const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
      let total = output.length + start;
      let fits = total + output.length <= ctx.breakLength;
      for (let i = 0; fits && i < output.length; i++) {
        total += output[i].length;
        if (total > ctx.breakLength) fits = false;
      }
      if (fits && !base.includes('\n')) {
        const joined = output.join(', ');
        if (!joined.includes('\n')) return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
      }
    }
    const indentation = '\n' + ' '.repeat(ctx.indentationLvl);
    return (base ? base + ' ' : '') + braces[0] + indentation + '  ' + output.join(',' + indentation + '  ') + indentation + braces[1];
  }

  function inspect(value, opts) {
    const options = typeof opts === 'object' && opts !== null ? opts : {};
    const ctx = {
      options,
      depth: options.depth === undefined ? 2 : options.depth === Infinity ? null : options.depth,
      showHidden: !!options.showHidden,
      customInspect: options.customInspect,
      compact: typeof options.compact === 'number' || options.compact === false ? options.compact : 3,
      breakLength: typeof options.breakLength === 'number' ? options.breakLength : BREAK,
      maxArrayLength: options.maxArrayLength === null ? Infinity : typeof options.maxArrayLength === 'number' ? Math.max(0, options.maxArrayLength) : MAX_ARRAY,
      maxStringLength: options.maxStringLength === null ? Infinity : typeof options.maxStringLength === 'number' ? Math.max(0, options.maxStringLength) : MAX_STRING,
      seen: [],
      circular: new Map(),
      indentationLvl: 0,
      currentDepth: 0,
    };
    return formatValue(ctx, value, 0);
  }
  inspect.custom = custom;
  inspect.defaultOptions = { depth: 2, showHidden: false, breakLength: BREAK, compact: 3 };

  function formatWithOptions(inspectOptions, args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        const next = first[i + 1];
        if (a + 1 !== args.length) {
          let piece;
          const arg = args[a + 1];
          switch (next) {
            case 's':
              if (typeof arg === 'bigint') piece = arg + 'n';
              else if (typeof arg === 'number') piece = formatNumber(arg);
              else if (typeof arg === 'object' && arg !== null && hasBuiltInToString(arg)) piece = inspect(arg, Object.assign({}, inspectOptions, { depth: 0 }));
              else piece = String(arg);
              break;
            case 'j':
              piece = tryStringify(arg);
              break;
            case 'd':
              piece = typeof arg === 'bigint' ? arg + 'n' : typeof arg === 'symbol' ? 'NaN' : formatNumber(Number(arg));
              break;
            case 'i':
              piece = typeof arg === 'bigint' ? arg + 'n' : typeof arg === 'symbol' ? 'NaN' : formatNumber(parseInt(arg, 10));
              break;
            case 'f':
              piece = typeof arg === 'symbol' ? 'NaN' : formatNumber(parseFloat(arg));
              break;
            case 'O':
              piece = inspect(arg, inspectOptions);
              break;
            case 'o':
              piece = inspect(arg, Object.assign({}, inspectOptions, { showHidden: true, depth: 4 }));
              break;
            case 'c':
              piece = '';
              break;
            case '%':
              str += first.slice(lastPos, i) + '%';
              lastPos = i + 2;
              i++;
              continue;
            default:
              continue;
          }
          if (lastPos !== i) str += first.slice(lastPos, i);
          str += piece;
          lastPos = i + 2;
          i++;
          a++;
        } else if (next === '%') {
          str += first.slice(lastPos, i) + '%';
          lastPos = i + 2;
          i++;
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += join + (typeof value === 'string' ? value : inspect(value, inspectOptions));
      join = ' ';
      a++;
    }
    return str;
  }

  // Node's rule for %s: objects whose toString is a built-in one are inspected, others are String()ed.
  const BUILT_INS = new Set(['Object', 'Array', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError',
    'Date', 'RegExp', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Function', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Promise', 'ArrayBuffer', 'DataView',
    'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']);
  function hasBuiltInToString(value) {
    if (typeof value.toString !== 'function') return true;
    if (Object.hasOwn(value, 'toString')) return false;
    let pointer = value;
    do pointer = Object.getPrototypeOf(pointer);
    while (pointer !== null && !Object.hasOwn(pointer, 'toString'));
    const descriptor = pointer && Object.getOwnPropertyDescriptor(pointer, 'constructor');
    return descriptor !== undefined && descriptor !== null && typeof descriptor.value === 'function' && BUILT_INS.has(descriptor.value.name);
  }

  function tryStringify(arg) {
    try {
      return JSON.stringify(arg);
    } catch (error) {
      if (error instanceof TypeError && hasCycle(arg, [])) return '[Circular]';
      throw error;
    }
  }

  function hasCycle(value, stack) {
    if (value === null || typeof value !== 'object') return false;
    if (stack.includes(value)) return true;
    stack.push(value);
    for (const key of Object.keys(value)) if (hasCycle(value[key], stack)) return true;
    stack.pop();
    return false;
  }

  // util (inherits, promisify, types...) lives in util.js, which itself uses this lib: load it lazily.
  return {
    format: (args) => formatWithOptions(undefined, args),
    formatWithOptions,
    inspect,
    get util() {
      return internal.lib('util');
    },
  };
});
