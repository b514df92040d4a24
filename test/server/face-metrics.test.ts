/**
 * Issue 14's closing requirement: every face shares the engine and its metrics, told apart by a `face`
 * label. One execution through each face of a real app, then a scrape of /metrics.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { ADD, JS_ONLY, post } from './helpers.js';

let engine: Engine;
let app: FastifyInstance;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = { debug: () => undefined, info: (data: Record<string, unknown>, msg: string) => logs.push({ ...data, msg }), warn: () => undefined, error: () => undefined };
  engine = await createEngine({ workers: JS_ONLY, onEvent: metrics.onEvent, logger });
  app = buildApp({ engine, docs: false, metrics: metrics.registry, piston: true, dify: { apiKey: 'k', packages: [], timeoutS: 5, maxRequests: 4, allowHosts: [] } });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await engine.close({ graceMs: 0 });
});

function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('face label', () => {
  it('counts and times executions per face, and logs the face', async () => {
    expect((await post(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 2 } })).statusCode).toBe(200);
    const batch = await app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"language":"javascript","code":"1"}\n' });
    expect(batch.statusCode).toBe(200);
    const dify = await app.inject({ method: 'POST', url: '/v1/sandbox/run', headers: { 'x-api-key': 'k' }, payload: { language: 'nodejs', code: 'console.log(1)' } });
    expect(dify.json().code).toBe(0);
    const piston = await app.inject({ method: 'POST', url: '/api/v2/execute', payload: { language: 'js', version: '*', files: [{ content: 'console.log(2)' }] } });
    expect(piston.json().run.code).toBe(0);

    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const executions = (face: string) => series(text, `isola_executions_total{face="${face}",lane="quickjs",status="completed",error_type="none"}`);
    expect(executions('isola')).toBe(2);
    expect(executions('dify')).toBe(1);
    expect(executions('piston')).toBe(1);
    expect(series(text, 'isola_execution_duration_seconds_count{face="piston",lane="quickjs"}')).toBe(1);
    expect(series(text, 'isola_execution_duration_seconds_count{face="dify",lane="quickjs"}')).toBe(1);

    const finished = logs.filter((entry) => entry.msg === 'execution finished').map((entry) => entry['face']);
    expect(finished.sort()).toEqual(['dify', 'isola', 'isola', 'piston']);
  });
});
