// The HTTP face through app.inject(): every error path of POST /v1/execute, real runs, health, OpenAPI,
// metrics and logs. Engine states (overload, failures, drain, hang-ups) are in app-engine-states.test.ts;
// the drain over a real socket in serve.test.ts.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CATALOG } from '../../src/contract/errors.js';
import { DEFAULT_OPERATOR_LIMITS, maxBodyBytes } from '../../src/contract/operator-limits.js';
import { ExecuteRequestSchema } from '../../src/contract/request.js';
import { ExecuteResponseSchema } from '../../src/contract/response.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { ADD, fields, post } from './helpers.js';

describe('POST /v1/execute and friends', () => {
  const logLines: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  let engine: Engine;
  let app: ReturnType<typeof buildApp>;

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    engine = await createEngine({ workers: { quickjs: 2, cpython: 0, native: 0 }, onEvent: metrics.onEvent, logger: logger.child({ component: 'engine' }) });
    app = buildApp({ engine, logger, metrics: metrics.registry });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });

  it('runs code and answers 200 with the envelope', async () => {
    const res = await post(app, { language: 'javascript', code: ADD, inputs: { a: 2, b: 3 } });
    expect(res.statusCode).toBe(200);
    const body = ExecuteResponseSchema.parse(res.json());
    expect(body).toMatchObject({ status: 'completed', return_code: 0, output: { sum: 5 }, error: null });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('answers 100 concurrent requests, each with its own result', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(app, { language: 'javascript', code: ADD, inputs: { a: i, b: 1000 } })),
    );
    expect(answers.map((res) => res.statusCode)).toEqual(Array(100).fill(200));
    expect(answers.map((res) => res.json().output.sum)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1000));
    expect(new Set(answers.map((res) => res.json().id)).size).toBe(100);
  });

  it('answers 200 when the code itself fails', async () => {
    const res = await post(app, { language: 'javascript', code: 'function main() { throw new Error("nope"); }' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', error: { type: 'exception' } });
    expect(res.json().return_code).not.toBe(0);
  });

  it('names every bad field in one 400', async () => {
    const res = await post(app, { language: 'cobol', timeout_ms: 0, memory_mb: 'lots', network: { allow: ['not a host'] }, extra: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(fields(res.body)).toEqual(expect.arrayContaining(['language', 'code', 'timeout_ms', 'memory_mb', 'network.allow.0', 'extra']));
  });

  it('names prebuild_language in a 400 when it makes no sense for the request', async () => {
    const res = await post(app, { language: 'python', code: '', prebuild: 'echo hi', prebuild_language: 'javascript' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', message: 'Invalid request: prebuild_language' });
    expect(fields(res.body)).toEqual(['prebuild_language']);
  });

  it.each([
    ['malformed JSON', '{"language": "javascript", "code": '],
    ['an empty body', ''],
    ['a JSON array', '[1, 2]'],
    ['a JSON string', '"code"'],
    ['a __proto__ key', '{"language":"javascript","code":"1","__proto__":{"polluted":true}}'],
  ])('rejects %s with 400 on (body)', async (_what, payload) => {
    const res = await post(app, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(fields(res.body)).toEqual(['(body)']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('rejects a %s body with 415', async (_what, headers) => {
    const res = await app.inject({ method: 'POST', url: '/v1/execute', headers, payload: JSON.stringify({ language: 'javascript', code: '1' }) });
    expect(res.statusCode).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe('unsupported_media_type');
    expect(fields(res.body)).toEqual(['(content-type)']);
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('rejects a body over the body limit with 413 before parsing it', async () => {
    const payload = `{"language":"javascript","code":"${'x'.repeat(maxBodyBytes(DEFAULT_OPERATOR_LIMITS))}"}`;
    const res = await post(app, payload);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(fields(res.body)).toEqual(['(body)']);
  });

  it('rejects code and inputs over their own limits with 413 naming both', async () => {
    const code = `// ${'x'.repeat(DEFAULT_OPERATOR_LIMITS.maxCodeBytes)}`;
    const inputs = { blob: 'y'.repeat(DEFAULT_OPERATOR_LIMITS.maxInputsBytes) };
    const res = await post(app, { language: 'javascript', code, inputs });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(fields(res.body).sort()).toEqual(['code', 'inputs']);
  });

  it('answers unknown routes with the catalog 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('honours a sane x-request-id and replaces an insane one', async () => {
    const good = await post(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } }, { 'x-request-id': 'trace-42.a:b' });
    expect(good.headers['x-request-id']).toBe('trace-42.a:b');
    const bad = await post(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } }, { 'x-request-id': 'no spaces\tor tabs' });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
  });

  it('logs the request id with the execution id, never the code or the inputs', async () => {
    logLines.length = 0;
    const res = await post(app, { language: 'javascript', code: `${ADD} // CODE-SECRET-1234`, inputs: { a: 1, b: 2, token: 'INPUT-SECRET-5678' } }, { 'x-request-id': 'log-check-1' });
    expect(res.statusCode).toBe(200);
    const logs = logLines.join('');
    expect(logs).not.toContain('CODE-SECRET-1234');
    expect(logs).not.toContain('INPUT-SECRET-5678');
    // The engine's own line carries both ids, so engine logs can be joined with HTTP logs.
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const both = entries.find((entry) => Object.values(entry).includes('log-check-1') && Object.values(entry).includes(res.json().id));
    expect(both, JSON.stringify(entries)).toBeDefined();
    expect(entries.find((entry) => entry.msg === 'request completed')).toMatchObject({ request_id: 'log-check-1' });
  });

  it('serves /healthz and /readyz', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', ready: true, draining: false, lanes: { quickjs: { available: true } } });
    expect(ready.json().rings).toHaveProperty('wasm');
  });

  it('publishes the request schema, generated from zod, in /openapi.json and serves /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    const { $schema: _ignored, ...expected } = z.toJSONSchema(ExecuteRequestSchema, { io: 'input' }) as Record<string, unknown>;
    expect(doc.components.schemas.ExecuteRequest).toEqual(expected);
    // `code` may be left out when `module` names an uploaded wasm module: the contract checks that pair itself.
    expect(doc.components.schemas.ExecuteRequest.required).toEqual(['language']);
    expect(doc.paths['/v1/execute'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ExecuteRequest');
    expect(doc.components.schemas.ErrorBody.properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    // Swagger UI reads the same document the server publishes.
    const uiDoc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(uiDoc.json().components.schemas.ExecuteRequest).toEqual(doc.components.schemas.ExecuteRequest);
  });

  it('counts executions in /metrics', async () => {
    const count = async () => {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      const line = res.body.split('\n').find((l) => l.startsWith('isola_executions_total{face="isola",lane="quickjs",status="completed",error_type="none"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    await post(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } });
    expect(await count()).toBe(before + 1);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('isola_execution_duration_seconds_bucket{le="0.001",face="isola",lane="quickjs"}');
    expect(text).toContain('# TYPE isola_queue_depth gauge');
  });
});

