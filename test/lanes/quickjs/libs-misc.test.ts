// structuredClone, the output serializer's explanations, EventEmitter, AbortController, process.stdin,
// assert and querystring in the sandbox.
import assert from 'node:assert';
import querystring from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { guestValue, runGuest } from './lib-harness.js';

describe('clone lib', () => {
  it('clones the structured-clone types, keeps cycles and sharing, and rejects functions', async () => {
    const got = await guestValue(`const { structuredClone } = lib('clone');
      const shared = { n: 1 };
      const o = { a: [1, { d: new Date(5), m: new Map([[1, shared]]), s: new Set([shared]), r: /x/g, t: new Uint8Array([1, 2]), big: 10n }], shared };
      o.self = o;
      const c = structuredClone(o);
      const out = [c !== o, c.self === c, c.a[1].d instanceof Date && c.a[1].d.getTime(), c.a[1].m.get(1) === c.shared, [...c.a[1].s][0] === c.shared,
        c.a[1].r.flags, Array.from(c.a[1].t), c.a[1].big === 10n, c.a[1].t.buffer !== o.a[1].t.buffer];
      const e = structuredClone(new RangeError('boom')); out.push(e instanceof RangeError, e.message);
      class Point { constructor() { this.x = 1; } } const p = structuredClone(new Point()); out.push(p instanceof Point, p.x);
      for (const bad of [{ f() {} }, Symbol('s'), new WeakMap()]) { try { structuredClone(bad); out.push('cloned'); } catch (err) { out.push(err.name, err.code); } }
      return out;`);
    expect(got).toEqual([true, true, 5, true, true, 'g', [1, 2], true, true, true, 'boom', false, 1, 'DataCloneError', 25, 'DataCloneError', 25, 'DataCloneError', 25]);
  });
});

describe('serialize lib', () => {
  it('names the path and the reason a main() result cannot be JSON', async () => {
    const got = await guestValue(`const { explain } = lib('serialize');
      const cyc = { x: 1 }; cyc.self = cyc;
      const deep = { list: [{ ok: 1 }, { when: { toJSON() { throw new Error('nope'); } } }] };
      const getter = { get boom() { throw new TypeError('no'); } };
      return [explain({ user: { id: 10n } }), explain(cyc), explain(deep), explain(getter), explain({ 'odd key': [1n] })].map((e) => [e.name, e.message, e instanceof Error]);`);
    expect(got).toEqual([
      ['InvalidOutputError', "output.user.id: BigInt value can't be serialized in JSON", true],
      ['InvalidOutputError', 'output.self: circular reference', true],
      ['InvalidOutputError', 'output.list[1].when: toJSON() threw Error: nope', true],
      ['InvalidOutputError', 'output.boom: getter threw TypeError: no', true],
      ['InvalidOutputError', 'output["odd key"][0]: BigInt value can\'t be serialized in JSON', true],
    ]);
  });
});

describe('events lib', () => {
  it('behaves like node:events', async () => {
    const script = `const out = []; const em = new EE();
      em.on('x', (v) => out.push('on' + v)); em.once('x', (v) => out.push('once' + v)); em.prependListener('x', () => out.push('first'));
      out.push(em.emit('x', 1), em.emit('x', 2), em.emit('none'), em.listenerCount('x'), em.eventNames());
      const f = () => out.push('removed?'); em.on('y', f); em.off('y', f); em.emit('y');
      try { em.emit('error', new Error('bad')); } catch (e) { out.push(e.message); }
      try { em.emit('error', 'str'); } catch (e) { out.push(e.code); }
      class Sub extends EE {} const s = new Sub(); s.on('a', () => {}); out.push(s.listenerCount('a'), EE.EventEmitter === EE);
      setTimeout(() => em.emit('ready', 42, 'x'), 1); out.push(await EE.once(em, 'ready'));
      em.removeAllListeners('x'); out.push(em.listenerCount('x'));
      return out;`;
    const got = await guestValue(`const EE = lib('events');\n` + script);
    const { EventEmitter } = await import('node:events');
    const expected = await (new Function('EE', 'return (async () => {' + script + '})()') as (ee: unknown) => Promise<unknown>)(EventEmitter);
    expect(got).toEqual(expected);
  });
});

