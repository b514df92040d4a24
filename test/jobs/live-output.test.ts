// Live output over a real socket: POST /v1/execute with Accept: text/event-stream and GET
// /v1/jobs/:id/events deliver stdout as the code writes it, in every lane (QuickJS, CPython on WASI,
// native CPython in bubblewrap): a program that prints, sleeps 300 ms and prints again has its first
// chunk on the wire well before the result. The output caps apply to the stream as to the envelope.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecuteResponseSchema, type ExecuteResponse } from '../../src/contract/response.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { readEventStream, streamText, type ReceivedEvent } from './sse-client.js';

const STREAM_CAP = 4096;

const PYTHON_PAUSE = 'import sys, time\nprint("first")\nprint("oops", file=sys.stderr)\ntime.sleep(0.3)\nprint("second")\n';
const LANES = [
  { lane: 'quickjs', body: { language: 'javascript', code: 'console.log("first"); console.error("oops"); await new Promise((r) => setTimeout(r, 300)); console.log("second");' } },
  { lane: 'cpython', body: { language: 'python', runtime: 'wasm', code: PYTHON_PAUSE } },
  { lane: 'native', body: { language: 'python', runtime: 'native', code: PYTHON_PAUSE } },
] as const;

let engine: Engine;
let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 1, cpython: 1, native: 1 }, streamLimitBytes: STREAM_CAP });
  app = buildApp({ engine, docs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await engine?.close({ graceMs: 0 });
});

const postJson = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function resultOf(events: ReceivedEvent[]): ExecuteResponse {
  const last = events.at(-1);
  expect(last?.event).toBe('result');
  return ExecuteResponseSchema.parse(last!.data);
}

/**
 * The first chunk arrived live: well before the result, which the 300 ms sleep holds back. (Unbuffered
 * Python writes print's text and its newline apart, so the chunk may be "first" alone.)
 */
function expectLive(events: ReceivedEvent[]) {
  const first = events.find((event) => event.event === 'stdout');
  expect(first).toBeDefined();
  expect((first!.data as { data: string }).data).toMatch(/^first/);
  // Bundled with the result it would arrive within a few ms of it; the margin leaves room for a loaded host.
  expect(events.at(-1)!.at - first!.at).toBeGreaterThanOrEqual(100);
}

describe('POST /v1/execute with Accept: text/event-stream', () => {
  it.each(LANES)('streams $lane output as it is written, then the result', async ({ body }) => {
    const answer = await readEventStream(`${base}/v1/execute`, postJson(body));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
    const events = answer.events;
    expect(events[0]).toMatchObject({ event: 'status', data: { status: 'running' } });
    expectLive(events);
    const result = resultOf(events);
    expect(result).toMatchObject({ status: 'completed', return_code: 0, stdout: 'first\nsecond\n', stderr: 'oops\n' });
    expect(streamText(events, 'stdout')).toBe(result.stdout);
    expect(streamText(events, 'stderr')).toBe(result.stderr);
  }, 60_000);

  it('applies the output cap to the stream: the chunks hold exactly the truncated stdout', async () => {
    const answer = await readEventStream(`${base}/v1/execute`, postJson({ language: 'javascript', code: 'for (let i = 0; i < 100; i++) console.log("x".repeat(99));' }));
    const result = resultOf(answer.events);
    expect(result.stdout_truncated).toBe(true);
    expect(result.stdout.length).toBe(STREAM_CAP);
    expect(streamText(answer.events, 'stdout')).toBe(result.stdout);
  });

  it('answers a bad body with the plain JSON 400, not a stream', async () => {
    const answer = await readEventStream(`${base}/v1/execute`, postJson({ language: 'cobol', code: 'x' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: 'language' }] } });
  });

  it('without the Accept header answers the plain envelope as before', async () => {
    const response = await fetch(`${base}/v1/execute`, postJson({ language: 'javascript', code: 'console.log(1)' }));
    expect(response.headers.get('content-type')).toContain('application/json');
    expect((await response.json()).stdout).toBe('1\n');
  });
});

describe('GET /v1/jobs/:id/events', () => {
  it.each(LANES)('follows a $lane job live: status changes, output, result', async ({ body }) => {
    const submitted = await fetch(`${base}/v1/jobs`, postJson(body));
    const { id } = (await submitted.json()) as { id: string };
    const answer = await readEventStream(`${base}/v1/jobs/${id}/events`);
    const statuses = answer.events.filter((event) => event.event === 'status').map((event) => (event.data as { status: string }).status);
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
    expectLive(answer.events);
    const result = resultOf(answer.events);
    expect(streamText(answer.events, 'stdout')).toBe(result.stdout);
    expect(result.stdout).toBe('first\nsecond\n');
  }, 60_000);

  it('replays a finished job to a late observer: its statuses and result, then ends', async () => {
    const submitted = await fetch(`${base}/v1/jobs`, postJson({ language: 'javascript', code: 'console.log("done")' }));
    const { id } = (await submitted.json()) as { id: string };
    let status = 'queued';
    for (const end = Date.now() + 20_000; status !== 'succeeded' && Date.now() < end; ) {
      status = ((await (await fetch(`${base}/v1/jobs/${id}`)).json()) as { status: string }).status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('succeeded');
    const answer = await readEventStream(`${base}/v1/jobs/${id}/events`);
    expect(answer.events.map((event) => event.event)).toEqual(['status', 'status', 'status', 'result']);
    expect(answer.events.map((event) => (event.data as { status?: string }).status).slice(0, 3)).toEqual(['queued', 'running', 'succeeded']);
    expect(resultOf(answer.events).stdout).toBe('done\n');
  });

  it('answers an unknown id with the plain JSON 404', async () => {
    const answer = await readEventStream(`${base}/v1/jobs/job_nope/events`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'job_not_found' } });
  });
});

describe('hanging up a stream', () => {
  it('cancels the streamed execution, freeing its worker', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/execute`, { ...postJson({ language: 'javascript', code: 'console.log("go"); while (true) {}', timeout_ms: 60_000 }), headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('event: stdout')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const end = Date.now() + 5_000;
    while (engine.readiness().lanes.quickjs?.workers.busy !== 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.readiness().lanes.quickjs?.workers.busy).toBe(0);
    // The worker serves the next request.
    const next = await fetch(`${base}/v1/execute`, postJson({ language: 'javascript', code: 'console.log(2)' }));
    expect((await next.json()).stdout).toBe('2\n');
  });
});
