/**
 * The in-process job queue: jobs live in this process's memory, run on its engine, and are lost with it.
 * Bounded everywhere a client could make it grow: queued jobs, stored jobs (finished ones are kept for
 * `ttlMs`, then removed), and per job the output kept for late observers (the engine's stream caps).
 * Portable: timers and Web APIs only.
 */
import { IsolaError, isIsolaError, shuttingDownError, type ErrorBody } from '../contract/errors.js';
import type { ParsedExecuteRequest } from '../contract/request.js';
import type { ExecuteResponse } from '../contract/response.js';
import { newJobId } from './job-id.js';
import { FINAL_STATUSES, statusOfResult, type CallbackState, type JobCallback, type JobEvent, type JobQueue, type JobStatus, type JobSubmission, type JobView, type Subscription } from './types.js';

export interface RunHooks {
  signal: AbortSignal;
  /** A worker took the job. */
  onStart(): void;
  /** A chunk the guest wrote, after the output caps (what the envelope will hold, as it is written). */
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  /** The project it runs for (projects on), for the engine's metrics and logs. */
  project?: string;
}

/** Idempotency-Keys belong to whoever sent them: two projects may use the same key for different jobs. */
function scopedKey(project: string | undefined, key: string): string {
  return `${project ?? ''}\n${key}`;
}

/** Runs one accepted request to its envelope: the engine's execute, in the service. */
export type JobRunner = (request: ParsedExecuteRequest, hooks: RunHooks) => Promise<ExecuteResponse>;

/** Delivers a finished job to its callback URL, reporting each attempt through `update`. */
export type CallbackSender = (callback: JobCallback, job: JobView, update: (state: CallbackState) => void) => Promise<void>;

export interface MemoryJobQueueOptions {
  run: JobRunner;
  sendCallback?: CallbackSender;
  /** How long a finished job (its result) is kept, in ms. */
  ttlMs: number;
  /** Jobs waiting to be handed to the engine; past it, submit() rejects with too_many_jobs. */
  maxQueued: number;
  /** Jobs held at all (queued, running and finished within their TTL). */
  maxStored: number;
  /**
   * Size of the finished jobs' results held at once (their JSON, in UTF-16 units): a count alone does not
   * bound memory when each result may carry megabytes of output. Past it, submit() rejects too.
   */
  maxStoredBytes: number;
  /** Jobs handed to the engine at once; the engine's own scheduler then waits for workers. */
  concurrency: number;
  /** Receives a listener's or sender's bug; never thrown. */
  onError?: (error: unknown) => void;
}

export const JOBS_DEFAULTS = { ttlMs: 60 * 60 * 1000, maxQueued: 1000, maxStored: 10_000, maxStoredBytes: 512 * 1024 * 1024, concurrency: 16 } as const;

interface JobRecord {
  view: JobView;
  request: ParsedExecuteRequest | undefined;
  callback: JobCallback | undefined;
  idempotencyKey: string | undefined;
  fingerprint: string;
  controller: AbortController;
  /** Status changes and output so far, replayed to late observers. */
  history: JobEvent[];
  listeners: Set<(event: JobEvent) => void>;
  expiry: ReturnType<typeof setTimeout> | undefined;
  /** Size of the kept result, counted in storedBytes. */
  bytes: number;
  /** Settles once the job ended and its callback (if any) is done. */
  done: Promise<void>;
  markDone: () => void;
}

