// POST/GET/DELETE /v1/jobs through app.inject() on a real engine (QuickJS lane): the job's result is the
// /v1/execute envelope, bad bodies get the very same 4xx, cancel stops queued and running jobs,
// Idempotency-Key returns the same job, results expire after the TTL, and the store is bounded.
import { describe, expect, it } from 'vitest';
import { ExecuteResponseSchema } from '../../src/contract/response.js';
import { JobViewSchema } from '../../src/jobs/job-schema.js';
import { ADD, post } from '../server/helpers.js';
import { SPIN, getJob, submit, useJobsApp, waitForJob } from './helpers.js';

describe('POST /v1/jobs, GET /v1/jobs/:id', () => {
  const app = useJobsApp();

  it('answers 202 queued at once, and GET gives the /v1/execute envelope once done', async () => {
    const res = await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 2, b: 3 } });
    expect(res.statusCode).toBe(202);
    const { id, status, created_at } = res.json();
    expect(id).toMatch(/^job_[0-9a-z]+$/);
    expect(status).toBe('queued');
    expect(Date.parse(created_at)).not.toBeNaN();
    expect(res.headers['location']).toBe(`/v1/jobs/${id}`);
    const job = JobViewSchema.parse(await waitForJob(app(), id));
    expect(job.status).toBe('succeeded');
    const result = ExecuteResponseSchema.parse(job.result);
    expect(result).toMatchObject({ status: 'completed', return_code: 0, output: { sum: 5 }, error: null });
    expect(Date.parse(job.started_at!)).toBeLessThanOrEqual(Date.parse(job.finished_at!));
    expect(Date.parse(job.expires_at!) - Date.parse(job.finished_at!)).toBe(60 * 60 * 1000);
    const direct = await post(app(), { language: 'javascript', code: ADD, inputs: { a: 2, b: 3 } });
    expect(Object.keys(job.result!).sort()).toEqual(Object.keys(direct.json()).sort());
  });

  it('marks a job whose code threw as failed, with the exception in its envelope', async () => {
    const res = await submit(app(), { language: 'javascript', code: 'throw new Error("nope")' });
    const job = await waitForJob(app(), res.json().id);
    expect(job.status).toBe('failed');
    expect(job.result?.error?.type).toBe('exception');
  });

  it.each([
    ['a bad field', { language: 'cobol', code: 'x', timeout_ms: 0 }],
    ['an unknown field', { language: 'javascript', code: 'x', extra: 1 }],
    ['not an object', [1, 2]],
    ['malformed JSON', '{"language":'],
  ])('refuses %s with the same 4xx as /v1/execute', async (_name, body) => {
    const [job, direct] = await Promise.all([submit(app(), body), post(app(), body)]);
    expect(job.statusCode).toBeGreaterThanOrEqual(400);
    expect(job.statusCode).toBe(direct.statusCode);
    expect(job.json()).toEqual(direct.json());
  });

  it('names a bad callback alongside the other bad fields', async () => {
    const res = await submit(app(), { language: 'cobol', code: 'x', callback: { url: 'ftp://example.com/x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((issue: { field: string }) => issue.field).sort()).toEqual(['callback.url', 'language']);
  });

  it('refuses a callback when the operator set no signing secret', async () => {
    const res = await submit(app(), { language: 'javascript', code: ADD, callback: { url: 'https://example.com/hook' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unsupported', issues: [{ field: 'callback' }] });
  });

  it('publishes the job routes and schemas in /openapi.json', async () => {
    const doc = (await app().inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/jobs'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/jobs/{id}']).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(doc.components.schemas.JobRequest.properties).sort()).toEqual([...Object.keys(doc.components.schemas.ExecuteRequest.properties), 'callback'].sort());
    expect(doc.components.schemas.Job.properties.status.enum).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
  });

  it('answers 404 job_not_found for an unknown id, on GET and DELETE', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await app().inject({ method, url: '/v1/jobs/job_nope' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('job_not_found');
    }
  });
});

describe('DELETE /v1/jobs/:id', () => {
  // One job at a time, so that a second job stays queued behind a running one.
  const app = useJobsApp({ concurrency: 1 });

  it('interrupts a running job like a deadline, with error.type cancelled', async () => {
    const res = await submit(app(), { language: 'javascript', code: SPIN, timeout_ms: 60_000 });
    const { id } = res.json();
    await waitForJob(app(), id, (job) => job.status === 'running');
    const started = Date.now();
    const cancelled = await app().inject({ method: 'DELETE', url: `/v1/jobs/${id}` });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled', result: { status: 'error', error: { type: 'cancelled' } } });
    expect(Date.now() - started).toBeLessThan(2_000);
    // Cancelling again changes nothing.
    const again = await app().inject({ method: 'DELETE', url: `/v1/jobs/${id}` });
    expect(again.json()).toEqual(cancelled.json());
  });

  it('never runs a queued job it cancels', async () => {
    const blocker = (await submit(app(), { language: 'javascript', code: SPIN, timeout_ms: 60_000 })).json().id;
    await waitForJob(app(), blocker, (job) => job.status === 'running');
    const queued = (await submit(app(), { language: 'javascript', code: 'console.log("it ran")' })).json().id;
    expect((await getJob(app(), queued)).status).toBe('queued');
    const res = await app().inject({ method: 'DELETE', url: `/v1/jobs/${queued}` });
    expect(res.json()).toMatchObject({ status: 'cancelled', result: { stdout: '', error: { type: 'cancelled' } } });
    expect(res.json().started_at).toBeUndefined();
    expect(res.json().result.timings.run_ms).toBe(0);
    await app().inject({ method: 'DELETE', url: `/v1/jobs/${blocker}` });
  });
});

describe('Idempotency-Key', () => {
  const app = useJobsApp();
  const body = { language: 'javascript', code: ADD, inputs: { a: 1, b: 2 } };

  it('returns the same job for a retried submit with the same key and body, in any key order', async () => {
    const first = await submit(app(), body, { 'idempotency-key': 'order-17' });
    expect(first.statusCode).toBe(202);
    const reordered = { inputs: { b: 2, a: 1 }, code: ADD, language: 'javascript' };
    const retry = await submit(app(), reordered, { 'idempotency-key': 'order-17' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);
    const other = await submit(app(), body, { 'idempotency-key': 'order-18' });
    expect(other.json().id).not.toBe(first.json().id);
  });

  it('refuses the same key with another body (422 idempotency_key_reused)', async () => {
    await submit(app(), body, { 'idempotency-key': 'order-19' });
    const res = await submit(app(), { ...body, inputs: { a: 5, b: 2 } }, { 'idempotency-key': 'order-19' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'idempotency_key_reused', issues: [{ field: '(header) idempotency-key' }] });
  });

  it('refuses a key that is empty, too long or not printable ASCII', async () => {
    for (const key of ['x'.repeat(256), 'caf\u00e9', 'two words']) {
      const res = await submit(app(), body, { 'idempotency-key': key });
      expect(res.statusCode, key).toBe(400);
      expect(res.json().error.issues[0].field).toBe('(header) idempotency-key');
    }
  });
});

describe('job TTL', () => {
  const app = useJobsApp({ ttlMs: 300 });

  it('removes a finished job after the TTL: GET then answers 404', async () => {
    const { id } = (await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } }, { 'idempotency-key': 'ttl-1' })).json();
    const job = await waitForJob(app(), id);
    expect(Date.parse(job.expires_at!) - Date.parse(job.finished_at!)).toBe(300);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const res = await app().inject({ method: 'GET', url: `/v1/jobs/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('job_not_found');
    // The key went with the job: the same submit makes a new one.
    const again = await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } }, { 'idempotency-key': 'ttl-1' });
    expect(again.statusCode).toBe(202);
    expect(again.json().id).not.toBe(id);
  });
});

describe('job store bounds', () => {
  const app = useJobsApp({ concurrency: 1, maxQueued: 1, maxStored: 3 });

  it('answers 429 too_many_jobs with Retry-After when the queue or the store is full', async () => {
    const spin = { language: 'javascript', code: SPIN, timeout_ms: 60_000 };
    const running = (await submit(app(), spin)).json().id;
    await waitForJob(app(), running, (job) => job.status === 'running');
    const queued = await submit(app(), spin);
    expect(queued.statusCode).toBe(202);
    const refused = await submit(app(), spin);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('too_many_jobs');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Cancel both: the queue empties, but finished jobs still count against the store until their TTL.
    await app().inject({ method: 'DELETE', url: `/v1/jobs/${queued.json().id}` });
    await app().inject({ method: 'DELETE', url: `/v1/jobs/${running}` });
    expect((await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } })).statusCode).toBe(202);
    const full = await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } });
    expect(full.statusCode).toBe(429);
    expect(full.json().error.message).toContain('store is full');
  });
});

describe('job store bounds in bytes', () => {
  const app = useJobsApp({ maxStoredBytes: 2_000 });

  it('refuses new jobs while finished results fill the byte budget', async () => {
    const big = (await submit(app(), { language: 'javascript', code: 'console.log("x".repeat(3000))' })).json().id;
    await waitForJob(app(), big);
    const res = await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } });
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('too_many_jobs');
  });
});
