/**
 * Uploading a module to get around the checks `code` gets: a module that imports outside WASI, a
 * future format version, or a module without `_start`, uploaded with POST /v1/blobs and named with `module: { id }`,
 * is refused exactly as it would be in `code` (a 400 naming module.id, nothing runs); an id that is a
 * path is no blob at all, so no file outside the blob store is ever read as a module.
 */
import { OPEN_OWNER } from '../../src/blobs/blob-owners.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolaError } from '../../src/contract/errors.js';
import { createEngine, type Engine } from '../../src/index.js';
import { wat } from '../lanes/wasi/wat.js';

let storeDir: string;
let engine: Engine;
beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'isola-wasm-bypass-'));
  engine = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 }, storeDir, prewarm: false });
});
afterAll(async () => {
  await engine?.close({ graceMs: 0 });
  await rm(storeDir, { recursive: true, force: true });
});

const refusal = async (id: string) => {
  const error = await engine.execute({ language: 'wasm', module: { id } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IsolaError);
  return error as IsolaError;
};

describe('a module smuggled in through the blob store', () => {
  it.each([
    ['imports a host function outside WASI', '(module (import "env" "system" (func)) (memory (export "memory") 1) (func (export "_start")))', 'env'],
    ['imports its memory instead of defining it', '(module (import "wasi_snapshot_preview1" "memory" (memory 1)) (func (export "_start")))', 'memory'],
    ['is a reactor without _start', '(module (memory (export "memory") 1) (func (export "run")))', '_start'],
  ])('a module that %s is a 400 naming module.id', async (_what, text, said) => {
    const { id } = await engine.blobs!.putBytes(OPEN_OWNER, await wat(text));
    expect(await refusal(id)).toMatchObject({ code: 'invalid_request', issues: [{ field: 'module.id', message: expect.stringContaining(said) }] });
  });

  it('a future format version is refused as it would be in code', async () => {
    const { id } = await engine.blobs!.putBytes(OPEN_OWNER, new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0e, 0, 1, 0]));
    expect(await refusal(id)).toMatchObject({ code: 'invalid_request', issues: [{ field: 'module.id', message: expect.stringContaining('future') }] });
  });

  it.each(['../../../../etc/passwd', '/etc/passwd', `${'a'.repeat(62)}/.`, 'A'.repeat(64)])('the id %s names no blob', async (id) => {
    expect(await refusal(id)).toMatchObject({ code: 'blob_not_found', issues: [{ field: 'module.id' }] });
  });
});
