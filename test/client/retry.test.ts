// The client's retry rules against real servers: a real Isola server that refuses every execution
// (a queue of size 0: 503 overloaded with Retry-After), and a real front server that refuses a scripted
// number of times before proxying to a working Isola server.
import { describe, expect, it } from 'vitest';
import { createClient, IsolaError, parseRetryAfter, type RetryEvent } from '../../src/client/index.js';
import { JS_ONLY, rejectionOf, startFront, useServer } from './helpers.js';

const ADD_JS = 'function main({ a, b }) { return { sum: a + b }; }';
const OVERLOADED_BODY = JSON.stringify({ error: { code: 'overloaded', message: 'the execution queue is full', retry_after_s: 1 } });

describe('an overloaded real server (503 overloaded, Retry-After: 1)', () => {
  // maxQueue 0 refuses every execution before it runs; no worker needs to start for that.
  const server = useServer({ ...JS_ONLY, maxQueue: 0, prewarm: false });

  it('is retried after the Retry-After it asks for, up to maxAttempts, then reported as overloaded', async () => {
    const retries: RetryEvent[] = [];
    const client = createClient({ baseUrl: server().url, retry: { maxAttempts: 3 }, onRetry: (event) => retries.push(event) });
    const before = server().seen.length;
    const started = Date.now();
    const error = (await rejectionOf(client.execute({ language: 'javascript', code: ADD_JS }))) as IsolaError;
    expect(error).toBeInstanceOf(IsolaError);
    expect(error.code).toBe('overloaded');
    expect(error.status).toBe(503);
    expect(error.retryAfterS).toBe(1);
    expect(server().seen.slice(before)).toEqual(Array(3).fill('POST /v1/execute 503'));
    expect(retries.map(({ attempt, delayMs, status }) => ({ attempt, delayMs, status }))).toEqual([
      { attempt: 1, delayMs: 1000, status: 503 },
      { attempt: 2, delayMs: 1000, status: 503 },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('reports the refusal at once when waiting would outlast the deadline', async () => {
    const client = createClient(server().url);
    const before = server().seen.length;
    const started = Date.now();
    const error = (await rejectionOf(client.execute({ language: 'javascript', code: ADD_JS }, { timeoutMs: 500 }))) as IsolaError;
    expect(error.code).toBe('overloaded');
    expect(server().seen.length - before).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('does not retry with maxAttempts 1', async () => {
    const client = createClient({ baseUrl: server().url, retry: { maxAttempts: 1 } });
    const before = server().seen.length;
    expect(((await rejectionOf(client.execute({ language: 'javascript', code: ADD_JS }))) as IsolaError).code).toBe('overloaded');
    expect(server().seen.length - before).toBe(1);
  });
});

describe('a front that refuses, then proxies to a real server', () => {
  const server = useServer();

  it('retries a 503 (Retry-After in seconds) and a 429 (Retry-After as an HTTP date), then returns the result', async () => {
    const front = await startFront(server().url, [
      { status: 503, headers: { 'retry-after': '1' }, body: OVERLOADED_BODY },
      { status: 429, headers: () => ({ 'retry-after': new Date(Date.now() + 2_000).toUTCString() }), body: '{"error":{"code":"overloaded","message":"slow down"}}' },
    ]);
    try {
      const retries: RetryEvent[] = [];
      const client = createClient({ baseUrl: front.url, onRetry: (event) => retries.push(event) });
      const result = await client.execute({ language: 'javascript', code: ADD_JS, inputs: { a: 1, b: 2 } });
      expect(result.output).toEqual({ sum: 3 });
      expect(front.count()).toBe(3);
      expect(retries.map((event) => event.status)).toEqual([503, 429]);
      expect(retries[0]?.delayMs).toBe(1000);
      // The date was 2 s ahead when sent, cut to whole seconds: more than 1 s of it is left.
      expect(retries[1]?.delayMs).toBeGreaterThan(500);
      expect(retries[1]?.delayMs).toBeLessThanOrEqual(2_000);
    } finally {
      await front.close();
    }
  });

  it('caps every wait at maxDelayMs', async () => {
    const front = await startFront(server().url, [{ status: 503, headers: { 'retry-after': '3600' }, body: OVERLOADED_BODY }]);
    try {
      const retries: RetryEvent[] = [];
      const client = createClient({ baseUrl: front.url, retry: { maxDelayMs: 50 }, onRetry: (event) => retries.push(event) });
      expect((await client.execute({ language: 'javascript', code: ADD_JS, inputs: { a: 1, b: 1 } })).output).toEqual({ sum: 2 });
      expect(retries.map((event) => event.delayMs)).toEqual([50]);
    } finally {
      await front.close();
    }
  });

  it('does not retry a 500: the code may have run', async () => {
    const front = await startFront(server().url, [{ status: 500, body: '{"error":{"code":"internal","message":"Internal error; the request may be retried"}}' }]);
    try {
      const error = (await rejectionOf(createClient(front.url).execute({ language: 'javascript', code: ADD_JS }))) as IsolaError;
      expect(error.code).toBe('internal');
      expect(error.status).toBe(500);
      expect(front.count()).toBe(1);
    } finally {
      await front.close();
    }
  });

  it("reports a proxy's HTML page as client_bad_response with its status", async () => {
    const front = await startFront(server().url, [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' }]);
    try {
      const error = (await rejectionOf(createClient(front.url).execute({ language: 'javascript', code: ADD_JS }))) as IsolaError;
      expect(error.code).toBe('client_bad_response');
      expect(error.status).toBe(502);
      expect(error.message).toContain('Bad Gateway');
    } finally {
      await front.close();
    }
  });

  it('stops waiting for a retry when the signal aborts', async () => {
    const front = await startFront(server().url, [{ status: 503, headers: { 'retry-after': '30' }, body: OVERLOADED_BODY }]);
    try {
      const started = Date.now();
      const error = (await rejectionOf(createClient(front.url).execute({ language: 'javascript', code: ADD_JS }, { signal: AbortSignal.timeout(200) }))) as IsolaError;
      // AbortSignal.timeout is the caller's own signal here, so the call was aborted, not timed out.
      expect(error.code).toBe('client_aborted');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await front.close();
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['5', 5_000],
    ['0', 0],
    [' 12 ', 12_000],
    ['Thu, 01 Jan 2026 00:00:03 GMT', 3_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['1.5', undefined],
  ])('%j -> %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
  it('ignores a missing header', () => expect(parseRetryAfter(null, now)).toBeUndefined());
});
