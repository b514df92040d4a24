/**
 * POST /v1/batch over a real engine and real HTTP (a listening server, undici's fetch): NDJSON in,
 * NDJSON out as executions finish, each line tagged with its id; a bad line fails alone with a typed
 * error; the batch's own mistakes are typed 4xx answers naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';

let engine: Engine;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 2, cpython: 1, native: 0 } });
  app = buildApp({ engine, docs: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await app.close();
  await engine.close({ graceMs: 0 });
});

async function batch(lines: string[], query = '', contentType = 'application/x-ndjson') {
  const response = await fetch(`${base}/v1/batch${query}`, { method: 'POST', headers: { 'content-type': contentType }, body: lines.join('\n') });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text, lines: response.status === 200 ? text.trim().split('\n').map((line) => JSON.parse(line)) : [] };
}

describe('POST /v1/batch', () => {
  it('runs every line in its own sandbox and answers each by id, a bad line alone failing', async () => {
    const lines = [
      JSON.stringify({ id: 'py-sq', language: 'python', code: 'def main(x: int):\n    return x * x', inputs: { x: 7 } }),
      JSON.stringify({ id: 'js-add', language: 'javascript', code: 'function main({ a, b }) { return a + b; }', inputs: { a: 2, b: 3 } }),
      JSON.stringify({ id: 'py-write', language: 'python', code: 'open("note.txt", "w").write("secret")\nimport builtins\nbuiltins.leak = 1\nprint("wrote")' }),
      JSON.stringify({ id: 'py-read', language: 'python', code: 'import os, builtins\nprint(os.path.exists("note.txt"), hasattr(builtins, "leak"))' }),
      '{"id": "broken", "language": ',
      JSON.stringify({ id: 'cobol', language: 'cobol', code: 'DISPLAY 1' }),
      JSON.stringify({ language: 'javascript', code: 'console.log("no id")' }),
      JSON.stringify({ id: 'slow', language: 'javascript', code: 'while (true) {}', timeout_ms: 300 }),
    ];
    const { status, type, lines: out } = await batch(lines, '?concurrency=3');
    expect(status).toBe(200);
    expect(type).toMatch(/application\/x-ndjson/);
    const by = new Map(out.map((line) => [line.id, line]));
    expect(by.size).toBe(8);
    expect(by.get('py-sq').result.output).toBe(49);
    expect(by.get('js-add').result.output).toBe(5);
    expect(by.get('py-write').result.stdout).toBe('wrote\n');
    expect(by.get('py-read').result.stdout).toBe('False False\n');
    // A line that is not JSON cannot name itself: it is answered by its index.
    expect(by.get('4').error.code).toBe('invalid_request');
    expect(by.get('cobol').error.code).toBe('invalid_request');
    expect(by.get('cobol').error.issues.map((issue: { field: string }) => issue.field)).toContain('language');
    // A line without an id is named by its index.
    expect(by.get('6').result.stdout).toBe('no id\n');
    expect(by.get('slow').result.error.type).toBe('timeout');
  }, 120_000);

  it('streams each answer as its execution finishes, not when the batch does', async () => {
    const lines = [
      JSON.stringify({ id: 'slow', language: 'python', code: 'import time\ntime.sleep(1.5)\nprint("late")', timeout_ms: 5000 }),
      JSON.stringify({ id: 'fast', language: 'javascript', code: 'console.log("early")' }),
    ];
    const started = Date.now();
    const response = await fetch(`${base}/v1/batch?concurrency=2`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    expect(JSON.parse(new TextDecoder().decode(first.value).split('\n')[0]!).id).toBe('fast');
    expect(firstAt).toBeLessThan(1_400);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(JSON.parse(rest.trim()).result.stdout).toBe('late\n');
  }, 60_000);

  it("refuses a batch's own mistakes with a typed 4xx naming the field", async () => {
    const one = JSON.stringify({ language: 'javascript', code: '1' });
    const badConcurrency = await batch([one], '?concurrency=0');
    expect(badConcurrency.status).toBe(400);
    expect(JSON.parse(badConcurrency.text).error.issues[0].field).toBe('concurrency');
    const json = await batch([one], '', 'application/json');
    expect(json.status).toBe(415);
    const empty = await batch(['', ' ']);
    expect(empty.status).toBe(400);
    const tooMany = await batch(Array(10_001).fill('{}'));
    expect(tooMany.status).toBe(413);
    expect(JSON.parse(tooMany.text).error.code).toBe('payload_too_large');
  }, 60_000);
});
