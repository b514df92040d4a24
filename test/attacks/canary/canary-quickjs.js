// Equivalence canary for the QuickJS lane: prints what a job can observe of its realm. After any job, it
// must print exactly what it prints on a fresh engine (test/attacks/canary.ts compares). The per-job
// random values go under "random", which the helper checks are NOT another job's.
const GLOBALS_AT_START = Reflect.ownKeys(globalThis).map(String).sort();

function describeValue(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return [typeof value, String(value).slice(0, 200)];
  if (typeof value === 'function') {
    let source;
    try { source = Function.prototype.toString.call(value) } catch (error) { source = 'toString threw ' + error }
    return ['function', value.name, value.length, source.length > 300 ? `${source.length} chars` : source];
  }
  return ['object', Object.prototype.toString.call(value)];
}

function describeOwn(target) {
  const out = {};
  for (const key of Reflect.ownKeys(target)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    const flags = `${descriptor.writable ? 'w' : '-'}${descriptor.enumerable ? 'e' : '-'}${descriptor.configurable ? 'c' : '-'}`;
    out[String(key)] = 'value' in descriptor
      ? [flags, describeValue(descriptor.value)]
      : [flags, 'accessor', describeValue(descriptor.get), describeValue(descriptor.set)];
  }
  return out;
}

// Intrinsics and host objects, with their prototypes, one level of own properties each.
const roots = {
  globalThis, Object, Array, Function, String, Number, Boolean, Symbol, BigInt, Math, JSON, Reflect, Promise,
  Error, TypeError, RangeError, SyntaxError, Date, RegExp, Map, Set, WeakMap, WeakSet, ArrayBuffer, DataView,
  Uint8Array, Proxy, console, process: typeof process === 'undefined' ? undefined : process,
  Buffer: typeof Buffer === 'undefined' ? undefined : Buffer,
  AsyncFunction: (async function () {}).constructor,
  GeneratorFunction: (function* () {}).constructor,
  TypedArray: Object.getPrototypeOf(Uint8Array),
  IteratorPrototype: Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
};
const intrinsics = {};
for (const [name, root] of Object.entries(roots)) {
  if (root === undefined || root === null) { intrinsics[name] = null; continue }
  intrinsics[name] = { own: describeOwn(root), proto: describeValue(Object.getPrototypeOf(root)) };
  if (typeof root === 'function' && root.prototype) intrinsics[`${name}.prototype`] = { own: describeOwn(root.prototype), proto: describeValue(Object.getPrototypeOf(root.prototype)) };
}

const fs = require('fs');
function listing(dir) {
  try { return fs.readdirSync(dir).sort() } catch (error) { return ['error', error.code] }
}
function walk(dir, depth) {
  const out = [];
  for (const name of listing(dir)) {
    if (name === 'error') return [dir, 'unreadable'];
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    let stat;
    try { stat = fs.statSync(path) } catch (error) { out.push([path, 'error', error.code]); continue }
    out.push([path, stat.isDirectory() ? 'dir' : stat.size]);
    if (stat.isDirectory() && depth < 6) out.push(...walk(path, depth + 1));
  }
  return out;
}

const behaviour = [
  JSON.stringify({ a: [1, 2.5, 'é', null, true] }), [3, 1, 2].map((x) => x * 2).sort(), Object.keys({ b: 1, a: 2 }),
  String([1, 2]), `${{}}`, typeof setTimeout, typeof queueMicrotask, Error.stackTraceLimit, typeof Error.prepareStackTrace,
  Object.getOwnPropertyNames(new Error('x')).sort(), Math.max.call(null, 1, 2), Function.prototype.call.call(Math.min, null, 1, 2),
];

console.log(JSON.stringify({
  globals: GLOBALS_AT_START,
  intrinsics,
  behaviour,
  tree: walk('/', 0),
  cwd: [process.cwd(), listing('.')],
  tmp: listing('/tmp'),
  env: process.env,
  argv: process.argv,
  random: [Math.random(), crypto.randomUUID(), Array.from(crypto.getRandomValues(new Uint8Array(8)))],
}));
