// /metrics shows the job queue: isola_jobs{state} read at scrape time from the app's queue.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { SPIN, submit, waitForJob } from './helpers.js';

let engine: Engine;
let app: FastifyInstance;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
  app = buildApp({ engine, docs: false, metrics: createMetrics({ defaultMetrics: false }).registry, jobs: { concurrency: 1 } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await engine?.close({ graceMs: 0 });
});

async function jobsGauge(): Promise<Record<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^isola_jobs\{state="(\w+)"\} (\d+)$/gm)) out[match[1]!] = Number(match[2]);
  return out;
}

describe('isola_jobs in /metrics', () => {
  it('counts queued, running and stored jobs', async () => {
    expect(await jobsGauge()).toEqual({ queued: 0, running: 0, stored: 0 });
    const running = (await submit(app, { language: 'javascript', code: SPIN, timeout_ms: 60_000 })).json().id;
    await waitForJob(app, running, (job) => job.status === 'running');
    const queued = (await submit(app, { language: 'javascript', code: SPIN, timeout_ms: 60_000 })).json().id;
    expect(await jobsGauge()).toEqual({ queued: 1, running: 1, stored: 2 });
    await app.inject({ method: 'DELETE', url: `/v1/jobs/${queued}` });
    await app.inject({ method: 'DELETE', url: `/v1/jobs/${running}` });
    expect(await jobsGauge()).toEqual({ queued: 0, running: 0, stored: 2 });
  });
});
