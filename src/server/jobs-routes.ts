/**
 * The async face: POST /v1/jobs (the /v1/execute body, answered at once with a job id), GET and DELETE
 * /v1/jobs/:id. The routes only map HTTP to a JobQueue, so a shared queue can replace the in-process one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsolaError, shuttingDownError } from '../contract/errors.js';
import type { RequestContract } from '../contract/request.js';
import { bodyFingerprint } from '../jobs/fingerprint.js';
import { acceptJobRequest } from '../jobs/job-request.js';
import { FINAL_STATUSES, type JobQueue, type JobView } from '../jobs/types.js';
import type { ExecutionGate } from '../projects/execution-gate.js';

/** Printable ASCII, as the IETF Idempotency-Key draft and Stripe use it, short enough to index. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** How long DELETE waits for a cancelled job to end, so that its answer usually shows `cancelled`. */
const CANCEL_WAIT_MS = 3_000;

export interface JobsRouteOptions {
  queue: JobQueue;
  contract: RequestContract;
  draining: () => boolean;
  /**
   * Set when callbacks can be signed (ISOLA_CALLBACK_SECRET is set; unsigned callbacks are refused): why
   * the egress policy refuses a URL outright (see ClosableCallbackSender.precheck).
   */
  callbacks: { precheck(url: string): string | undefined } | undefined;
  /** Projects: who submits (a project key), and may this job start (egress ceiling, rate quota). */
  gate: ExecutionGate;
  /** The onRequest hook that sets request.principal (before the body is read). */
  authenticate: (request: FastifyRequest) => Promise<void>;
}

/**
 * A job belongs to the project that submitted it: another project's key gets the same 404 as an id
 * that never existed, so ids cannot be probed across projects.
 */
export function ownedBy(job: JobView | undefined, request: FastifyRequest): JobView | undefined {
  return job && job.project === request.principal?.projectId ? job : undefined;
}

export function registerJobsRoutes(app: FastifyInstance, options: JobsRouteOptions): void {
  const { queue, contract } = options;

  const onRequest = options.authenticate;
  app.post('/v1/jobs', { onRequest }, async (request, reply) => {
    if (options.draining()) throw shuttingDownError();
    const key = idempotencyKeyOf(request.headers['idempotency-key']);
    const { request: parsed, callback } = acceptJobRequest(contract, request.body);
    // Admitted at submit (key valid, egress within the ceiling, the per-minute quota); the concurrency
    // slot is not held while the job waits: the job queue's own concurrency bounds running jobs.
    const admission = await options.gate.admit(request.principal, parsed.request.network.allow);
    admission[Symbol.dispose]();
    if (callback && !options.callbacks) {
      throw new IsolaError('unsupported', 'Unsupported: callback', {
        issues: [{ field: 'callback', message: 'callbacks are off on this server: the operator has not set ISOLA_CALLBACK_SECRET to sign them' }],
      });
    }
    const refused = callback && options.callbacks?.precheck(callback.url);
    if (refused) throw new IsolaError('invalid_request', 'Invalid request: callback.url', { issues: [{ field: 'callback.url', message: refused }] });
    const { job, created } = await queue.submit({
      request: parsed,
      ...(callback ? { callback } : {}),
      ...(key !== undefined ? { idempotencyKey: key } : {}),
      fingerprint: await bodyFingerprint(request.body),
      ...(admission.project !== undefined ? { project: admission.project } : {}),
    });
    reply.header('location', `/v1/jobs/${job.id}`);
    // A retried submit answers 200 with the job as it is now; a new one 202.
    return reply.code(created ? 202 : 200).send(job);
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', { onRequest }, async (request) => {
    return ownedBy(await queue.get(request.params.id), request) ?? notFound(request.params.id);
  });

  app.delete<{ Params: { id: string } }>('/v1/jobs/:id', { onRequest }, async (request) => {
    const { id } = request.params;
    ownedBy(await queue.get(id), request) ?? notFound(id);
    const job = (await queue.cancel(id)) ?? notFound(id);
    if (FINAL_STATUSES.has(job.status)) return job;
    return (await untilEnded(queue, id, CANCEL_WAIT_MS)) ?? notFound(id);
  });
}

function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string' && IDEMPOTENCY_KEY.test(header)) return header;
  throw new IsolaError('invalid_request', 'Invalid request: (header) idempotency-key', {
    issues: [{ field: '(header) idempotency-key', message: 'must be one header of 1-255 printable ASCII characters' }],
  });
}

function notFound(id: string): never {
  throw new IsolaError('job_not_found', `No job ${JSON.stringify(id.slice(0, 100))}: it was never submitted here, or its result expired`);
}

/** The job once it ended, or as it is after `ms`. */
async function untilEnded(queue: JobQueue, id: string, ms: number): Promise<JobView | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe = () => {};
  const ended = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    void queue
      .subscribe(id, (event) => {
        if (event.type === 'result' || event.type === 'error') resolve();
      })
      .then((subscription) => {
        if (!subscription || subscription.ended) resolve();
        else unsubscribe = subscription.unsubscribe;
      });
  });
  await ended;
  clearTimeout(timer);
  unsubscribe();
  return queue.get(id);
}
