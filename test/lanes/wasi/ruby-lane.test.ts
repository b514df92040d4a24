/**
 * language "ruby" (CRuby's WASI build in the wasi lane): the function convention's details, what the
 * guest cannot reach, and the limits, through the engine. The shared rows (hello, inputs, deadline,
 * memory, isolation) are in test/conformance/lanes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type ExecuteRequestInput } from '../../../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 } });
}, 60_000);
afterAll(async () => {
  await engine?.close();
});
const run = (code: string, request: Partial<ExecuteRequestInput> = {}) => engine.execute({ language: 'ruby', code, timeout_ms: 30_000, ...request });

describe('ruby lane', () => {
  it('runs Ruby 4.0 in the wasi lane, with an empty environment', async () => {
    const response = await run('puts RUBY_VERSION\nputs ENV.to_h.size');
    expect(response).toMatchObject({ status: 'completed', environment: { lane: 'wasi', mode: 'script' } });
    expect(response.stdout).toMatch(/^4\.0\.\d+\n0\n$/);
  });

  it('calls main with the keyword arguments it takes, **kwargs with all, a positional parameter with the Hash', async () => {
    const inputs = { a: 1, b: 2, extra: true };
    expect((await run('def main(a:, b: 10)\n  a + b\nend', { inputs })).output).toBe(3);
    expect((await run('def main(**all)\n  all.keys.sort\nend', { inputs })).output).toEqual(['a', 'b', 'extra']);
    expect((await run('def main(hash)\n  hash["b"]\nend', { inputs })).output).toBe(2);
    expect((await run('def main\n  "no inputs"\nend', { inputs })).output).toBe('no inputs');
  });

  it('runs code that calls its own main as a script, and entrypoint forces a mode', async () => {
    const selfCalling = 'def main\n  puts "called"\n  7\nend\nmain';
    expect(await run(selfCalling)).toMatchObject({ stdout: 'called\n', output: null, environment: { mode: 'script' } });
    expect(await run('def main\n  7\nend', { entrypoint: 'script' })).toMatchObject({ output: null, environment: { mode: 'script' } });
    expect(await run('def main\n  7\nend', { entrypoint: 'main' })).toMatchObject({ output: 7, environment: { mode: 'main' } });
  });

  it('a missing keyword is an exception naming it; a value JSON cannot hold is invalid_output', async () => {
    const missing = await run('def main(name:)\n  name\nend');
    expect(missing).toMatchObject({ return_code: 1, error: { type: 'exception' } });
    expect(missing.error?.message).toContain('name');
    const nan = await run('def main\n  Float::NAN\nend');
    expect(nan).toMatchObject({ error: { type: 'invalid_output' } });
  });

  it('reads the inputs as JSON on stdin by default', async () => {
    expect((await run('require "json"\nputs JSON.parse($stdin.read)["n"] * 2', { inputs: { n: 21 } })).stdout).toBe('42\n');
  });

  it('has no JavaScript realm: require "js" cannot reach one', async () => {
    const response = await run('require "js"\nputs JS.global[:process].inspect');
    expect(response.stdout).toBe('');
    expect(response.return_code).not.toBe(0);
  });

  it('cannot read outside its own root', async () => {
    const response = await run('%w[/etc/passwd ../etc/passwd /proc/self/environ].each { |p| puts (File.read(p) rescue $!.class) }');
    expect(response.stdout).toBe('Errno::ENOENT\nErrno::ENOTCAPABLE\nErrno::ENOENT\n');
  });

  it('a memory_mb below what Ruby itself needs is memory_limit, not a crash', async () => {
    const response = await run('puts 1', { memory_mb: 16 });
    expect(response).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
  });
});

describe('ruby preloaded at worker start (laneOptions.wasi.preloadRuby)', () => {
  let preloaded: Engine;
  beforeAll(async () => {
    preloaded = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 }, laneOptions: { wasi: { preloadRuby: true } } });
    // The worker is ready once its driver exists, i.e. after Ruby booted.
    while ((preloaded.readiness().lanes.wasi?.workers.ready ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 50));
  }, 60_000);
  afterAll(async () => {
    await preloaded?.close();
  });

  it("the first Ruby job does not pay Ruby's boot: a short deadline holds, and nothing was prepared for it", async () => {
    const response = await preloaded.execute({ language: 'ruby', code: 'def main = { "first" => true }', timeout_ms: 2000 });
    expect(response).toMatchObject({ status: 'completed', output: { first: true }, environment: { cache: 'hit' } });
  });
});
