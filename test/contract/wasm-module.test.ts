/**
 * language "wasm" over HTTP: a module that runs is a 200 with its envelope; every way `code` can fail to
 * be a runnable WASI command is a 400 that names `code` (and the other fields the wasi lane refuses name
 * themselves), and a module past the size limit is a 413. Never a 500.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATOR_LIMITS } from '../../src/index.js';
import { wasmBytesIssue } from '../../src/contract/wasm-module.js';
import { hello } from '../lanes/wasi/programs.js';
import { watBase64 } from '../lanes/wasi/wat.js';
import { fields, post, useApp } from '../server/helpers.js';

const app = useApp({ quickjs: 0, cpython: 0, wasi: 1, native: 0 });
const b64 = (bytes: number[] | string) => Buffer.from(typeof bytes === 'string' ? bytes : Uint8Array.from(bytes)).toString('base64');
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe('language "wasm" requests', () => {
  it('a WASI command runs: 200 and its stdout', async () => {
    const response = await post(app(), { language: 'wasm', code: await watBase64(hello('over http\n')) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'completed', stdout: 'over http\n', environment: { lane: 'wasi' } });
  });

  it.each([
    ['not base64', 'not base64!', /base64-encoded/],
    ['base64 of text', b64('print("hi")'), /0asm header/],
    ['an empty module text', '', /empty/],
    ['a future format version', b64([0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00]), /future WebAssembly format version/],
    ['a component layer other than 1', b64([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x02, 0x00]), /future WebAssembly format version/],
    ['a module that does not validate', b64([...HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x00]), /WebAssembly.validate/],
    ['a module with no memory', `(module (func (export "_start")))`, /defines 0 memories/],
    ['a module that does not export its memory', `(module (memory 1) (func (export "_start")))`, /export its memory/],
    ['a reactor without _start', `(module (memory (export "memory") 1) (func (export "_initialize")))`, /_start/],
    ['a module importing env', `(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))`, /may import only wasi_snapshot_preview1/],
  ])('%s is a 400 naming code', async (_name, code, message) => {
    const text = code.startsWith('(module') ? await watBase64(code) : code;
    const response = await post(app(), { language: 'wasm', code: text });
    expect(response.statusCode).toBe(400);
    expect(fields(response.body)).toEqual(['code']);
    expect(response.body).toMatch(message);
  });

  it('entrypoint "main", packages, a prebuild and runtime "native" are 400s naming those fields', async () => {
    const code = await watBase64(hello('x'));
    for (const [field, extra] of [
      ['entrypoint', { entrypoint: 'main' }],
      ['packages', { packages: ['left-pad'] }],
      ['prebuild', { prebuild: 'echo hi' }],
      ['runtime', { runtime: 'native' }],
    ] as const) {
      const response = await post(app(), { language: 'wasm', code, ...extra });
      expect(response.statusCode, field).toBe(400);
      expect(fields(response.body)).toContain(field);
    }
  });

  it('a component (version 0x0d, layer 1) passes the contract: it is the lane that transpiles it', () => {
    expect(wasmBytesIssue(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]))).toBeUndefined();
  });

  it('a module past the code size limit is a 413 naming code', async () => {
    const response = await post(app(), { language: 'wasm', code: 'A'.repeat(DEFAULT_OPERATOR_LIMITS.maxCodeBytes + 4) });
    expect(response.statusCode).toBe(413);
    expect(fields(response.body)).toEqual(['code']);
  });
});
