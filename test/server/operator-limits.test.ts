// Issue 14 part 5: the maximum timeout and the code and inputs caps are the operator's, and the HTTP
// face, /readyz, /openapi.json and the library all hold requests to the same ones. Real engine, real app.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolaError, OperatorLimitsError, acceptExecuteRequest } from '../../src/contract/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { ADD, JS_ONLY, fields, post, useApp } from './helpers.js';

describe('default operator limits', () => {
  const app = useApp();

  it('accept a 1,000,000 ms timeout (Itential allows 1,000 s)', async () => {
    const res = await post(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 2 }, timeout_ms: 1_000_000 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', output: { sum: 3 } });
    const over = await post(app(), { language: 'javascript', code: ADD, timeout_ms: 1_000_001 });
    expect(over.statusCode).toBe(400);
    expect(fields(over.body)).toEqual(['timeout_ms']);
  });

  it('are reported in /readyz', async () => {
    const ready = (await app().inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.limits).toMatchObject({ max_timeout_ms: 1_000_000, default_timeout_ms: 10_000, max_code_bytes: 2 * 1024 * 1024, max_inputs_bytes: 10 * 1024 * 1024 });
  });
});

describe('operator limits lower than the defaults', () => {
  const limits = { maxTimeoutMs: 5000, maxCodeBytes: 1000, maxInputsBytes: 500 };
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = await createEngine({ workers: JS_ONLY, limits });
    app = buildApp({ engine, docs: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await engine.close({ graceMs: 0 });
  });

  it('refuse a longer timeout with 400 naming timeout_ms and the limit', async () => {
    const res = await post(app, { language: 'javascript', code: ADD, timeout_ms: 5001 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.issues).toEqual([{ field: 'timeout_ms', message: expect.stringContaining('5000') }]);
    expect((await post(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 }, timeout_ms: 5000 })).statusCode).toBe(200);
  });

  it('refuse code, inputs and stdin over their caps with 413 naming each field', async () => {
    const res = await post(app, { language: 'javascript', code: `// ${'x'.repeat(1000)}`, inputs: { blob: 'y'.repeat(500) }, stdin: 'z'.repeat(501) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(fields(res.body).sort()).toEqual(['code', 'inputs', 'stdin']);
    expect(res.json().error.issues.find((issue: { field: string }) => issue.field === 'code').message).toBe('1003 bytes exceeds the limit of 1000');
  });

  it('derive the HTTP body limit from them, and name it', async () => {
    const ready = (await app.inject({ method: 'GET', url: '/readyz' })).json();
    // code and prebuild escaped at 6 bytes a character, the inputs, 1 MiB of slack.
    expect(ready.limits).toEqual({ max_timeout_ms: 5000, default_timeout_ms: 5000, max_code_bytes: 1000, max_inputs_bytes: 500, max_memory_mb: 4096, stream_bytes: 1024 * 1024, output_bytes: 10 * 1024 * 1024, max_body_bytes: 6000 + 500 + 6 * 256 * 1024 + 1024 * 1024 });
    const res = await post(app, `{"language":"javascript","code":"${'x'.repeat(ready.limits.max_body_bytes)}"}`);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.issues).toEqual([{ field: '(body)', message: `exceeds the limit of ${ready.limits.max_body_bytes} bytes` }]);
  });

  it('show in /openapi.json: the maximum of timeout_ms and the caps in the descriptions', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const schema = doc.components.schemas.ExecuteRequest;
    expect(schema.properties.timeout_ms).toMatchObject({ maximum: 5000, default: 5000 });
    expect(schema.properties.timeout_ms.description).toContain('5000 ms');
    expect(schema.properties.code.description).toContain('at most 1000 bytes');
    expect(schema.properties.inputs.description).toContain('at most 500 bytes');
    expect(schema.properties.stdin.description).toContain('at most 500 bytes');
  });

  it('hold library callers to the same contract, even with a request accepted under the defaults', async () => {
    await expect(engine.execute({ language: 'javascript', code: ADD, timeout_ms: 6000 })).rejects.toMatchObject({ code: 'invalid_request', issues: [{ field: 'timeout_ms' }] });
    const underDefaults = acceptExecuteRequest({ language: 'javascript', code: 'x'.repeat(2000), timeout_ms: 1000 });
    const refused = await engine.execute(underDefaults).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(IsolaError);
    expect(refused).toMatchObject({ code: 'payload_too_large', issues: [{ field: 'code' }] });
  });
});

describe('operator limits out of range', () => {
  it('stop createEngine before any worker starts, naming the setting', async () => {
    await expect(createEngine({ workers: JS_ONLY, limits: { maxTimeoutMs: 24 * 60 * 60 * 1000 + 1 } })).rejects.toThrow(OperatorLimitsError);
    await expect(createEngine({ workers: JS_ONLY, limits: { maxCodeBytes: 64 * 1024 * 1024 + 1 } })).rejects.toThrow('limits.maxCodeBytes must be an integer in 1..67108864');
  });
});
