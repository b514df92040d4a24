// util.inspect / util.format / console.log in the sandbox print what Node prints for the same values.
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { guestValue, runGuest } from './lib-harness.js';

// Expressions evaluated both in Node and in the guest; errors are checked separately (stacks differ).
const VALUES = [
  `{ a: 1, b: 'x' }`, `[1, 2, 3]`, `{ a: { b: { c: { d: 1 } } } }`, `new Map([['a', 1]])`, `new Set([1, 2])`, `new Map()`,
  `new Date(0)`, `new (class Foo { constructor() { this.x = 1; } })()`, `(() => { const o = { a: 1 }; o.self = o; return o; })()`,
  `Array.from({ length: 120 }, (_, i) => i)`, `Array.from({ length: 30 }, (_, i) => i * 7)`, `['a', 'bb', 'ccc', 'dddd', 'e', 'f', 'g', 'h']`,
  `{ s: "it's", n: -0, b: 10n, sym: Symbol('q'), u: undefined, nul: null }`, `function foo() {}`, `class Bar {}`, `async function af() {}`,
  `/ab+c/gi`, `new Uint8Array([1, 2, 3])`, `new ArrayBuffer(3)`, `Object.create(null)`, `{ 'a-b': 1, [Symbol('k')]: 2 }`, `[, 1, , , 2]`,
  `{ get x() { return 1; }, set y(v) {} }`, `{ longkeyname1: 'a long string value here', longkeyname2: 'another long string value', k3: 12345 }`,
  `[{ a: 1, b: 2 }, { a: 3, b: 4 }]`, `new Map([[{ a: 1 }, [1, 2]]])`, `[[1, [2, [3, [4]]]]]`, `{ f() {}, g: () => 1 }`, `'top\\nlevel'`,
  `[new Number(3), new String('s')]`, `{ a: [{ b: { c: 1 } }] }`, `{ data: Array.from({ length: 8 }, (_, i) => ({ id: i, name: 'item' + i })) }`,
  `'x'.repeat(100)`, `{ nested: { list: ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'] } }`,
  `[1.5, -2, NaN, Infinity, 1e21]`, `[Map.prototype, Set.prototype, Uint8Array.prototype, ArrayBuffer.prototype, Date.prototype]`, `{ 'quoted"key': "a'b\\"c" }`, `[undefined, null, true]`,
];

// Shapes whose layout changed in Node 24 or that once printed wrong: symbol keys (bare, escaped), buffer
// accessors in brackets, subclass and null-prototype prefixes, an own Symbol.toStringTag.
const EDGE_VALUES = [
  `{ [Symbol('a b')]: 1, [Symbol()]: 2, [Symbol.iterator]: 3, [Symbol("x\\n'\\\\")]: 4 }`,
  `(() => { const ab = new ArrayBuffer(3); ab.x = 1; const dv = new DataView(ab, 1); dv.y = 2; return [ab, dv]; })()`,
  `[new ArrayBuffer(60), new ArrayBuffer(120)]`, `{ deep: { deeper: { deepest: new DataView(new ArrayBuffer(2)) } } }`,
  `[new (class Foo extends Map {})(), new (class S extends Set {})([1]), new (class U extends Uint8Array {})(2), new (class E extends Array {})(1, 2)]`,
  `[Object.setPrototypeOf(new Map([[1, 2]]), null), Object.setPrototypeOf(new Set([1]), null)]`,
  `[{ [Symbol.toStringTag]: 'Own', v: 1 }, new (class T { get [Symbol.toStringTag]() { return 'T2'; } })()]`,
];

const FORMATS = [
  `['%s is %d years', 'Bob', 42]`, `['%i %f %j', '42.9', '3.5', { a: [1] }]`, `['%o', [1]]`, `['%O', { a: { b: { c: { d: 1 } } } }]`,
  `['100%% sure', 1]`, `['%s', { a: 1 }]`, `['%s', null, undefined, 5n]`, `['no placeholders', { a: 1 }, 'str', 3]`,
  `[{ a: 1 }, 'x', [2]]`, `['%c styled', 'color: red']`, `['%d', '0x10']`, `['trailing %', 1]`, `['%s %s', 'only one']`,
];

