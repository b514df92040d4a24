/**
 * The job queue's surface: what the HTTP routes program against. The in-process queue
 * (memory-job-queue.ts) implements it today; a shared one (Redis/BullMQ) can replace it without a route
 * changing, which is why every method is asynchronous even where the memory queue answers at once.
 * Portable: nothing here imports `node:`.
 */
import type { ErrorBody } from '../contract/errors.js';
import type { ParsedExecuteRequest } from '../contract/request.js';
import type { ExecuteResponse } from '../contract/response.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobCallback {
  url: string;
}

/** Where the delivery of a job's callback stands. */
export interface CallbackState {
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** Why the last attempt failed (refused by the egress policy, a status, a network error). */
  last_error?: string;
}

/** What GET /v1/jobs/:id answers. */
export interface JobView {
  id: string;
  status: JobStatus;
  /** The project that submitted it (projects on): only that project's keys see or cancel it. */
  project?: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  /** When a finished job is removed (GET then answers 404 job_not_found). */
  expires_at?: string;
  /** The envelope POST /v1/execute would have answered; present once the job ran (or was cancelled). */
  result?: ExecuteResponse;
  /** The request-level error when the engine refused to run the job at all (no envelope then). */
  error?: ErrorBody['error'];
  callback?: CallbackState;
}

/** What a live observer of a job receives, in order; `result` (or `error`) is the last. */
export type JobEvent =
  | { type: 'status'; status: JobStatus }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'result'; result: ExecuteResponse }
  | { type: 'error'; error: ErrorBody['error'] };

export interface JobSubmission {
  request: ParsedExecuteRequest;
  callback?: JobCallback;
  /** The client's Idempotency-Key header, if any. */
  idempotencyKey?: string;
  /** A digest of the submitted body: the same key with another fingerprint is a conflict. */
  fingerprint: string;
  /** The submitting project (projects on); Idempotency-Keys are scoped to it. */
  project?: string;
}

export interface Subscription {
  /** Events that already happened (status changes and output so far), to send before live ones. */
  replay: JobEvent[];
  /** True when the job has already ended: `replay` ends with its result and nothing follows. */
  ended: boolean;
  unsubscribe(): void;
}

export interface JobQueue {
  /**
   * Accept a job. `created` is false when an Idempotency-Key returned an earlier job. Rejects with
   * IsolaError too_many_jobs, idempotency_key_reused or shutting_down.
   */
  submit(submission: JobSubmission): Promise<{ job: JobView; created: boolean }>;
  get(id: string): Promise<JobView | undefined>;
  /** Cancel a queued or running job (a finished one is left as it is); undefined when there is no such job. */
  cancel(id: string): Promise<JobView | undefined>;
  /** Follow a job's events; undefined when there is no such job. */
  subscribe(id: string, listener: (event: JobEvent) => void): Promise<Subscription | undefined>;
  /** With a shared queue, the cluster's counts (running: on all nodes); else this node's. */
  stats(): Promise<{ queued: number; running: number; stored: number; storedBytes: number }>;
  /**
   * Whether the queue can take work now, for /readyz: a shared queue answers whether its store (Redis)
   * responds. Absent: always ready (the in-process queue).
   */
  health?(): Promise<{ kind: string; ready: boolean; reason?: string }>;
  /**
   * Run a request as a job and wait for its envelope (POST /v1/execute on a shared queue, so the work goes
   * to whichever node has a free worker). Absent: the face runs it on its own engine. Rejects with the
   * IsolaError the engine refused the request with; an aborted signal cancels the job.
   */
  execute?(request: ParsedExecuteRequest, options: { signal?: AbortSignal; project?: string }): Promise<ExecuteResponse>;
  /** Refuse new jobs; let queued and running ones end (and callbacks go out) up to graceMs, then cancel the rest. Idempotent. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The status a finished job gets from its envelope: it succeeded only if the code ran to a clean exit. */
export function statusOfResult(result: ExecuteResponse): JobStatus {
  if (result.error?.type === 'cancelled') return 'cancelled';
  return result.status === 'completed' && result.return_code === 0 && result.error === null ? 'succeeded' : 'failed';
}
