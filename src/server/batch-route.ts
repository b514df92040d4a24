/**
 * `POST /v1/batch`: many independent executions in one request, for benchmark harnesses. The body is
 * NDJSON, one execution request per line (the /v1/execute contract plus an optional `id`); the answer
 * is NDJSON too, streamed as executions finish, in any order: `{"id", "result": <envelope>}`, or
 * `{"id", "error": {code, message, issues?}}` for a line the contract refuses (that line only). At most
 * `concurrency` (query, 1..64, default 8) of the request's executions run at once; each has the limits
 * and isolation of a single execution. A client that hangs up stops the rest.
 *
 * With projects on, the batch authenticates once and every line is admitted like a single execution (its
 * allow-list within the ceiling, its slot and its share of the per-minute quota): a line over a quota or
 * sent after the key was revoked gets its own error line. The project's concurrency quota also caps
 * `concurrency`, so a batch alone never trips it.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { IsolaError, isIsolaError, shuttingDownError } from '../contract/errors.js';
import type { RequestContract } from '../contract/request.js';
import type { Engine } from '../engine/types.js';
import type { ExecutionGate } from '../projects/execution-gate.js';
import { authenticateHook, projectOption } from './execution-auth.js';

export const BATCH_MAX_ITEMS = 10_000;
export const BATCH_MAX_BYTES = 64 * 1024 * 1024;
const MAX_ID_LENGTH = 200;
const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

function concurrencyOf(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.['concurrency'];
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new IsolaError('invalid_request', `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`, { issues: [{ field: 'concurrency', message: `expected 1..${MAX_CONCURRENCY}, got ${JSON.stringify(raw)}` }] });
  }
  return value;
}

export function registerBatchRoute(app: FastifyInstance, engine: Engine, contract: RequestContract, draining: () => boolean, gate: ExecutionGate): void {
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit: BATCH_MAX_BYTES }, (_request, body, done) => done(null, body));

  app.post('/v1/batch', { bodyLimit: BATCH_MAX_BYTES, onRequest: authenticateHook(gate) }, async (request, reply) => {
    if (draining()) throw shuttingDownError();
    if (typeof request.body !== 'string') {
      throw new IsolaError('unsupported_media_type', 'POST /v1/batch takes application/x-ndjson: one execution request per line', { issues: [{ field: '(content-type)', message: 'expected application/x-ndjson' }] });
    }
    const concurrency = Math.min(concurrencyOf(request.query), gate.maxConcurrent(request.principal) ?? MAX_CONCURRENCY);
    const lines = request.body.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) throw new IsolaError('invalid_request', 'the batch is empty', { issues: [{ field: 'body', message: 'expected at least one line' }] });
    if (lines.length > BATCH_MAX_ITEMS) throw new IsolaError('payload_too_large', `a batch holds at most ${BATCH_MAX_ITEMS} executions, got ${lines.length}`, { issues: [{ field: 'body', message: `${lines.length} lines` }] });

    const out = new PassThrough();
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    const write = (line: object) => {
      if (!controller.signal.aborted) out.write(`${JSON.stringify(line)}\n`);
    };

    const one = async (index: number): Promise<void> => {
      let id = String(index);
      try {
        let item: unknown;
        try {
          item = JSON.parse(lines[index]!);
        } catch (error) {
          throw new IsolaError('invalid_request', `line ${index + 1} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { issues: [{ field: `${index}`, message: 'not JSON' }] });
        }
        if (item !== null && typeof item === 'object' && !Array.isArray(item) && 'id' in item) {
          const { id: given, ...rest } = item as Record<string, unknown>;
          if (typeof given !== 'string' || given.length === 0 || given.length > MAX_ID_LENGTH) {
            throw new IsolaError('invalid_request', `id must be a string of 1 to ${MAX_ID_LENGTH} characters`, { issues: [{ field: 'id', message: 'expected a short string' }] });
          }
          id = given;
          item = rest;
        }
        const parsed = contract.accept(item);
        using admission = await gate.admit(request.principal, parsed.request.network.allow);
        const result = await engine.execute(parsed, { requestId: `${request.id}/${id}`, signal: controller.signal, face: 'isola', ...projectOption(admission.project) });
        write({ id, result });
      } catch (error) {
        if (!isIsolaError(error)) request.log.error({ err: error }, 'batch item failed');
        const failure = isIsolaError(error) ? error : new IsolaError('internal', `an internal error (request ${request.id})`);
        write({ id, error: failure.toBody().error });
      }
    };

    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, lines.length) }, async () => {
      while (next < lines.length && !controller.signal.aborted) await one(next++);
    });
    void Promise.all(workers).finally(() => out.end());
    return reply.type('application/x-ndjson').send(out);
  });
}
