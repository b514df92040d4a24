// Shared by the job tests: an app with its own job settings, and polling a job to its end over HTTP.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine, EngineOptions } from '../../src/engine/types.js';
import type { JobsOptions } from '../../src/jobs/jobs-options.js';
import type { JobView } from '../../src/jobs/types.js';
import { buildApp } from '../../src/server/app.js';

export const FINAL = ['succeeded', 'failed', 'cancelled'];

export function useJobsApp(jobs: JobsOptions = {}, engineOptions: EngineOptions = { workers: { quickjs: 1, cpython: 0, native: 0 } }): () => FastifyInstance {
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    engine = await createEngine(engineOptions);
    app = buildApp({ engine, docs: false, jobs });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });
  return () => {
    if (!app) throw new Error('the app is not started yet');
    return app;
  };
}

export function submit(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function getJob(app: FastifyInstance, id: string): Promise<JobView> {
  const res = await app.inject({ method: 'GET', url: `/v1/jobs/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as JobView;
}

/** Polls GET /v1/jobs/:id until `until(job)` holds (by default: the job ended). */
export async function waitForJob(app: FastifyInstance, id: string, until: (job: JobView) => boolean = (job) => FINAL.includes(job.status), timeoutMs = 20_000): Promise<JobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(app, id);
    if (until(job)) return job;
    if (Date.now() > end) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Spins inside the sandbox until cancelled or timed out. */
export const SPIN = 'while (true) {}';
