// Job callbacks to a real local HTTP server (the operator opened private addresses for this test): the
// finished job arrives as JSON, signed with Isola-Signature over "t.body", and a failing receiver is
// retried with exponential backoff until it answers 2xx or the attempts run out.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCallbackSignature } from '../../src/jobs/callback-signature.js';
import { JobViewSchema } from '../../src/jobs/job-schema.js';
import { ADD } from '../server/helpers.js';
import { startReceiver, type Receiver } from './callback-receiver.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { buildApp } from '../../src/server/app.js';
import { SPIN, submit, useJobsApp, waitForJob } from './helpers.js';

const SECRET = 'test-callback-secret';

describe('job callbacks', () => {
  const app = useJobsApp({ callbackSecret: SECRET, callbackAllowPrivate: true, callbackAttempts: 3, callbackBackoffMs: 100 });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('POSTs the finished job, signed with HMAC-SHA256 over "t.body"', async () => {
    const before = receiver.deliveries.length;
    const { id } = (await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 4, b: 5 }, callback: { url: receiver.url } })).json();
    const [delivery] = (await receiver.waitFor(before + 1)).slice(before);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['isola-job-id']).toBe(id);
    const job = JobViewSchema.parse(JSON.parse(delivery!.body));
    expect(job).toMatchObject({ id, status: 'succeeded', result: { output: { sum: 9 } } });
    const header = String(delivery!.headers['isola-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match, header).not.toBeNull();
    const t = Number(match![1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(30);
    expect(match![2]).toBe(createHmac('sha256', SECRET).update(`${t}.${delivery!.body}`).digest('hex'));
    expect(verifyCallbackSignature(SECRET, header, delivery!.body)).toBe(true);
    expect(verifyCallbackSignature('another-secret', header, delivery!.body)).toBe(false);
    expect(verifyCallbackSignature(SECRET, header, delivery!.body.replace('"sum":9', '"sum":8'))).toBe(false);
    expect(verifyCallbackSignature(SECRET, header, delivery!.body, 300, t + 301)).toBe(false);
    const after = await waitForJob(app(), id, (view) => view.callback?.state === 'delivered');
    expect(after.callback).toEqual({ url: receiver.url, state: 'delivered', attempts: 1 });
  });

  it('retries a receiver that fails, with growing waits, until it answers 2xx', async () => {
    const before = receiver.deliveries.length;
    receiver.answers.push(500, 503);
    const { id } = (await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 }, callback: { url: receiver.url } })).json();
    const deliveries = (await receiver.waitFor(before + 3)).slice(before);
    expect(deliveries.map((delivery) => JSON.parse(delivery.body).id)).toEqual([id, id, id]);
    const [first, second, third] = deliveries.map((delivery) => delivery.at);
    expect(second! - first!).toBeGreaterThanOrEqual(90);
    expect(third! - second!).toBeGreaterThanOrEqual(190);
    const job = await waitForJob(app(), id, (view) => view.callback?.state === 'delivered');
    expect(job.callback).toMatchObject({ state: 'delivered', attempts: 3 });
  });

  it('gives up after the last attempt and says why', async () => {
    const before = receiver.deliveries.length;
    receiver.answers.push(500, 500, 500);
    const { id } = (await submit(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 }, callback: { url: receiver.url } })).json();
    const job = await waitForJob(app(), id, (view) => view.callback?.state === 'failed');
    expect(job.callback).toMatchObject({ state: 'failed', attempts: 3, last_error: 'answered 500' });
    expect(receiver.deliveries.length - before).toBe(3);
  });

  it('calls back for a cancelled job too', async () => {
    const before = receiver.deliveries.length;
    const { id } = (await submit(app(), { language: 'javascript', code: 'while (true) {}', callback: { url: receiver.url } })).json();
    await waitForJob(app(), id, (view) => view.status === 'running');
    await app().inject({ method: 'DELETE', url: `/v1/jobs/${id}` });
    const [delivery] = (await receiver.waitFor(before + 1)).slice(before);
    expect(JSON.parse(delivery!.body)).toMatchObject({ id, status: 'cancelled', result: { error: { type: 'cancelled' } } });
  });
});

describe('draining with jobs', () => {
  it('runs accepted jobs to their end and sends their callbacks, while refusing new jobs', async () => {
    const receiver = await startReceiver();
    const engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
    const app = buildApp({ engine, docs: false, drainGraceMs: 10_000, jobs: { callbackSecret: SECRET, callbackAllowPrivate: true } });
    try {
      const busy = 'function main() { const end = Date.now() + 300; while (Date.now() < end) {} return "late"; }';
      const { id } = (await submit(app, { language: 'javascript', code: busy, callback: { url: receiver.url } })).json();
      const queued = (await submit(app, { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 }, callback: { url: receiver.url } })).json().id;
      const drained = app.isola.drain();
      const refused = await submit(app, { language: 'javascript', code: SPIN });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('shutting_down');
      await drained;
      const bodies = receiver.deliveries.map((delivery) => JSON.parse(delivery.body));
      expect(bodies.map((body) => [body.id, body.status]).sort()).toEqual([[id, 'succeeded'], [queued, 'succeeded']].sort());
    } finally {
      await app.close();
      await engine.close({ graceMs: 0 });
      await receiver.close();
    }
  });
});