describe('inspect lib', () => {
  it('inspects common values exactly like Node', async () => {
    const got = await guestValue<string[]>(`const { inspect } = lib('inspect');
      return [${VALUES.join(',\n')}].map((v) => inspect(v));`);
    const expected = VALUES.map((source) => inspect(new Function('return (' + source + ')')()));
    expect(got).toEqual(expected);
  });

  it('inspects Node 24 edge shapes (symbol keys, buffer accessors, subclass prefixes) exactly like Node', async () => {
    const got = await guestValue<string[]>(`const { inspect } = lib('inspect');
      return [${EDGE_VALUES.join(',\n')}].map((v) => inspect(v));`);
    expect(got).toEqual(EDGE_VALUES.map((source) => inspect(new Function('return (' + source + ')')())));
  });

  it('honours depth, breakLength, compact and custom inspect', async () => {
    const setup = `const deep = { a: { b: { c: { d: { e: 1 } } } } };
      const wide = { list: Array.from({ length: 30 }, (_, i) => 'value' + i), more: new Set(Array.from({ length: 120 }, (_, i) => i)) };
      const custom = { [inspect.custom]: () => 'CUSTOM' };`;
    const calls = `[inspect(deep, { depth: 0 }), inspect(deep, { depth: Infinity }), inspect(wide, { breakLength: Infinity }), inspect(wide, { breakLength: 40 }),
      inspect({ a: 1, b: [1, 2] }, { compact: false }), inspect(deep, { compact: 1 }), inspect({ custom }), inspect('str'),
      inspect(wide, { maxArrayLength: 2 }), inspect(wide.list, { maxArrayLength: null }), inspect('x'.repeat(50), { maxStringLength: 10 })]`;
    const got = await guestValue<string[]>(`const { inspect } = lib('inspect');` + setup + 'return ' + calls + ';');
    const expected = new Function('inspect', setup + 'return ' + calls + ';')(inspect) as string[];
    expect(got).toEqual(expected);
  });

  it('formats like util.format', async () => {
    const got = await guestValue<string[]>(`const { format } = lib('inspect');
      return [${FORMATS.join(',\n')}].map((args) => format(args));`);
    const expected = FORMATS.map((source) => format(...(new Function('return (' + source + ')')() as unknown[])));
    expect(got).toEqual(expected);
  });

  it('prints errors with their stack, and extra properties', async () => {
    const got = await guestValue<string[]>(`const { inspect } = lib('inspect');
      function thrower() { throw Object.assign(new RangeError('bad range'), { code: 'E_RANGE' }); }
      let caught; try { thrower(); } catch (e) { caught = e; }
      class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; } }
      return [inspect(caught), inspect({ wrapped: new Error('inner') }), inspect(new Error('outer', { cause: new TypeError('why') })), inspect(new MyErr('mine'))];`);
    expect(got[0]).toMatch(/^RangeError: bad range\n {4}at thrower \(/);
    expect(got[0]).toMatch(/\{\n {2}code: 'E_RANGE'\n\}$/);
    expect(got[1]).toMatch(/^\{\n {2}wrapped: Error: inner\n {6}at /);
    expect(got[2]).toMatch(/^Error: outer\n(?: {4}at [^\n]+\n)* {4}at [^\n]+ \{\n {2}\[cause\]: TypeError: why\n(?: {6}at [^\n]+\n)+\}$/);
    expect(got[3]).toMatch(/^MyErr: mine\n(?: {4}at [^\n]+\n?)+$/); // the own `name` is already in the header
  });

  it('backs console.log for non-string arguments', async () => {
    const result = await runGuest(`console.log('%s=%d', 'n', 5, { ok: true }); console.error([1, 'two']); console.log(new Map([[1, 2]]));`);
    expect(result.stdout).toBe(format('%s=%d', 'n', 5, { ok: true }) + '\n' + format(new Map([[1, 2]])) + '\n');
    expect(result.stderr).toBe(format([1, 'two']) + '\n');
  });

  it('util: promisify, inherits, isDeepStrictEqual, types', async () => {
    const got = await guestValue(`const util = lib('util');
      const cbStyle = (a, cb) => setTimeout(() => (a < 0 ? cb(new Error('neg')) : cb(null, a * 2)), 1);
      const p = util.promisify(cbStyle);
      function Animal() {} function Dog() {} util.inherits(Dog, Animal);
      const failed = await p(-1).catch((e) => e.message);
      return [await p(21), failed, new Dog() instanceof Animal,
        util.isDeepStrictEqual({ a: [1, new Map([[1, { x: new Date(5) }]])] }, { a: [1, new Map([[1, { x: new Date(5) }]])] }),
        util.isDeepStrictEqual({ a: 1 }, { a: '1' }), util.isDeepStrictEqual([1, 2], [1, 2, 3]), util.isDeepStrictEqual(new Set([{ a: 1 }]), new Set([{ a: 1 }])),
        util.types.isDate(new Date()), util.types.isPromise(Promise.resolve()), util.types.isUint8Array(Buffer.alloc(1)),
        typeof util.TextEncoder, util.format('%s:%d', 'a', 1)];`);
    expect(got).toEqual([42, 'neg', true, true, false, false, true, true, true, true, 'function', 'a:1']);
  });
});
