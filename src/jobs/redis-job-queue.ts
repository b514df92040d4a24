/**
 * The shared job queue: jobs live in Redis as BullMQ jobs, so every node accepts them, any node answers
 * GET/DELETE, and each node's BullMQ Worker takes as many at once as its engine has workers.
 *
 * Crash safety is BullMQ's: a running job holds a lease (lock) its node renews; a node killed with
 * `kill -9` stops renewing, a stalled-job check on another node moves the job back to wait, and someone
 * runs it again. Completing checks the lease's token in the same Lua script that stores the result, so
 * a node that lost its lease cannot record a second result. What is ours on top: the Idempotency-Key
 * (the job id is derived from it, so BullMQ adds one job per key), cancel (a flag plus a pub/sub message the running node acts on), live
 * events (a pub/sub channel per job) and callbacks (sent by the node that recorded the result).
 */
import { createHash } from 'node:crypto';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { IsolaError, isIsolaError, shuttingDownError } from '../contract/errors.js';
import type { ParsedExecuteRequest, RequestContract } from '../contract/request.js';
import { newJobId } from './job-id.js';
import type { CallbackSender, JobRunner } from './memory-job-queue.js';
import { INTERNAL_ERROR, jobView, type JobData, type Outcome } from './redis-job-view.js';
import type { ResolvedSharedQueueOptions } from './shared-queue-options.js';
import { FINAL_STATUSES, type CallbackState, type JobCallback, type JobEvent, type JobQueue, type JobView } from './types.js';

export interface RedisJobQueueOptions extends ResolvedSharedQueueOptions {
  run: JobRunner;
  /** Parses a stored request again on the node that runs it (each node under its own engine's limits). */
  contract: RequestContract;
  /** Jobs this node runs at once: its engine's worker count. */
  concurrency: number;
  ttlMs: number;
  /** Jobs waiting in the cluster before submit() rejects with too_many_jobs. */
  maxQueued: number;
  sendCallback?: CallbackSender;
  onError?: (error: unknown) => void;
}

const QUEUE_NAME = 'jobs';

export interface RedisJobQueue extends JobQueue {
  /** Resolves once the queue, its events and this node's worker are connected. */
  ready(): Promise<void>;
}

