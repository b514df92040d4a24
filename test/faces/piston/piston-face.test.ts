/**
 * The Piston v2 face over real HTTP, as Piston clients call it: runtimes, a Python and a JavaScript run
 * reading stdin, encoded files, Piston's status letters for a runtime error and a timeout, and its
 * `400 {message}` for an unknown runtime or a malformed body.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/index.js';
import { buildApp } from '../../../src/server/app.js';

let engine: Engine;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 1, cpython: 1, wasi: 1, native: 0 } });
  app = buildApp({ engine, docs: false, piston: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await app.close();
  await engine.close({ graceMs: 0 });
});

async function execute(body: unknown) {
  const response = await fetch(`${base}/api/v2/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('Piston v2 face', () => {
  it('lists its runtimes and runs Python and JavaScript that read stdin', async () => {
    const runtimes = await (await fetch(`${base}/api/v2/runtimes`)).json();
    expect(runtimes.map((r: { language: string }) => r.language)).toEqual(['python', 'javascript', 'typescript', 'ruby']);
    const py = await execute({ language: 'python', version: '3.x', files: [{ name: 'main.py', content: 'import sys\nfor line in sys.stdin:\n    print(int(line) * 2)' }], stdin: '2\n21\n' });
    expect(py.status).toBe(200);
    expect(py.body).toMatchObject({ language: 'python', version: '3.15.0', run: { stdout: '4\n42\n', stderr: '', output: '4\n42\n', code: 0, signal: null, status: null } });
    const js = await execute({ language: 'js', version: '*', files: [{ content: Buffer.from('const fs = require("fs"); console.log(fs.readFileSync(0, "utf8").trim().split(" ").reverse().join(" "))').toString('base64'), encoding: 'base64' }], stdin: 'a b c' });
    expect(js.body.run).toMatchObject({ stdout: 'c b a\n', code: 0, status: null });
    // The first Ruby job of a worker boots Ruby within its deadline: give it room.
    const rb = await execute({ language: 'rb', version: '4', files: [{ content: 'puts $stdin.read.split.map(&:upcase).join(",")' }], stdin: 'a b', run_timeout: 30_000 });
    expect(rb.body).toMatchObject({ language: 'ruby', version: '4.0.0', run: { stdout: 'A,B\n', code: 0, status: null } });
  }, 60_000);

  it("answers a runtime error and a timeout with Piston's status letters", async () => {
    const raised = await execute({ language: 'python', version: '*', files: [{ content: 'raise SystemExit(3)' }] });
    expect(raised.body.run).toMatchObject({ code: 3, status: 'RE', signal: null });
    const thrown = await execute({ language: 'javascript', version: '*', files: [{ content: 'throw new Error("nope")' }] });
    expect(thrown.body.run.status).toBe('RE');
    expect(thrown.body.run.stderr).toContain('nope');
    const slow = await execute({ language: 'python', version: '*', files: [{ content: 'while True:\n    pass' }], run_timeout: 300 });
    expect(slow.body.run).toMatchObject({ status: 'TO', signal: 'SIGKILL', code: null });
  }, 60_000);

  it('refuses unknown runtimes and malformed bodies with 400 {message}', async () => {
    expect(await execute({ language: 'python', version: '2.7', files: [{ content: 'print 1' }] })).toEqual({ status: 400, body: { message: 'python-2.7 runtime is unknown' } });
    expect(await execute({ language: 'cobol', version: '*', files: [{ content: '' }] })).toEqual({ status: 400, body: { message: 'cobol-* runtime is unknown' } });
    expect((await execute({ language: 'python', version: '*' })).body).toEqual({ message: 'files is required as an array' });
    const malformed = await execute('{"language": ');
    expect(malformed.status).toBe(400);
    expect(typeof malformed.body.message).toBe('string');
  }, 60_000);
});