export function createMemoryJobQueue(options: MemoryJobQueueOptions): JobQueue {
  const jobs = new Map<string, JobRecord>();
  const byKey = new Map<string, string>();
  const waiting: JobRecord[] = [];
  let running = 0;
  let storedBytes = 0;
  let closing = false;
  let closed: Promise<void> | undefined;
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // Nothing left to tell.
    }
  };

  /** Tell the live observers; `keep` also records it for late ones (the final event is rebuilt from the view). */
  const emit = (record: JobRecord, event: JobEvent, keep = true) => {
    if (keep) record.history.push(event);
    for (const listener of record.listeners) {
      try {
        listener(event);
      } catch (error) {
        report(error);
      }
    }
  };

  const setStatus = (record: JobRecord, status: JobStatus) => {
    if (record.view.status === status) return;
    record.view.status = status;
    emit(record, { type: 'status', status });
  };

  const remove = (record: JobRecord) => {
    jobs.delete(record.view.id);
    if (record.idempotencyKey !== undefined && byKey.get(record.idempotencyKey) === record.view.id) byKey.delete(record.idempotencyKey);
    if (record.expiry) clearTimeout(record.expiry);
    storedBytes -= record.bytes;
    record.bytes = 0;
    record.listeners.clear();
  };

  const finish = (record: JobRecord, outcome: { result: ExecuteResponse } | { error: ErrorBody['error'] }) => {
    const finishedAt = new Date();
    record.view.finished_at = finishedAt.toISOString();
    record.view.expires_at = new Date(finishedAt.getTime() + options.ttlMs).toISOString();
    // The request (code, inputs) is not needed any more; only the answer is kept for the TTL.
    record.request = undefined;
    record.bytes = JSON.stringify('result' in outcome ? outcome.result : outcome.error).length;
    storedBytes += record.bytes;
    if ('result' in outcome) {
      record.view.result = outcome.result;
      setStatus(record, statusOfResult(outcome.result));
    } else {
      record.view.error = outcome.error;
      setStatus(record, 'failed');
    }
    // History holds output for live observers; once the result is in, the result carries it.
    record.history = record.history.filter((event) => event.type === 'status');
    emit(record, 'result' in outcome ? { type: 'result', result: outcome.result } : { type: 'error', error: outcome.error }, false);
    record.listeners.clear();
    record.expiry = setTimeout(() => remove(record), options.ttlMs);
    unref(record.expiry);
    void deliver(record).finally(record.markDone);
  };

  const deliver = async (record: JobRecord) => {
    const callback = record.callback;
    if (!callback || !options.sendCallback) return;
    const { callback: _state, ...job } = record.view;
    try {
      await options.sendCallback(callback, job, (state) => {
        record.view.callback = state;
      });
    } catch (error) {
      report(error);
    }
  };

  const start = (record: JobRecord) => {
    const request = record.request!;
    running++;
    const hooks: RunHooks = {
      ...(record.view.project !== undefined ? { project: record.view.project } : {}),
      signal: record.controller.signal,
      onStart: () => {
        record.view.started_at = new Date().toISOString();
        setStatus(record, 'running');
      },
      onOutput: (stream, data) => {
        if (data.length > 0 && !FINAL_STATUSES.has(record.view.status)) emit(record, { type: stream, data });
      },
    };
    options
      .run(request, hooks)
      .then(
        (result) => finish(record, { result }),
        (error: unknown) => {
          if (!isIsolaError(error)) report(error);
          const body = isIsolaError(error) && error.code !== 'internal' ? error.toBody().error : { code: 'internal' as const, message: 'the job failed inside Isola; it may be submitted again' };
          finish(record, { error: body });
        },
      )
      .finally(() => {
        running--;
        pump();
      });
  };

  const pump = () => {
    while (running < options.concurrency && waiting.length > 0) start(waiting.shift()!);
  };

  const subscription = (record: JobRecord, listener: (event: JobEvent) => void): Subscription => {
    const ended = FINAL_STATUSES.has(record.view.status);
    const replay = [...record.history];
    if (ended) {
      const last = record.view.result ? ({ type: 'result', result: record.view.result } as const) : ({ type: 'error', error: record.view.error! } as const);
      replay.push(last);
    } else {
      record.listeners.add(listener);
    }
    return { replay, ended, unsubscribe: () => record.listeners.delete(listener) };
  };

  return {
    async submit(submission: JobSubmission) {
      if (closing) throw shuttingDownError();
      if (submission.idempotencyKey !== undefined) {
        const earlier = jobs.get(byKey.get(scopedKey(submission.project, submission.idempotencyKey)) ?? '');
        if (earlier) {
          if (earlier.fingerprint !== submission.fingerprint) {
            throw new IsolaError('idempotency_key_reused', 'Idempotency-Key was already used for a different request body', {
              issues: [{ field: '(header) idempotency-key', message: `job ${earlier.view.id} was submitted with this key and another body` }],
            });
          }
          return { job: structuredClone(earlier.view), created: false };
        }
      }
      if (waiting.length >= options.maxQueued) {
        throw new IsolaError('too_many_jobs', `too many queued jobs (${options.maxQueued}); retry later`, { retryAfterS: 1 });
      }
      if (jobs.size >= options.maxStored || storedBytes >= options.maxStoredBytes) {
        throw new IsolaError('too_many_jobs', `the job store is full (${options.maxStored} jobs); retry later or lower the job TTL`, { retryAfterS: 5 });
      }
      let markDone!: () => void;
      const done = new Promise<void>((resolve) => (markDone = resolve));
      const record: JobRecord = {
        view: { id: newJobId(), status: 'queued', ...(submission.project !== undefined ? { project: submission.project } : {}), created_at: new Date().toISOString(), ...(submission.callback ? { callback: { url: submission.callback.url, state: 'pending', attempts: 0 } } : {}) },
        request: submission.request,
        callback: submission.callback,
        idempotencyKey: submission.idempotencyKey === undefined ? undefined : scopedKey(submission.project, submission.idempotencyKey),
        fingerprint: submission.fingerprint,
        controller: new AbortController(),
        history: [{ type: 'status', status: 'queued' }],
        listeners: new Set(),
        expiry: undefined,
        bytes: 0,
        done,
        markDone,
      };
      jobs.set(record.view.id, record);
      if (record.idempotencyKey !== undefined) byKey.set(record.idempotencyKey, record.view.id);
      waiting.push(record);
      const view = structuredClone(record.view);
      pump();
      return { job: view, created: true };
    },

    async get(id) {
      const record = jobs.get(id);
      return record ? structuredClone(record.view) : undefined;
    },

    async cancel(id) {
      const record = jobs.get(id);
      if (!record) return undefined;
      if (!FINAL_STATUSES.has(record.view.status)) {
        record.controller.abort();
        const at = waiting.indexOf(record);
        // A queued job is run with its signal already aborted: the engine answers a cancelled envelope
        // without the code ever reaching a worker.
        if (at >= 0) {
          waiting.splice(at, 1);
          start(record);
        }
      }
      return structuredClone(record.view);
    },

    async subscribe(id, listener) {
      const record = jobs.get(id);
      return record ? subscription(record, listener) : undefined;
    },

    async stats() {
      return { queued: waiting.length, running, stored: jobs.size, storedBytes };
    },

    close({ graceMs = 10_000 } = {}) {
      closing = true;
      closed ??= (async () => {
        const pending = [...jobs.values()].map((record) => record.done);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        const outcome = await Promise.race([Promise.all(pending).then(() => 'done' as const), grace]);
        clearTimeout(timer);
        if (outcome === 'late') {
          for (const record of jobs.values()) if (!FINAL_STATUSES.has(record.view.status)) record.controller.abort();
          for (const record of waiting.splice(0)) start(record);
        }
        for (const record of jobs.values()) if (record.expiry) clearTimeout(record.expiry);
      })();
      return closed;
    },
  };
}

function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