export function createRedisJobQueue(options: RedisJobQueueOptions): RedisJobQueue {
  const connection = { url: options.url, maxRetriesPerRequest: null };
  const prefix = options.prefix;
  const keys = {
    cancelled: (id: string) => `${prefix}:${QUEUE_NAME}:cancelled:${id}`,
    callback: (id: string) => `${prefix}:${QUEUE_NAME}:callback:${id}`,
    cancelChannel: `${prefix}:${QUEUE_NAME}:cancel`,
    events: (id: string) => `${prefix}:${QUEUE_NAME}:events:${id}`,
  };
  const ttlS = Math.max(1, Math.ceil(options.ttlMs / 1000));
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // Nothing left to tell.
    }
  };

  const commands = new Redis(options.url, { maxRetriesPerRequest: null });
  const subscriber = new Redis(options.url, { maxRetriesPerRequest: null });
  commands.on('error', report);
  subscriber.on('error', report);
  const queue = new Queue<JobData, Outcome>(QUEUE_NAME, { connection, prefix });
  const events = new QueueEvents(QUEUE_NAME, { connection, prefix });
  queue.on('error', report);
  events.on('error', report);

  /** Jobs running on this node, so a cancel message can abort them. */
  const running = new Map<string, AbortController>();
  /** Local observers of jobs (SSE, sync execute, DELETE), by job id. */
  const observers = new Map<string, Set<(event: JobEvent) => void>>();
  const deliveries = new Set<Promise<void>>();
  /** Synchronous executes this node is waiting for (they may run on another node): a drain lets them end. */
  const waiters = new Set<Promise<unknown>>();
  let closing = false;
  let closed: Promise<void> | undefined;

  const notify = (id: string, event: JobEvent) => {
    for (const listener of observers.get(id) ?? []) {
      try {
        listener(event);
      } catch (error) {
        report(error);
      }
    }
  };

  void subscriber.subscribe(keys.cancelChannel).catch(report);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === keys.cancelChannel) {
      running.get(message)?.abort();
      return;
    }
    const id = channel.slice(keys.events('').length);
    try {
      notify(id, JSON.parse(message) as JobEvent);
    } catch (error) {
      report(error);
    }
  });

  // The end of a job reaches observers on every node through BullMQ's own event stream.
  events.on('completed', ({ jobId, returnvalue }) => {
    const outcome = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as Outcome;
    notify(jobId, 'result' in outcome ? { type: 'result', result: outcome.result } : { type: 'error', error: outcome.error });
  });
  events.on('failed', ({ jobId }) => notify(jobId, { type: 'error', error: INTERNAL_ERROR }));

  const publish = (id: string, event: JobEvent) => {
    commands.publish(keys.events(id), JSON.stringify(event)).catch(report);
  };

  const worker = new Worker<JobData, Outcome>(
    QUEUE_NAME,
    async (job, _token, signal) => {
      const id = job.id!;
      const controller = new AbortController();
      signal?.addEventListener('abort', () => controller.abort(), { once: true });
      running.set(id, controller);
      try {
        // Cancelled while it waited: the engine answers a cancelled envelope without taking a worker.
        if ((await commands.exists(keys.cancelled(id))) === 1) controller.abort();
        const request = options.contract.accept(job.data.request);
        const result = await options.run(request, {
          ...(job.data.project !== undefined ? { project: job.data.project } : {}),
          signal: controller.signal,
          onStart: () => publish(id, { type: 'status', status: 'running' }),
          onOutput: (stream, data) => {
            if (data.length > 0) publish(id, { type: stream, data });
          },
        });
        return { result };
      } catch (error) {
        if (!isIsolaError(error)) report(error);
        return { error: isIsolaError(error) && error.code !== 'internal' ? error.toBody().error : INTERNAL_ERROR };
      } finally {
        running.delete(id);
      }
    },
    {
      connection,
      prefix,
      concurrency: Math.max(1, options.concurrency),
      lockDuration: options.lockMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
      removeOnComplete: { age: ttlS },
      removeOnFail: { age: ttlS },
    },
  );
  worker.on('error', report);
  // 'completed' fires only on the node whose result was recorded (the lock token matched), so the
  // callback goes out once, from here.
  worker.on('completed', (job) => {
    const delivery = afterCompleted(job).catch(report);
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  });

  const afterCompleted = async (job: Job<JobData, Outcome>) => {
    const { request: _request, ...kept } = job.data;
    await job.updateData(kept);
    const callback = job.data.callback;
    if (!callback || !options.sendCallback) return;
    const view = await viewOf(job);
    if (!view) return;
    const { callback: _state, ...body } = view;
    await options.sendCallback(callback, body, (state) => {
      commands.set(keys.callback(job.id!), JSON.stringify(state), 'EX', ttlS).catch(report);
    });
  };

  const viewOf = async (read: Job<JobData, Outcome>): Promise<JobView | undefined> => {
    let job = read;
    const state = await job.getState();
    // The job was read before it finished (state is asked after): read it again for its result.
    if ((state === 'completed' || state === 'failed') && job.finishedOn === undefined) job = (await queue.getJob(job.id!)) ?? job;
    const stored = job.data.callback ? await commands.get(keys.callback(job.id!)) : null;
    return jobView({ ...job, id: job.id! }, state, options.ttlMs, stored ? (JSON.parse(stored) as CallbackState) : undefined);
  };

  const get = async (id: string): Promise<JobView | undefined> => {
    if (!/^job_[0-9a-z]{1,40}$/.test(id)) return undefined;
    const job = await queue.getJob(id);
    return job ? viewOf(job) : undefined;
  };

  /** Follow a job from this node: status and output through pub/sub, the end through QueueEvents. */
  const observe = async (id: string, listener: (event: JobEvent) => void) => {
    let listeners = observers.get(id);
    if (!listeners) {
      listeners = new Set();
      observers.set(id, listeners);
      await subscriber.subscribe(keys.events(id));
    }
    listeners.add(listener);
    return () => {
      const set = observers.get(id);
      if (!set?.delete(listener) || set.size > 0) return;
      observers.delete(id);
      subscriber.unsubscribe(keys.events(id)).catch(report);
    };
  };

  /** The job's final view: from the event, or by polling (an event missed across a Redis restart). */
  const untilFinal = async (id: string, signal?: AbortSignal): Promise<JobView | undefined> => {
    let wake!: () => void;
    let woken = new Promise<void>((resolve) => (wake = resolve));
    const stop = await observe(id, (event) => {
      if (event.type === 'result' || event.type === 'error') wake();
    });
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const view = await get(id);
        if (!view || FINAL_STATUSES.has(view.status) || signal?.aborted) return view;
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)))]);
        clearTimeout(timer);
        woken = new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop();
    }
  };

  const cancel = async (id: string): Promise<JobView | undefined> => {
    const job = /^job_[0-9a-z]{1,40}$/.test(id) ? await queue.getJob(id) : undefined;
    if (!job) return undefined;
    const view = await viewOf(job);
    if (!view || FINAL_STATUSES.has(view.status)) return view;
    await commands.set(keys.cancelled(id), '1', 'EX', ttlS);
    await commands.publish(keys.cancelChannel, id);
    // A waiting job goes to the head of the line, so a free worker ends it (cancelled) at once.
    await job.changePriority({ lifo: true }).catch(() => undefined);
    return view;
  };

  /** A retried submit must find the same job: its id is derived from the Idempotency-Key. */
  const idOfKey = (key: string) => `job_k${createHash('sha256').update(`${prefix}\0${key}`).digest('hex').slice(0, 32)}`;

  const existingFor = async (job: Job<JobData, Outcome>, fingerprint: string) => {
    if (job.data.fingerprint !== fingerprint) {
      throw new IsolaError('idempotency_key_reused', 'Idempotency-Key was already used for a different request body', {
        issues: [{ field: '(header) idempotency-key', message: `job ${job.id} was submitted with this key and another body` }],
      });
    }
    return { job: (await viewOf(job)) ?? { id: job.id!, status: 'queued' as const, created_at: job.data.created_at }, created: false };
  };

  const submit = async (request: ParsedExecuteRequest, extra: { callback?: JobCallback; idempotencyKey?: string; fingerprint: string; project?: string }) => {
    if (closing) throw shuttingDownError();
    // With a key, the job id is the key's: one BullMQ add per id, whichever node a retry reaches, even
    // when the node that first took it died between accepting and answering.
    // Keys are scoped to the project that sent them: two projects may use the same key for two jobs.
    const id = extra.idempotencyKey !== undefined ? idOfKey(`${extra.project ?? ''}\n${extra.idempotencyKey}`) : newJobId();
    if (extra.idempotencyKey !== undefined) {
      const earlier = await queue.getJob(id);
      if (earlier) return existingFor(earlier, extra.fingerprint);
    }
    const depth = await queue.getJobCountByTypes('wait', 'prioritized', 'delayed');
    if (depth >= options.maxQueued) throw new IsolaError('too_many_jobs', `too many queued jobs (${options.maxQueued}); retry later`, { retryAfterS: 1 });
    const created_at = new Date().toISOString();
    // Tells our add from a concurrent one with the same key (BullMQ keeps the first job of an id).
    const nonce = newJobId();
    const data: JobData = { request: request.request, created_at, fingerprint: extra.fingerprint, nonce, ...(extra.callback ? { callback: extra.callback } : {}), ...(extra.project !== undefined ? { project: extra.project } : {}) };
    await queue.add('execute', data, { jobId: id });
    if (extra.idempotencyKey !== undefined) {
      const stored = await queue.getJob(id);
      if (stored && stored.data.nonce !== nonce) return existingFor(stored, extra.fingerprint);
    }
    const job: JobView = { id, status: 'queued', ...(extra.project !== undefined ? { project: extra.project } : {}), created_at, ...(extra.callback ? { callback: { url: extra.callback.url, state: 'pending', attempts: 0 } } : {}) };
    return { job, created: true };
  };

  return {
    async ready() {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    },

    submit: (submission) =>
      submit(submission.request, {
        fingerprint: submission.fingerprint,
        ...(submission.callback ? { callback: submission.callback } : {}),
        ...(submission.idempotencyKey !== undefined ? { idempotencyKey: submission.idempotencyKey } : {}),
        ...(submission.project !== undefined ? { project: submission.project } : {}),
      }),

    get,
    cancel,

    async subscribe(id, listener) {
      const buffered: JobEvent[] = [];
      let live = false;
      let stop: () => void = () => {};
      stop = await observe(id, (event) => {
        if (live) listener(event);
        else buffered.push(event);
        if (event.type === 'result' || event.type === 'error') stop();
      });
      const view = await get(id);
      if (!view) {
        stop();
        return undefined;
      }
      // Output written before this subscription is not kept across nodes: the result carries it.
      const replay: JobEvent[] = [{ type: 'status', status: 'queued' }];
      if (view.started_at !== undefined || view.status === 'running') replay.push({ type: 'status', status: 'running' });
      const ended = FINAL_STATUSES.has(view.status);
      if (ended) {
        stop();
        replay.push({ type: 'status', status: view.status });
        replay.push(view.result ? { type: 'result', result: view.result } : { type: 'error', error: view.error ?? INTERNAL_ERROR });
        return { replay, ended, unsubscribe: () => {} };
      }
      live = true;
      setImmediate(() => {
        for (const event of buffered.splice(0)) listener(event);
      });
      return { replay, ended, unsubscribe: stop };
    },

    async execute(request, { signal, project }) {
      const { job } = await submit(request, { fingerprint: '', ...(project !== undefined ? { project } : {}) });
      const onAbort = () => void cancel(job.id).catch(report);
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiting = untilFinal(job.id, signal);
      waiters.add(waiting);
      try {
        const view = await waiting;
        if (view?.result) return view.result;
        const error = view?.error ?? INTERNAL_ERROR;
        throw new IsolaError(error.code, error.message, { ...(error.issues ? { issues: error.issues } : {}), ...(error.retry_after_s !== undefined ? { retryAfterS: error.retry_after_s } : {}) });
      } finally {
        waiters.delete(waiting);
        signal?.removeEventListener('abort', onAbort);
      }
    },

    async health() {
      // A ping that does not answer within a second counts as down: the load balancer should send work
      // to a node whose queue responds (an unreachable Redis would make every request wait).
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const pong = await Promise.race([
          commands.ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1_000);
          }),
        ]);
        return pong === 'PONG' ? { kind: 'redis', ready: true } : { kind: 'redis', ready: false, reason: `ping answered ${String(pong)}` };
      } catch (error) {
        return { kind: 'redis', ready: false, reason: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    },

    async stats() {
      const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed');
      const queued = (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['delayed'] ?? 0);
      return { queued, running: counts['active'] ?? 0, stored: queued + (counts['active'] ?? 0) + (counts['completed'] ?? 0) + (counts['failed'] ?? 0), storedBytes: 0 };
    },

    close({ graceMs = 10_000 } = {}) {
      closing = true;
      closed ??= (async () => {
        // Take no new jobs; the running ones end (worker.close waits for them) within the grace.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        const drained = Promise.all([worker.close(), Promise.allSettled([...waiters])]);
        if ((await Promise.race([drained.then(() => 'done' as const), late])) === 'late') {
          for (const controller of running.values()) controller.abort();
          await worker.close();
        }
        clearTimeout(timer);
        await Promise.allSettled([...deliveries]);
        await Promise.allSettled([events.close(), queue.close()]);
        commands.disconnect();
        subscriber.disconnect();
      })();
      return closed;
    },
  };
}
