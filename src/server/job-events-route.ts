/**
 * GET /v1/jobs/:id/events: a job's life as Server-Sent Events. A late observer first gets what already
 * happened (status changes, and output so far while the job runs), then live events, and the stream ends
 * after the final `result` (or `error`) event. Hanging up only stops the stream, never the job.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IsolaError } from '../contract/errors.js';
import type { JobEvent, JobQueue } from '../jobs/types.js';
import { ownedBy } from './jobs-routes.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { SseStream } from './sse-stream.js';

const notFound = (id: string) => new IsolaError('job_not_found', `No job ${JSON.stringify(id.slice(0, 100))}: it was never submitted here, or its result expired`);

export function registerJobEventsRoute(app: FastifyInstance, queue: JobQueue, authenticate: (request: FastifyRequest) => Promise<void>): void {
  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', { onRequest: authenticate }, async (request, reply) => {
    const { id } = request.params;
    if (!ownedBy(await queue.get(id), request)) throw notFound(id);
    // Events that arrive while the replay is written wait their turn, so the order is kept.
    let pending: JobEvent[] | undefined = [];
    let stream: SseStream | undefined;
    const deliver = (event: JobEvent) => {
      if (!stream) return;
      sendEvent(stream, event);
      if (event.type === 'result' || event.type === 'error') stream.close();
    };
    const subscription = await queue.subscribe(id, (event) => {
      if (pending) pending.push(event);
      else deliver(event);
    });
    if (!subscription) throw notFound(id);
    reply.hijack();
    stream = new SseStream(reply.raw, { [REQUEST_ID_HEADER]: request.id });
    reply.raw.once('close', () => {
      subscription.unsubscribe();
      stream?.close();
    });
    for (const event of subscription.replay) deliver(event);
    const queued = pending;
    pending = undefined;
    for (const event of queued) deliver(event);
    if (subscription.ended) stream.close();
  });
}

/** The wire form of each event: `status` {status}, `stdout`/`stderr` {data}, `result` the envelope, `error` {error}. */
export function sendEvent(stream: SseStream, event: JobEvent): void {
  switch (event.type) {
    case 'status':
      stream.send('status', { status: event.status });
      return;
    case 'stdout':
    case 'stderr':
      stream.send(event.type, { data: event.data });
      return;
    case 'result':
      stream.send('result', event.result);
      return;
    case 'error':
      stream.send('error', { error: event.error });
      return;
  }
}
