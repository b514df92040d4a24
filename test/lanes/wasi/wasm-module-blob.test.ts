/**
 * `module: { id }`: a WASI module uploaded with POST /v1/blobs runs as base64 in `code` would, over HTTP
 * and through the library; a wrong id, a blob that is not a module, a module over the cap and a request
 * that sends both `code` and `module` are typed errors naming the field, never a run.
 */
import { OPEN_OWNER } from '../../../src/blobs/blob-owners.js';
import { describe, expect, it } from 'vitest';
import { IsolaError } from '../../../src/contract/errors.js';
import { LIMITS } from '../../../src/contract/limits.js';
import { useAppWithStore } from '../../server/helpers.js';
import { copy, hello } from './programs.js';
import { wat } from './wat.js';

const served = useAppWithStore('isola-wasm-blob-', { workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 }, maxBlobBytes: LIMITS.wasmModuleBytes + 1024 });

const upload = async (bytes: Uint8Array) => {
  const res = await served.app().inject({ method: 'POST', url: '/v1/blobs', headers: { 'content-type': 'application/wasm' }, payload: Buffer.from(bytes) });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
};
const execute = (body: unknown) => served.app().inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const rejection = async (body: unknown) => {
  const error = await served.engine().execute(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IsolaError);
  return error as IsolaError;
};

describe('wasm module uploaded as a blob', () => {
  it('runs over HTTP with inputs.json and output.json, and the second run is a compiled-copy hit', async () => {
    const id = await upload(await wat(copy('inputs.json', 'output.json')));
    const first = await execute({ language: 'wasm', module: { id }, inputs: { a: [1, 2] } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'completed', return_code: 0, output: { a: [1, 2] }, error: null, environment: { lane: 'wasi', cache: 'miss' } });
    const second = await execute({ language: 'wasm', module: { id }, inputs: { b: 3 } });
    expect(second.json()).toMatchObject({ output: { b: 3 }, environment: { cache: 'hit' } });
  });

  it('runs through the library API from a blob the engine stored', async () => {
    const { id } = await served.engine().blobs!.putBytes(OPEN_OWNER, await wat(hello('from a blob\n')), 'application/wasm');
    expect(await served.engine().execute({ language: 'wasm', module: { id } })).toMatchObject({ status: 'completed', stdout: 'from a blob\n', return_code: 0 });
  });

  it('an id that names no blob is blob_not_found (404) naming module.id', async () => {
    const res = await execute({ language: 'wasm', module: { id: 'f'.repeat(64) } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'blob_not_found', issues: [{ field: 'module.id' }] } });
    expect(await rejection({ language: 'wasm', module: { id: '../../etc/passwd' } })).toMatchObject({ code: 'blob_not_found', issues: [{ field: 'module.id' }] });
  });

  it('a blob that is not a runnable WASI module is invalid_request naming module.id', async () => {
    const text = await upload(new TextEncoder().encode('not wasm at all'));
    const res = await execute({ language: 'wasm', module: { id: text } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: 'module.id', message: expect.stringContaining('no \\0asm header') }] } });
    const reactor = await upload(await wat('(module (memory (export "memory") 1) (func (export "run")))'));
    expect(await rejection({ language: 'wasm', module: { id: reactor } })).toMatchObject({ code: 'invalid_request', issues: [{ field: 'module.id', message: expect.stringContaining('_start') }] });
  });

  it('a module over the wasm module cap is payload_too_large naming module.id, before it is read', async () => {
    const { id } = await served.engine().blobs!.putBytes(OPEN_OWNER, new Uint8Array(LIMITS.wasmModuleBytes + 1));
    expect(await rejection({ language: 'wasm', module: { id } })).toMatchObject({ code: 'payload_too_large', issues: [{ field: 'module.id' }] });
  });

  it('code and module together, module for another language, and neither are invalid_request naming the field', async () => {
    const id = await upload(await wat(hello('x\n')));
    expect(await rejection({ language: 'wasm', module: { id }, code: 'AGFzbQEAAAA=' })).toMatchObject({ code: 'invalid_request', issues: [{ field: 'code' }] });
    expect(await rejection({ language: 'python', module: { id } })).toMatchObject({ code: 'invalid_request', issues: [{ field: 'module' }] });
    expect(await rejection({ language: 'wasm' })).toMatchObject({ code: 'invalid_request', issues: [{ field: 'code' }] });
    expect(await rejection({ language: 'wasm', module: { id, extra: 1 } })).toMatchObject({ code: 'invalid_request' });
  });
});
