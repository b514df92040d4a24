/**
 * What a BullMQ job of the shared queue looks like to a client (the GET /v1/jobs/:id body): its state
 * mapped to a JobStatus, its return value to the envelope or the request error, and its TTL enforced at
 * read time (BullMQ removes aged results only when later jobs finish).
 */
import type { JobState } from 'bullmq';
import type { ErrorBody } from '../contract/errors.js';
import type { ExecuteResponse } from '../contract/response.js';
import { statusOfResult, type CallbackState, type JobCallback, type JobView } from './types.js';

/** What a BullMQ job carries. The request (code, inputs) is dropped once the result is in. */
export interface JobData {
  request?: unknown;
  callback?: JobCallback;
  created_at: string;
  /** The submitted body's digest: the same Idempotency-Key with another body is a conflict. */
  fingerprint: string;
  /** Tells one node's add from a concurrent one with the same key. */
  nonce: string;
  /** The submitting project (projects on): its keys alone see the job, and it runs in its scope. */
  project?: string;
}

/** What the processor returns: BullMQ stores it as the job's return value. */
export type Outcome = { result: ExecuteResponse } | { error: ErrorBody['error'] };

/** A job that failed in Isola rather than in its code (e.g. it lost its lease more often than allowed). */
export const INTERNAL_ERROR: ErrorBody['error'] = { code: 'internal', message: 'the job failed inside Isola; it may be submitted again' };

export interface StoredJob {
  id: string;
  data: JobData;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
  returnvalue: Outcome | null | undefined;
}

/** undefined when the job is gone (or past its TTL). */
export function jobView(job: StoredJob, state: JobState | 'unknown', ttlMs: number, callback: CallbackState | undefined, now = Date.now()): JobView | undefined {
  if (state === 'unknown') return undefined;
  const view: JobView = { id: job.id, status: 'queued', ...(job.data.project !== undefined ? { project: job.data.project } : {}), created_at: job.data.created_at };
  if (job.processedOn && state !== 'waiting' && state !== 'prioritized') view.started_at = new Date(job.processedOn).toISOString();
  if (state === 'active') view.status = 'running';
  if (state === 'completed' || state === 'failed') {
    const finishedOn = job.finishedOn ?? now;
    if (finishedOn + ttlMs <= now) return undefined;
    view.finished_at = new Date(finishedOn).toISOString();
    view.expires_at = new Date(finishedOn + ttlMs).toISOString();
    const outcome: Outcome = (state === 'completed' ? job.returnvalue : undefined) ?? { error: INTERNAL_ERROR };
    if ('result' in outcome) {
      view.result = outcome.result;
      view.status = statusOfResult(outcome.result);
    } else {
      view.error = outcome.error;
      view.status = 'failed';
    }
  }
  if (job.data.callback) view.callback = callback ?? { url: job.data.callback.url, state: 'pending', attempts: 0 };
  return view;
}