describe('console_table lib', () => {
  it('draws console.table exactly like Node', async () => {
    const cases = [`[{ a: 1, b: 'x' }, { a: 2, b: 'yy' }]`, `[1, 'two', { three: 3 }]`, `{ r1: { c: 1 }, r2: { d: [1, 2, 3, 4] } }`, `new Map([['k', { v: 1 }], ['k2', 2]])`,
      `new Set(['a', 'b'])`, `[[1, 2], [3, 4, 5]]`, `[{ é: 'ü' }, { x: null, y: undefined }]`];
    const got = await guestValue<string[]>(`const { table } = lib('console_table');
      return [${cases.join(', ')}].map((data) => table(data)).concat(table([{ name: 'Ada', age: 36 }], ['name']), String(table(42)));`);
    const { Console } = await import('node:console');
    const { Writable } = await import('node:stream');
    const draw = (data: unknown, properties?: string[]) => {
      let out = '';
      new Console(new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) })).table(data, properties);
      return out.replace(/\n$/, '');
    };
    const expected = cases.map((source) => draw(new Function('return ' + source)()));
    expected.push(draw([{ name: 'Ada', age: 36 }], ['name']), 'undefined');
    expect(got).toEqual(expected);
  });
});

describe('util and events extras', () => {
  it('styleText, stripVTControlCharacters, toUSVString and events.on behave like Node', async () => {
    const script = `const out = [];
      out.push(util.styleText('red', 'x'), util.styleText('red', 'z', { validateStream: false }), util.stripVTControlCharacters('\\u001b[31mred\\u001b[39m plain'), util.toUSVString('a\\ud800b'));
      const em = new EE(); setTimeout(() => { em.emit('tick', 1); em.emit('tick', 2); em.emit('done'); }, 1);
      const ticks = []; for await (const [n] of EE.on(em, 'tick')) { ticks.push(n); if (n === 2) break; } out.push(ticks, em.listenerCount('tick'));
      return out;`;
    const got = await guestValue(`const util = lib('util'); const EE = lib('events');\n` + script);
    const nodeUtil = await import('node:util');
    const { EventEmitter } = await import('node:events');
    const expected = await (new Function('util', 'EE', 'return (async () => {' + script + '})()') as (u: unknown, e: unknown) => Promise<unknown>)(nodeUtil, EventEmitter);
    expect(got).toEqual(expected);
  });
});

describe('abort lib', () => {
  it('AbortController, AbortSignal.timeout/any/abort, EventTarget and DOMException', async () => {
    const got = await guestValue(`const out = [];
      const c = new AbortController(); let fired = 0; c.signal.onabort = () => fired++; c.signal.addEventListener('abort', (e) => out.push(e.type));
      out.push(c.signal.aborted); c.abort(); c.abort(); out.push(c.signal.aborted, fired, c.signal.reason.name, c.signal.reason instanceof DOMException);
      try { c.signal.throwIfAborted(); } catch (e) { out.push(e.name); }
      const t = AbortSignal.timeout(5); await new Promise((r) => t.addEventListener('abort', r)); out.push(t.reason.name, t.reason.code);
      const a = new AbortController(); const any = AbortSignal.any([a.signal, AbortSignal.timeout(10000)]); a.abort('because'); out.push(any.aborted, any.reason);
      out.push(AbortSignal.abort().reason.name, new DOMException('m', 'NotFoundError').code, DOMException.ABORT_ERR);
      try { new AbortSignal(); } catch (e) { out.push(e.name); }
      const target = new EventTarget(); let count = 0; const l = () => count++;
      target.addEventListener('ping', l, { once: true }); target.dispatchEvent(new Event('ping')); target.dispatchEvent(new Event('ping')); out.push(count);
      return out;`);
    expect(got).toEqual([false, 'abort', true, 1, 'AbortError', true, 'AbortError', 'TimeoutError', 23, true, 'because', 'AbortError', 8, 20, 'TypeError', 1]);
  });
});

