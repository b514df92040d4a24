/**
 * The dify-sandbox face, driven the way Dify drives it: a Python client (dify_client.py) wraps code
 * with Dify's template transformers, POSTs it with X-Api-Key to a real listening server, and parses
 * stdout with Dify's regex. Python, Node.js and Jinja2 runs, preload, upstream's error wording for a
 * failure and a timeout, the key check, the language check, the concurrency budget, /health and the
 * dependency list.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/index.js';
import { buildApp } from '../../../src/server/app.js';
import { SHARED_STORE } from '../../environments/helpers.js';

const KEY = 'dify-sandbox';
let engine: Engine;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  engine = await createEngine({ storeDir: SHARED_STORE, workers: { quickjs: 1, cpython: 2, native: 0 } });
  app = buildApp({ engine, docs: false, dify: { apiKey: KEY, packages: ['numpy', 'pandas', 'pyyaml', 'markdown', 'jinja2', 'requests'], timeoutS: 4, maxRequests: 2, allowHosts: [] } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await app.close();
  await engine.close({ graceMs: 0 });
});

type Answer = { status: number; body: { code: number; message: string; data: { stdout: string; stderr: string; error: string; exit_code: number } | null } | null; result?: unknown };

/** Runs the client in a child process (asynchronously: the server answers from this same process). */
function dify(cases: object[]): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [join(import.meta.dirname, 'dify_client.py'), base, KEY], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').map((line) => JSON.parse(line) as Answer)) : reject(new Error(`dify_client.py exited ${code}`))));
    child.stdin.end(JSON.stringify(cases));
  });
}

describe('dify-sandbox face', () => {
  it('runs Dify-wrapped Python, Node.js and Jinja2 code, with the default packages', async () => {
    const [python, node, jinja, preloaded] = await dify([
      { language: 'python3', code: 'import markdown, yaml, numpy as np\ndef main(text: str, n: int) -> dict:\n    return {"html": markdown.markdown(text), "sum": int(np.arange(n).sum()), "yaml": yaml.safe_dump({"a": 1})}', inputs: { text: '# Hi', n: 4 } },
      { language: 'nodejs', code: 'function main({ a, b }) {\n  return { sum: a + b, b64: Buffer.from("hi").toString("base64") };\n}', inputs: { a: 2, b: 3 } },
      { language: 'jinja2', code: 'Hello {{ name }}! {% for i in items %}[{{ i }}]{% endfor %}', inputs: { name: 'Dify', items: [1, 2] } },
      { language: 'python3', preload: 'GREETING = "from preload"', code: 'def main() -> dict:\n    return {"g": GREETING}' },
    ]);
    expect(python!.body?.code).toBe(0);
    expect(python!.result).toEqual({ html: '<h1>Hi</h1>', sum: 6, yaml: 'a: 1\n' });
    expect(node!.result).toEqual({ sum: 5, b64: 'aGk=' });
    expect(jinja!.result).toBe('Hello Dify! [1][2]');
    expect(preloaded!.result).toEqual({ g: 'from preload' });
  }, 300_000);

  it("words failures and timeouts as upstream does, and refuses what upstream refuses", async () => {
    const [raised, slow, cobol, badKey] = await dify([
      { language: 'python3', code: 'def main() -> dict:\n    raise ValueError("boom")' },
      { language: 'python3', code: 'def main() -> dict:\n    while True:\n        pass' },
      { language: 'cobol', code: 'DISPLAY 1' },
      { language: 'python3', code: 'def main() -> dict:\n    return {}', key: 'wrong' },
    ]);
    expect(raised!.body?.code).toBe(0);
    expect(raised!.body?.data?.error).toMatch(/^process exited with code 1\n[\s\S]*ValueError: boom/);
    expect(slow!.body?.data?.error).toBe('process exited with code -1\nerror: timeout\n');
    expect(cobol!.body).toEqual({ code: -400, message: 'unsupported language', data: null });
    expect(badKey!.status).toBe(401);
  }, 120_000);

  it('answers 503 "Too many requests" past its concurrency budget, /health, and the dependency list', async () => {
    const sleep = { language: 'python3', code: 'import time\ndef main() -> dict:\n    time.sleep(1.2)\n    return {}' };
    const answers = await dify([sleep]);
    expect(answers[0]!.body?.code).toBe(0);
    const run = () => fetch(`${base}/v1/sandbox/run`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ language: 'python3', code: 'import time\ntime.sleep(1)' }) });
    const responses = await Promise.all([run(), run(), run()]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 503]);
    const refused = responses.find((response) => response.status === 503)!;
    expect(await refused.json()).toEqual({ code: -503, message: 'Too many requests', data: null });
    expect(await (await fetch(`${base}/health`)).json()).toBe('ok');
    const deps = await (await fetch(`${base}/v1/sandbox/dependencies?language=python3`, { headers: { 'x-api-key': KEY } })).json();
    expect(deps.data.dependencies.map((d: { name: string }) => d.name)).toEqual(['numpy', 'pandas', 'pyyaml', 'markdown', 'jinja2', 'requests']);
    expect((await fetch(`${base}/v1/sandbox/dependencies?language=python3`)).status).toBe(401);
    const malformed = await fetch(`${base}/v1/sandbox/run`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: '{"language": ' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe(-400);
  }, 120_000);
});
