/**
 * The dify-sandbox and Piston faces hold requests to the engine's operator limits, each answering in its
 * own shape: Piston's `400 {message}` in Piston's words for a run_timeout past the limit, dify's
 * `{code: -400, message}` naming the field; a dify timeout longer than the maximum refuses to mount.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorLimitsError } from '../../src/contract/operator-limits.js';
import { createEngine, type Engine } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { difyOptionsFromEnv } from '../../src/faces/dify/dify-face.js';

const KEY = 'k';
const DIFY = { apiKey: KEY, packages: [], timeoutS: 2, maxRequests: 4, allowHosts: [] };
let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 }, limits: { maxTimeoutMs: 2000, maxCodeBytes: 200, maxInputsBytes: 100 } });
  app = buildApp({ engine, docs: false, piston: true, dify: DIFY });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await engine.close({ graceMs: 0 });
});

const piston = (body: object) => app.inject({ method: 'POST', url: '/api/v2/execute', payload: body });
const dify = (body: object) => app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'x-api-key': KEY }, payload: body });

describe('Piston face under operator limits', () => {
  it('refuses run_timeout past the maximum in Piston words, and runs at it', async () => {
    const over = await piston({ language: 'js', version: '*', files: [{ content: 'console.log(1)' }], run_timeout: 2001 });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toEqual({ message: 'run_timeout cannot exceed the configured limit of 2000' });
    const at = await piston({ language: 'js', version: '*', files: [{ content: 'console.log(1)' }], run_timeout: 2000 });
    expect(at.json().run).toMatchObject({ stdout: '1\n', code: 0 });
  });

  it('refuses a file and stdin over the caps with 400 {message} naming the field and the limit', async () => {
    const code = await piston({ language: 'js', version: '*', files: [{ content: `//${'x'.repeat(200)}` }] });
    expect(code.statusCode).toBe(400);
    expect(code.json().message).toContain('code: 202 bytes exceeds the limit of 200');
    const stdin = await piston({ language: 'js', version: '*', files: [{ content: '' }], stdin: 'y'.repeat(101) });
    expect(stdin.json().message).toContain('stdin: exceeds the limit of 100 bytes');
  });
});

describe('dify-sandbox face under operator limits', () => {
  it('answers code over the cap in its envelope, naming the field', async () => {
    const res = await dify({ language: 'nodejs', code: `//${'x'.repeat(200)}` });
    expect(res.json()).toEqual({ code: -400, message: expect.stringContaining('code: 202 bytes exceeds the limit of 200'), data: null });
    const ok = await dify({ language: 'nodejs', code: 'console.log("hi")' });
    expect(ok.json()).toMatchObject({ code: 0, data: { stdout: 'hi\n', exit_code: 0 } });
  });

  it('refuses to mount with a worker timeout past the maximum, and defaults under it', () => {
    expect(() => buildApp({ engine, docs: false, dify: { ...DIFY, timeoutS: 3 } })).toThrow(OperatorLimitsError);
    expect(() => buildApp({ engine, docs: false, dify: { ...DIFY, timeoutS: 3 } })).toThrow('ISOLA_DIFY_TIMEOUT_S=3) exceeds the maximum timeout of 2000 ms');
    // Upstream's 15 s default is cut to the operator's maximum rather than refused.
    expect(difyOptionsFromEnv({}, KEY, engine.limits)?.timeoutS).toBe(2);
    expect(difyOptionsFromEnv({ ISOLA_DIFY_TIMEOUT_S: '3' }, KEY, engine.limits)?.timeoutS).toBe(3);
  });
});
