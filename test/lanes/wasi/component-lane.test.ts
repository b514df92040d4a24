/**
 * language "wasm" with a WASI 0.2 component (test/lanes/wasi/components/, built from the preview1 test
 * programs by scripts/build-component-fixtures.mjs): transpiled by jco once, run in a world of its own
 * with the preview1 path's conventions, the same envelope. Its limits (deadline, memory, files) are
 * attacked in test/attacks/wasi-component-escape.test.ts.
 */
import { OPEN_OWNER } from '../../../src/blobs/blob-owners.js';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/index.js';

const component = (name: string) => readFileSync(new URL(`./components/${name}.wasm`, import.meta.url)).toString('base64');

let storeDir: string;
let engine: Engine;
beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'isola-components-'));
  engine = await createEngine({
    workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 },
    maxWorkers: { wasi: 1 },
    storeDir,
  });
});
afterAll(async () => {
  await engine?.close({ graceMs: 0 });
  await rm(storeDir, { recursive: true, force: true });
});

describe('WASI 0.2 components', () => {
  it('prints to stdout, exit code 0, in the wasi lane; the second run reuses the transpiled component', async () => {
    const first = await engine.execute({ language: 'wasm', code: component('hello') });
    expect(first).toMatchObject({ status: 'completed', return_code: 0, stdout: 'hello from a component\n', error: null, environment: { lane: 'wasi', cache: 'miss' } });
    const second = await engine.execute({ language: 'wasm', code: component('hello') });
    expect(second).toMatchObject({ stdout: 'hello from a component\n', environment: { cache: 'hit' } });
  });

  it('reads inputs.json and writes output.json, which becomes the output', async () => {
    const response = await engine.execute({ language: 'wasm', code: component('copy'), inputs: { a: [1, 2], b: 'x' } });
    expect(response).toMatchObject({ status: 'completed', return_code: 0, output: { a: [1, 2], b: 'x' } });
  });

  it('reads the request stdin, else the inputs as JSON', async () => {
    expect(await engine.execute({ language: 'wasm', code: component('echo'), stdin: 'line one\n' })).toMatchObject({ stdout: 'line one\n' });
    expect(await engine.execute({ language: 'wasm', code: component('echo'), inputs: { n: 7 } })).toMatchObject({ stdout: '{"n":7}', output: { n: 7 } });
  });

  it('a non-zero exit is return code 1 (WASI 0.2 exit has only success and failure)', async () => {
    expect(await engine.execute({ language: 'wasm', code: component('exit3') })).toMatchObject({ status: 'completed', return_code: 1, stdout: 'bye\n' });
  });

  it('keeps the transpiled component in the store dir', async () => {
    const names = await readdir(storeDir, { recursive: true });
    expect(names.some((name) => name.includes('wasi-component-'))).toBe(true);
  });

  it('runs from the blob store by module.id, as a module does', async () => {
    const { id } = await engine.blobs!.putBytes(OPEN_OWNER, readFileSync(new URL('./components/copy.wasm', import.meta.url)));
    expect(await engine.execute({ language: 'wasm', module: { id }, inputs: { via: 'blob' } })).toMatchObject({ status: 'completed', output: { via: 'blob' } });
  });

  it('a component that does not transpile is an exception naming why, not a host error', async () => {
    const broken = Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0xff, 0xff]).toString('base64');
    expect(await engine.execute({ language: 'wasm', code: broken })).toMatchObject({ status: 'completed', return_code: 1, error: { type: 'exception', message: expect.stringContaining('transpiled') } });
  });
});
