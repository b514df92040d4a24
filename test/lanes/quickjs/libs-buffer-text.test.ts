// Buffer, TextEncoder/TextDecoder, atob/btoa and StringDecoder in the sandbox agree with Node's.
import { StringDecoder } from 'node:string_decoder';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { guestValue } from './lib-harness.js';

const SAMPLES = ['', 'hello', 'héllo wörld', '😀 emoji \u0000 nul', 'a'.repeat(1000) + 'é', '\ud800 lone surrogate'];
const ENCODINGS = ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'ascii', 'utf16le'] as const;

describe('buffer lib', () => {
  it('encodes and decodes every encoding like Node', async () => {
    const body = `const out = [];
      for (const s of ${JSON.stringify(SAMPLES)}) for (const enc of ${JSON.stringify(ENCODINGS)}) {
        const b = Buffer.from(s, 'utf8');
        const encoded = b.toString(enc);
        out.push(encoded, Buffer.from(encoded, enc).toString('hex'), Buffer.byteLength(s, enc));
      }
      return out;`;
    const expected: unknown[] = [];
    for (const s of SAMPLES) {
      for (const enc of ENCODINGS) {
        const encoded = Buffer.from(s, 'utf8').toString(enc);
        expected.push(encoded, Buffer.from(encoded, enc).toString('hex'), Buffer.byteLength(s, enc));
      }
    }
    expect(await guestValue(body)).toEqual(expected);
  });

  it('decodes lenient base64 and stops hex at the first bad pair, like Node', async () => {
    const inputs: [string, string][] = [['aGk', 'base64'], ['aG k=\n', 'base64'], ['a-_b', 'base64'], ['a+/b', 'base64url'], ['zz12', 'hex'], ['12zz34', 'hex'], ['abc', 'hex']];
    const got = await guestValue(`return ${JSON.stringify(inputs)}.map(([s, e]) => Buffer.from(s, e).toString('hex'));`);
    expect(got).toEqual(inputs.map(([s, e]) => Buffer.from(s, e as BufferEncoding).toString('hex')));
  });

  it('has Node semantics for slicing, comparison, search and numbers', async () => {
    const body = `const b = Buffer.from('hello world');
      const s = b.slice(0, 5); s[0] = 72;
      const w = Buffer.alloc(10);
      const ends = [w.writeUInt32LE(0xdeadbeef, 0), w.writeInt16BE(-2, 4), w.writeUInt8(255, 6), w.write('zzz', 7)];
      let range; try { w.readUInt32LE(8); } catch (e) { range = e.code; }
      return [b.toString(), s instanceof Buffer, b.subarray(6) instanceof Buffer, Buffer.isBuffer(new Uint8Array(1)),
        Buffer.compare(Buffer.from('a'), Buffer.from('b')), b.equals(Buffer.from('Hello world')), b.indexOf('o'), b.lastIndexOf('o'),
        b.includes('wor'), b.indexOf(Buffer.from('ld')), b.indexOf(111, 5), Buffer.concat([Buffer.from('a'), Buffer.from('bc')], 2).toString(),
        Buffer.alloc(5, 'ab').toString(), Buffer.from([256, -1, 3.7]).toJSON(), JSON.stringify(Buffer.from('hi')), ends, w.toString('hex'),
        w.readUInt32LE(0), w.readInt16BE(4), w.readUInt16BE(2), w.readDoubleLE(0) === new DataView(w.buffer, w.byteOffset).getFloat64(0, true), range,
        Buffer.from(Buffer.from('xy')).toString(), Buffer.from(new Uint16Array([1, 2]).buffer).length, Buffer.from({ type: 'Buffer', data: [104, 105] }).toString(),
        Buffer.from('abc').toString('utf8', 1, 2), String(Buffer.from('str')), Buffer.isEncoding('UTF-8'), Buffer.isEncoding('nope')];`;
    const b = Buffer.from('hello world');
    const s = b.subarray(0, 5);
    s[0] = 72;
    const w = Buffer.alloc(10);
    const ends = [w.writeUInt32LE(0xdeadbeef, 0), w.writeInt16BE(-2, 4), w.writeUInt8(255, 6), w.write('zzz', 7)];
    const expected = [b.toString(), true, true, false, -1, b.equals(Buffer.from('Hello world')), b.indexOf('o'), b.lastIndexOf('o'), true, b.indexOf(Buffer.from('ld')), b.indexOf(111, 5),
      'ab', Buffer.alloc(5, 'ab').toString(), Buffer.from([256, -1, 3.7]).toJSON(), JSON.stringify(Buffer.from('hi')), ends, w.toString('hex'),
      w.readUInt32LE(0), w.readInt16BE(4), w.readUInt16BE(2), true, 'ERR_OUT_OF_RANGE', 'xy', 4, 'hi', 'b', 'str', true, false];
    expect(await guestValue(body)).toEqual(expected);
  });

  it('reads and writes variable-width integers like Node', async () => {
    const script = `const b = Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xfe]); const out = [];
      for (const n of [1, 2, 3, 4, 5, 6]) out.push(b.readUIntBE(0, n), b.readUIntLE(1, n), b.readIntBE(1, n), b.readIntLE(0, n));
      const w = Buffer.alloc(12); out.push(w.writeUIntBE(0x123456, 0, 3), w.writeIntLE(-2, 3, 3), w.writeIntBE(-123456789, 6, 6), w.toString('hex'));
      return out;`;
    expect(await guestValue(script)).toEqual((new Function('Buffer', script) as (b: typeof Buffer) => unknown)(Buffer));
  });

  it('inspects as <Buffer ..> and throws Node error codes', async () => {
    const got = await guestValue(`const codes = [];
      for (const f of [() => Buffer.from(5), () => Buffer.from('x', 'klingon'), () => Buffer.alloc(-1)]) { try { f(); } catch (e) { codes.push(e.code); } }
      return [lib('inspect').inspect(Buffer.from('hi')), lib('inspect').inspect(Buffer.alloc(60)), codes];`);
    expect(got).toEqual(['<Buffer 68 69>', inspect(Buffer.alloc(60)), ['ERR_INVALID_ARG_TYPE', 'ERR_UNKNOWN_ENCODING', 'ERR_OUT_OF_RANGE']]);
  });

  it('atob/btoa follow the HTML spec', async () => {
    const got = await guestValue(`const out = [btoa('hello'), atob('aGVsbG8='), atob(' aGVs bG8 '), btoa(String.fromCharCode(255, 0))];
      for (const f of [() => atob('a'), () => atob('@@@@'), () => btoa('€')]) { try { f(); out.push('no error'); } catch (e) { out.push(e.name); } }
      return out;`);
    expect(got).toEqual([btoa('hello'), 'hello', 'hello', btoa(String.fromCharCode(255, 0)), 'InvalidCharacterError', 'InvalidCharacterError', 'InvalidCharacterError']);
  });
});

