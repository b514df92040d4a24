// How a shared-queue job reads to a client: BullMQ states to statuses, the stored outcome to the result
// or error, and the TTL enforced at read time (BullMQ only removes aged results when later jobs finish).
import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR, jobView, type StoredJob } from '../../src/jobs/redis-job-view.js';

const NOW = Date.parse('2026-12-08T00:00:00Z');
const envelope = { status: 'completed', return_code: 0, error: null, output: 1 } as never;
const job = (extra: Partial<StoredJob> = {}): StoredJob => ({ id: 'job_x', data: { created_at: '2026-12-07T23:59:00.000Z', fingerprint: 'f', nonce: 'n' }, returnvalue: undefined, ...extra });

describe('jobView', () => {
  it('maps waiting, prioritized and delayed to queued, active to running with its start', () => {
    for (const state of ['waiting', 'prioritized', 'delayed'] as const) expect(jobView(job(), state, 60_000, undefined, NOW)?.status).toBe('queued');
    expect(jobView(job({ processedOn: NOW - 500 }), 'active', 60_000, undefined, NOW)).toMatchObject({ status: 'running', started_at: '2026-12-07T23:59:59.500Z' });
  });

  it('gives a finished job its envelope and expiry, and nothing once the TTL has passed', () => {
    const done = job({ processedOn: NOW - 2_000, finishedOn: NOW - 1_000, returnvalue: { result: envelope } });
    expect(jobView(done, 'completed', 60_000, undefined, NOW)).toMatchObject({ status: 'succeeded', result: envelope, expires_at: '2026-12-08T00:00:59.000Z' });
    expect(jobView(done, 'completed', 1_000, undefined, NOW)).toBeUndefined();
    expect(jobView(job(), 'unknown', 60_000, undefined, NOW)).toBeUndefined();
  });

  it('reports a refused request or a job BullMQ failed (lease lost too often) as failed with the error', () => {
    const refused = { code: 'unsupported' as const, message: 'no lane' };
    expect(jobView(job({ finishedOn: NOW, returnvalue: { error: refused } }), 'completed', 60_000, undefined, NOW)).toMatchObject({ status: 'failed', error: refused });
    expect(jobView(job({ finishedOn: NOW }), 'failed', 60_000, undefined, NOW)).toMatchObject({ status: 'failed', error: INTERNAL_ERROR });
  });

  it('shows a callback as pending until its node records a delivery', () => {
    const withCallback = job({ data: { created_at: 'x', fingerprint: 'f', nonce: 'n', callback: { url: 'https://h/x' } } });
    expect(jobView(withCallback, 'waiting', 60_000, undefined, NOW)?.callback).toEqual({ url: 'https://h/x', state: 'pending', attempts: 0 });
    expect(jobView(withCallback, 'waiting', 60_000, { url: 'https://h/x', state: 'delivered', attempts: 1 }, NOW)?.callback).toMatchObject({ state: 'delivered' });
  });
});
