/**
 * POST /v1/execute with `Accept: text/event-stream`: the same execution, answered as Server-Sent Events
 * while it runs: `status` {status: "running"} when a worker takes it, `stdout`/`stderr` {data} chunks as
 * the code writes them (after the output caps), and a final `result` event with the envelope.
 *
 * The stream opens with its first event, so a request refused before it runs (overloaded, draining, an
 * unavailable lane) still gets its plain JSON error and status; a failure after that ends the stream with
 * an `error` event in the catalog's shape.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isIsolaError } from '../contract/errors.js';
import type { ParsedExecuteRequest } from '../contract/request.js';
import type { ExecuteResponse } from '../contract/response.js';
import type { Engine } from '../engine/types.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { SseStream } from './sse-stream.js';

export async function streamExecution(engine: Engine, parsed: ParsedExecuteRequest, request: FastifyRequest, reply: FastifyReply, signal: AbortSignal): Promise<void> {
  const stream = new SseStream(reply.raw, { [REQUEST_ID_HEADER]: request.id });
  const open = () => {
    if (stream.isOpen) return;
    reply.hijack();
    stream.open();
  };
  let result: ExecuteResponse;
  try {
    result = await engine.execute(parsed, {
      requestId: request.id,
      signal,
      face: 'isola',
      onStart: () => {
        open();
        stream.send('status', { status: 'running' });
      },
      onOutput: (kind, data) => {
        open();
        stream.send(kind, { data });
      },
    });
  } catch (error) {
    if (!stream.isOpen) throw error;
    if (!isIsolaError(error) || error.code === 'internal') request.log.error({ err: error }, 'streamed execution failed');
    const body = isIsolaError(error) && error.code !== 'internal' ? error.toBody() : { error: { code: 'internal', message: `Internal error; the request may be retried (request id ${request.id})` } };
    stream.send('error', body);
    stream.close();
    return;
  }
  open();
  stream.send('result', result);
  stream.close();
}