describe('text lib', () => {
  it('TextDecoder replaces malformed UTF-8 like Node, and is fatal on request', async () => {
    const malformed = [[0xff, 0x61], [0xe2, 0x82], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xef, 0xbb, 0xbf, 0x41]];
    const got = await guestValue(`const out = ${JSON.stringify(malformed)}.map((b) => new TextDecoder().decode(new Uint8Array(b)));
      try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xc3])); } catch (e) { out.push(e.name, e.code); }
      out.push(new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length);
      const d = new TextDecoder(); out.push(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + '|' + d.decode(new Uint8Array([0xac])));
      try { new TextDecoder('latin2'); } catch (e) { out.push(e.name); }
      out.push(Array.from(new TextEncoder().encode('€😀')), new TextEncoder().encodeInto('héllo', new Uint8Array(3)));
      return out;`);
    const expected: unknown[] = malformed.map((b) => new TextDecoder().decode(new Uint8Array(b)));
    expected.push('TypeError', 'ERR_ENCODING_INVALID_ENCODED_DATA', 2, '|€', 'RangeError', Array.from(new TextEncoder().encode('€😀')), new TextEncoder().encodeInto('héllo', new Uint8Array(3)));
    expect(got).toEqual(expected);
  });

  it('TextDecoder also speaks utf-16le and windows-1252 (latin1, ascii), like Node', async () => {
    const cases: [string, number[], boolean][] = [
      ['utf-16le', [0x68, 0x00, 0x69, 0x00, 0x3d, 0xd8, 0x00, 0xde], false], ['utf-16', [0xff, 0xfe, 0x41, 0x00], false], ['utf-16le', [0x00, 0xd8, 0x41, 0x00, 0x42], false],
      ['latin1', [0x63, 0x61, 0x66, 0xe9, 0x80, 0x9f, 0xff], false], ['ascii', [0x41, 0x93, 0x94], false], ['windows-1252', [0x81, 0x8d], false],
    ];
    const script = `return ${JSON.stringify(cases)}.map(([label, bytes]) => { const d = new TextDecoder(label); return [d.encoding, d.decode(new Uint8Array(bytes))]; });`;
    expect(await guestValue(script)).toEqual((new Function(script) as () => unknown)());
    const streamed = `const d = new TextDecoder('utf-16le'); return [d.decode(new Uint8Array([0x3d]), { stream: true }), d.decode(new Uint8Array([0xd8, 0x00]), { stream: true }), d.decode(new Uint8Array([0xde]))];`;
    expect(await guestValue(streamed)).toEqual((new Function(streamed) as () => unknown)());
  });

  it('StringDecoder keeps split characters between writes', async () => {
    const got = await guestValue(`const { StringDecoder } = lib('text').string_decoder;
      const d = new StringDecoder('utf8');
      return [d.write(Buffer.from([0xe2, 0x82])), d.write(Buffer.from([0xac, 0x41])), d.end(), new StringDecoder('hex').write(Buffer.from([1, 255]))];`);
    const d = new StringDecoder('utf8');
    expect(got).toEqual([d.write(Buffer.from([0xe2, 0x82])), d.write(Buffer.from([0xac, 0x41])), d.end(), '01ff']);
  });
});
