// Typical code-node snippets print the same in the sandbox as under real Node: each snippet runs once in
// a `node` subprocess and once through the engine, and stdout must match byte for byte.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useEngine } from '../../engine/helpers.js';

const execFileAsync = promisify(execFile);
const { run } = useEngine();

const SNIPPETS: Record<string, string> = {
  'nested objects': `console.log({ a: 1, b: [1, 2, { c: 3 }], d: { e: { f: { g: 1 } } } });`,
  'format placeholders': `console.log('%s has %d items (%i%%)', 'cart', 3, 42.7, { extra: true });`,
  'long arrays': `console.log([...Array(30).keys()]); console.log(Array.from({ length: 150 }, (_, i) => 'item' + i));`,
  'maps and sets': `console.log(new Map([['a', { x: 1 }], ['b', [1, 2]]]), new Set(['a', 1, null]));`,
  'buffers and typed arrays': `console.log(Buffer.from('hello'), new Uint8Array([1, 2, 3]), new Float64Array(2));`,
  'primitives': `console.log(null, undefined, true, 1.5, -0, 10n, Symbol('s'), NaN, 'str', '');`,
  'dates and regexps': `console.log(new Date(0), [new Date(86400000)], /a+b/gi, { when: new Date(1e12) });`,
  'class instances': `class User { constructor() { this.name = 'ada'; this.tags = ['x']; } } class Empty {} console.log(new User(), new Empty(), [new User()]);`,
  'functions and classes': `function named() {} class K {} console.log(named, K, () => {}, async function af() {}, { f() {}, g: function* () {} });`,
  'odd keys and prototypes': `console.log({ 'key with space': 1, valid_id: 2, 3: 'n', [Symbol('s')]: 4 }, Object.assign(Object.create(null), { a: 1 }));`,
  'circular': `const o = { name: 'root', children: [] }; o.children.push({ parent: o }); o.self = o; console.log(o);`,
  'strings with quotes in objects': `console.log({ a: "it's", b: 'say "hi"', c: \`both ' and "\`, d: 'line\\nbreak' }, ['\\t']);`,
  'wide objects wrap': `console.log({ alpha: 'aaaaaaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbbbbbbb', gamma: 'ccccccccccccccccccccc', delta: [1, 2, 3] });`,
  'records from an API': `console.log(Array.from({ length: 4 }, (_, i) => ({ id: i, name: 'user' + i, active: i % 2 === 0, roles: ['a', 'b'] })));`,
  'errors as values': `const e = new TypeError('bad input'); console.log(e.name, e.message, String(e), e instanceof Error); console.log({ error: e.message });`,
  'util.inspect options': `const util = require('util'); const deep = { l1: { l2: { l3: { l4: { l5: 1 } } } } }; console.log(util.inspect(deep, { depth: null })); console.log(util.inspect(deep, { depth: 0 }), util.inspect('s'), util.format('%j', { a: [1] }));`,
  'url and params': `const u = new URL('https://user:pw@example.com:8080/a/../b?x=1&y=two#frag'); console.log(u.href, u.origin, u.host, u.pathname, [...u.searchParams], String(new URLSearchParams({ q: 'a b&c' })));`,
  'json and text': `console.log(JSON.stringify({ a: [1, { b: 2 }] }, null, 2)); console.log(new TextDecoder().decode(new TextEncoder().encode('héllo €')), btoa('hi'), atob('aGk='));`,
  'hashes': `const c = require('crypto'); console.log(c.createHash('sha256').update('abc').digest('hex'), c.createHmac('sha1', 'k').update('v').digest('base64'), c.createHash('md5').update('').digest('hex'));`,
  'path': `const p = require('path'); console.log(p.join('a', '../b', 'c.txt'), p.extname('x.tar.gz'), p.basename('/a/b/c.js', '.js'), p.parse('/home/u/f.txt'));`,
  'stdout writes': `process.stdout.write('no newline'); process.stdout.write(' then newline\\n'); console.info('info'); console.debug('debug');`,
  'typeof globals': `console.log(typeof structuredClone, typeof fetch, typeof TextEncoder, typeof URL, typeof atob, typeof AbortController, typeof Buffer, typeof queueMicrotask);`,
  '%s with built-in and custom toString': `console.log('%s|%s|%s|%s|%s', [1, [2, [3]]], new Date(0), new (class A { toString() { return 'A!'; } })(), new (class B {})(), { toString() { return 'own'; } });`,
  'array buffers and data views': `console.log(new ArrayBuffer(4), new DataView(new ArrayBuffer(2)), [new DataView(new ArrayBuffer(1), 1)]);`,
  'structuredClone result': `const src = { d: new Date(0), m: new Map([[1, 'x']]), nested: { arr: [1, 2] } }; const copy = structuredClone(src); console.log(copy, copy.d === src.d);`,
};

describe('output parity with Node', () => {
  it.each(Object.entries(SNIPPETS))('%s', async (_name, code) => {
    const [node, sandbox] = await Promise.all([
      execFileAsync(process.execPath, ['-e', code], { env: {}, timeout: 10_000 }),
      run({ code, entrypoint: 'script' }),
    ]);
    expect(sandbox.error).toBeNull();
    expect(sandbox.stdout).toBe(node.stdout);
  });
});