describe('stdin lib', () => {
  const inputsJson = JSON.stringify({ text: 'héllo', n: 3 });
  it('delivers inputs.json once to data/end listeners, async iteration and read()', async () => {
    for (const body of [
      `let data = ''; process.stdin.setEncoding('utf8'); process.stdin.on('data', (c) => (data += c));
       return await new Promise((resolve) => process.stdin.on('end', () => resolve(data)));`,
      `const chunks = []; for await (const c of process.stdin) chunks.push(c); return Buffer.concat(chunks).toString();`,
      `const s = lib('stdin'); return await new Promise((resolve) => s.on('readable', () => { const c = s.read(); if (c) resolve(c.toString()); }));`,
      `const s = lib('stdin'); const chunks = []; s.on('data', (c) => chunks.push(Buffer.isBuffer(c))); await new Promise((r) => s.on('end', r)); return chunks.length === 1 && chunks[0] ? ${JSON.stringify(inputsJson)} : 'wrong';`,
    ]) {
      expect(await guestValue(body, { inputsJson })).toBe(inputsJson);
    }
  });
});

describe('readline lib', () => {
  const inputsJson = 'line one\nline two\r\nthree\n';
  it('reads stdin line by line through events, async iteration and question()', async () => {
    const got = await guestValue(`const readline = lib('readline'); const out = [];
      const rl = readline.createInterface({ input: process.stdin }); const lines = []; rl.on('line', (l) => lines.push(l));
      await new Promise((r) => rl.on('close', r)); out.push(lines);
      const rl2 = readline.createInterface({ input: process.stdin }); const iterated = []; for await (const l of rl2) iterated.push(l); out.push(iterated);
      const rl3 = readline.promises.createInterface({ input: process.stdin, output: process.stdout });
      out.push(await rl3.question('name? '), await rl3.question('next? ')); rl3.close();
      return out;`, { inputsJson });
    expect(got).toEqual([['line one', 'line two', 'three'], ['line one', 'line two', 'three'], 'line one', 'line two']);
  });
});

describe('os lib', () => {
  it('answers for the sandbox, not the host', async () => {
    const got = await guestValue(`const os = lib('os'); return [os.EOL, os.platform(), os.tmpdir(), os.homedir(), os.cpus().length, os.hostname(), typeof os.totalmem()];`);
    expect(got).toEqual(['\n', 'linux', '/tmp', '/work', 1, 'sandbox', 'number']);
  });
});

describe('assert lib', () => {
  it('passes and fails like node:assert', async () => {
    const script = `const out = [];
      const t = (f) => { try { f(); return 'ok'; } catch (e) { return [e.name, e.code, e.operator, e.generatedMessage]; } };
      out.push(t(() => assert.strictEqual(1, 2)), t(() => assert.deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })), t(() => assert.deepStrictEqual({ a: 1 }, { a: '1' })),
        t(() => assert.ok(0, 'custom')), t(() => assert(false)), t(() => assert.throws(() => { throw new TypeError('x'); }, TypeError)), t(() => assert.throws(() => {})),
        t(() => assert.throws(() => { throw new Error('boom'); }, /boom/)), t(() => assert.throws(() => { throw new Error('boom'); }, { message: 'boom' })),
        t(() => assert.notStrictEqual(1, 1)), t(() => assert.equal('1', 1)), t(() => assert.notEqual(1, 2)), t(() => assert.match('abc', /b/)), t(() => assert.fail('x')));
      out.push(await assert.rejects(Promise.reject(new Error('r')), /r/).then(() => 'ok'), await assert.rejects(Promise.resolve(1)).catch((e) => e.code));
      try { assert.strictEqual(1, 2); } catch (e) { out.push(e.message); }
      return out;`;
    const got = await guestValue(`const assert = lib('assert');\n` + script);
    const expected = await (new Function('assert', 'return (async () => {' + script + '})()') as (a: unknown) => Promise<unknown>)(assert);
    expect(got).toEqual(expected);
  });
});

