// The TypeScript client against a real Isola server over real HTTP: results, typed refusals, deadlines,
// aborts and batches. Retries have their own file (retry.test.ts). Needs `npm run build` (workers run dist/).
import { describe, expect, it } from 'vitest';
import { createClient, IsolaError } from '../../src/client/index.js';
import { rejectionOf, useServer } from './helpers.js';

const ADD_JS = 'function main({ a, b }) { return { sum: a + b }; }';
const ADD_PY = 'def main(a, b):\n    return {"sum": a + b}\n';
/** Busy in the sandbox for `ms`: long enough for a client deadline or abort to strike first. */
const busyJs = (ms: number) => `function main() { const end = Date.now() + ${ms}; while (Date.now() < end) {} return 1; }`;

describe('client against a real server', () => {
  const server = useServer({ workers: { quickjs: 1, cpython: 1, native: 0 } });
  const client = () => createClient(server().url);

  it('runs JavaScript and returns the typed envelope', async () => {
    const result = await client().execute({ language: 'javascript', code: ADD_JS, inputs: { a: 2, b: 3 } });
    expect(result.status).toBe('completed');
    expect(result.return_code).toBe(0);
    expect(result.output).toEqual({ sum: 5 });
    expect(result.environment.lane).toBe('quickjs');
    expect(result.id).toMatch(/^ex_/);
  });

  it('runs Python and returns the typed envelope', async () => {
    const result = await client().execute({ language: 'python', code: ADD_PY, inputs: { a: 40, b: 2 } });
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ sum: 42 });
    expect(result.environment.lane).not.toBe('quickjs');
  });

  it('returns a run that failed as a result, not an error', async () => {
    const result = await client().execute({ language: 'javascript', code: 'throw new Error("boom")' });
    expect(result.status).toBe('completed');
    expect(result.return_code).not.toBe(0);
    expect(result.error?.type).toBe('exception');
  });

  it('turns a 400 into IsolaError with the code, status and field, without retrying it', async () => {
    const before = server().seen.length;
    const error = await rejectionOf(client().execute({ language: 'javascript', code: ADD_JS, timeout_ms: 0 }, { requestId: 'client-test-400' }));
    expect(error).toBeInstanceOf(IsolaError);
    const refused = error as IsolaError;
    expect(refused.code).toBe('invalid_request');
    expect(refused.status).toBe(400);
    expect(refused.field).toBe('timeout_ms');
    expect(refused.issues.map((issue) => issue.field)).toEqual(['timeout_ms']);
    expect(refused.requestId).toBe('client-test-400');
    expect(server().seen.slice(before)).toEqual(['POST /v1/execute 400']);
  });

  it('names every bad field of an unknown-field request', async () => {
    // A caller without TypeScript (or with a cast) can still send what the contract refuses.
    const error = (await rejectionOf(client().execute({ language: 'javascript', code: ADD_JS, colour: 'red' } as never))) as IsolaError;
    expect(error.code).toBe('invalid_request');
    expect(error.field).toBe('colour');
  });

  it('gives up at timeoutMs with client_timeout', async () => {
    const started = Date.now();
    const error = (await rejectionOf(client().execute({ language: 'javascript', code: busyJs(5_000), timeout_ms: 20_000 }, { timeoutMs: 300 }))) as IsolaError;
    expect(error).toBeInstanceOf(IsolaError);
    expect(error.code).toBe('client_timeout');
    expect(error.status).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("stops when the caller's signal aborts, with client_aborted and the reason as cause", async () => {
    const controller = new AbortController();
    const reason = new Error('the user navigated away');
    setTimeout(() => controller.abort(reason), 200);
    const error = (await rejectionOf(client().execute({ language: 'javascript', code: busyJs(5_000), timeout_ms: 20_000 }, { signal: controller.signal }))) as IsolaError;
    expect(error.code).toBe('client_aborted');
    expect(error.cause).toBe(reason);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const before = server().seen.length;
    const error = (await rejectionOf(client().execute({ language: 'javascript', code: ADD_JS }, { signal: AbortSignal.abort() }))) as IsolaError;
    expect(error.code).toBe('client_aborted');
    expect(server().seen.length).toBe(before);
  });

  it('streams a batch: results and the refusal of one line, each under its id', async () => {
    const outcomes = [];
    for await (const outcome of client().executeBatch(
      [
        { id: 'one', language: 'javascript', code: ADD_JS, inputs: { a: 1, b: 1 } },
        { id: 'bad', language: 'javascript', code: ADD_JS, memory_mb: 1 },
        { language: 'javascript', code: ADD_JS, inputs: { a: 2, b: 2 } },
      ],
      { concurrency: 2 },
    )) {
      outcomes.push(outcome);
    }
    const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
    expect([...byId.keys()].sort()).toEqual(['2', 'bad', 'one']);
    expect(byId.get('one')?.result?.output).toEqual({ sum: 2 });
    expect(byId.get('2')?.result?.output).toEqual({ sum: 4 });
    const refused = byId.get('bad')?.error;
    expect(refused).toBeInstanceOf(IsolaError);
    expect(refused?.code).toBe('invalid_request');
    expect(refused?.field).toBe('memory_mb');
  });

  it('turns a refused batch into IsolaError', async () => {
    const error = (await rejectionOf(client().executeBatch([{ language: 'javascript', code: ADD_JS }], { concurrency: 65 }).next())) as IsolaError;
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.field).toBe('concurrency');
  });

  it('reports readiness', async () => {
    const report = await client().ready();
    expect(report.status).toBe('ready');
    expect(report.lanes.quickjs?.available).toBe(true);
  });

  it('fetches the OpenAPI document', async () => {
    const document = await client().openapi();
    expect(document['openapi']).toBe('3.1.0');
  });
});

describe('client without a server', () => {
  // A port nobody listens on: take one from the OS and close it again.
  const unreachable = async () => {
    const { createServer } = await import('node:net');
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return `http://127.0.0.1:${port}`;
  };

  it('fails execute with client_network at once: the code may have run, so it is not retried', async () => {
    const retries: number[] = [];
    const client = createClient({ baseUrl: await unreachable(), onRetry: (event) => retries.push(event.attempt) });
    const error = (await rejectionOf(client.execute({ language: 'javascript', code: ADD_JS }))) as IsolaError;
    expect(error.code).toBe('client_network');
    expect(error.message).toContain('ECONNREFUSED');
    expect(retries).toEqual([]);
  });

  it('retries a read whose connection failed, up to maxAttempts', async () => {
    const retries: number[] = [];
    const client = createClient({ baseUrl: await unreachable(), retry: { maxAttempts: 3, baseDelayMs: 10 }, onRetry: (event) => retries.push(event.attempt) });
    const error = (await rejectionOf(client.ready())) as IsolaError;
    expect(error.code).toBe('client_network');
    expect(retries).toEqual([1, 2]);
  });
});