describe('querystring lib', () => {
  it('parses and stringifies like node:querystring', async () => {
    const got = await guestValue(`const qs = lib('querystring');
      return [qs.parse('a=1&b=2&a=3&c=x+y&d=%E2%82%AC&e&f=%zz'), qs.stringify({ a: [1, 2], b: 'x y', c: "€!*'()~", d: null, e: true }), qs.parse('a:1;b:2', ';', ':')];`);
    expect(got).toEqual(JSON.parse(JSON.stringify([querystring.parse('a=1&b=2&a=3&c=x+y&d=%E2%82%AC&e&f=%zz'), querystring.stringify({ a: [1, 2], b: 'x y', c: "€!*'()~", d: null, e: true }), querystring.parse('a:1;b:2', ';', ':')])));
  });
});

describe('library surface', () => {
  // `internal` holds the host door (write, exit, hostFetch, setJob...). User code must not be able to
  // reach it, or internal.lib, by walking what the libraries export (properties, accessors, prototypes).
  it('no library export leads back to internal', async () => {
    const found = await guestValue(`const names = ['inspect', 'util', 'fs', 'fs_streams', 'path', 'text', 'buffer', 'url', 'clone', 'abort', 'fetch', 'fetch_form', 'crypto', 'events', 'stdin', 'serialize', 'assert', 'querystring', 'readline', 'os', 'intl', 'intl_date'];
      const forbidden = new Set([internal, internal.lib, internal.libs, internal.write, internal.hostFetch, internal.randomBytesHex]);
      const seen = new Set(); const queue = names.map((n) => [n, lib(n)]); const hits = [];
      // Instances users get from constructors are walked too.
      queue.push(['Buffer instance', Buffer.alloc(1)], ['URL instance', new URL('https://a.example/')], ['Response', new Response('x')], ['Headers', new Headers()],
        ['AbortController', new AbortController()], ['stream', lib('fs').createWriteStream('/tmp/x')], ['hash', lib('crypto').createHash('md5')]);
      while (queue.length > 0) {
        const [path, value] = queue.shift();
        if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) continue;
        seen.add(value);
        if (forbidden.has(value)) { hits.push(path); continue; }
        if (value === Object.prototype || value === Function.prototype) continue;
        queue.push([path + '.__proto__', Object.getPrototypeOf(value)]);
        for (const key of Reflect.ownKeys(value)) {
          const d = Object.getOwnPropertyDescriptor(value, key);
          const label = path + '.' + String(key);
          if ('value' in d) queue.push([label, d.value]);
          if (d.get) queue.push([label + '<get>', d.get]);
          if (d.set) queue.push([label + '<set>', d.set]);
        }
      }
      return { hits, walked: seen.size };`);
    expect(found).toMatchObject({ hits: [] });
    expect((found as { walked: number }).walked).toBeGreaterThan(300);
  });

  it('getters planted on Object.prototype and wrapped builtins never receive internal', async () => {
    const result = await guestValue(`const leaks = []; const hasOwn = Object.prototype.hasOwnProperty; const apply = Reflect.apply;
      const check = (self, how) => { if (self !== null && (typeof self === 'object' || typeof self === 'function') && apply(hasOwn, self, ['hostFetch'])) leaks.push(how); };
      const names = ['setUnrefTimer', 'unref', 'files', 'dirs', 'cwd', 'timeout', 'encoding', 'flag', 'recursive', 'signal', 'headers', 'body', 'method',
        'stream', 'fatal', 'ignoreBOM', 'depth', 'compact', 'breakLength', 'showHidden', 'customInspect', 'withFileTypes', 'throwIfNoEntry', 'force', 'once',
        'highWaterMark', 'start', 'end', 'status', 'statusText', 'redirect', 'cause', 'errors', 'toJSON', 'then', 'length', 'constructor'];
      for (const name of names) {
        if (Object.prototype.hasOwnProperty.call(Object.prototype, name)) continue;
        Object.defineProperty(Object.prototype, name, { configurable: true,
          get() { check(this, 'get ' + name); return undefined; },
          set(value) { check(this, 'set ' + name); Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true }); } });
      }
      // Builtins the libraries (and the bootstrap code they trigger) call, wrapped to see whether internal is
      // ever a receiver or an argument: libraries load lazily, after user code may have replaced them.
      // Regression: bootstrap's lazy internal.files/dirs getters called Object.defineProperty(internal, ...).
      const wrapped = [[Object.prototype, 'hasOwnProperty'], [Object, 'getOwnPropertyDescriptor'], [Object, 'keys'], [Object, 'assign'], [Object, 'defineProperty'],
        [Object, 'getPrototypeOf'], [Reflect, 'ownKeys'], [Array.prototype, 'map'], [Array.prototype, 'forEach'], [Array.prototype, 'push'], [Array.prototype, 'includes'],
        [Map.prototype, 'get'], [Map.prototype, 'set'], [JSON, 'stringify'], [JSON, 'parse'], [String.prototype, 'startsWith'], [Promise.prototype, 'then']]
        .map(([owner, key]) => {
          const original = owner[key];
          owner[key] = function (...args) { check(this, 'this of ' + key); for (const arg of args) check(arg, 'arg of ' + key); return apply(original, this, args); };
          return [owner, key, original];
        });
      try {
        const fs = lib('fs'); fs.writeFileSync('a.txt', 'x', {}); fs.readFileSync('a.txt', {}); fs.mkdirSync('d', {}); fs.readdirSync('.', {}); fs.statSync('a.txt', {}); fs.rmSync('d', { recursive: true });
        AbortSignal.timeout(1); new AbortController().abort(); lib('inspect').inspect({ a: [1] }, {}); new TextDecoder('utf-8', {}).decode(new Uint8Array([65]), {});
        await fetch('https://x.example/', {}).catch(() => {}); new Response('x', {}); structuredClone({ a: 1 }); lib('crypto').createHash('sha1').update('x').digest('hex');
        new URL('https://a.example/?q=1').searchParams.toString(); Buffer.from('x').toString(); lib('assert').deepStrictEqual({ a: 1 }, { a: 1 });
        require('node:util'); process.chdir('/tmp'); process.chdir('/work'); process.stdout.write(''); console.count('n'); console.log({ x: 1 });
        await new Promise((r) => setTimeout(r, 5));
      } finally {
        for (const [owner, key, original] of wrapped) owner[key] = original;
        for (const name of names) if (Object.getOwnPropertyDescriptor(Object.prototype, name)?.get) delete Object.prototype[name];
      }
      return leaks;`);
    expect(result).toEqual([]);
  });
});

describe('library loading', () => {
  const LIBS = ['inspect', 'util', 'fs', 'fs_streams', 'path', 'text', 'buffer', 'url', 'clone', 'abort', 'fetch', 'fetch_form', 'crypto', 'events', 'stdin', 'serialize', 'assert', 'querystring', 'readline', 'os', 'intl', 'intl_date', 'console_table'];
  it('every library loads on its own in a fresh context', async () => {
    for (const name of LIBS) {
      const result = await runGuest(`const value = lib(${JSON.stringify(name)}); return typeof value;`);
      expect([name, result.ok, result.error]).toEqual([name, true, undefined]);
      expect(['object', 'function']).toContain(result.value);
    }
  });
});
