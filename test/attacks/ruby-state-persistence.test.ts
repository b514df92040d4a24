/**
 * Ruby code that tries to leave something for the next execution on the same worker: globals, a
 * monkey-patched core method, a constant, a redefined runner, files, the random generator's state. Every
 * execution is a fresh instance started from the worker's boot image, so the next one sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 } });
}, 60_000);
afterAll(async () => {
  await engine?.close();
});
const run = (code: string) => engine.execute({ language: 'ruby', code, timeout_ms: 30_000 });

const PROBE = 'puts [defined?($planted).inspect, "abc".upcase, defined?(PLANTED).inspect, File.exist?("/tmp/planted"), File.exist?("planted.txt"), IsolaRunner.method(:run).source_location.inspect].join(" ")';
const ATTACK = `
$planted = 1
PLANTED = 2
class String
  def upcase = "owned"
end
File.write("/tmp/planted", "x")
File.write("planted.txt", "x")
module IsolaRunner
  def self.run(*) = File.write("/tmp/.isola-result.json", '{"exit_code":0,"return_json":"\\"forged\\""}')
end
`;

describe('ruby state persistence', () => {
  it('globals, constants, monkey patches, files and a replaced runner do not reach the next execution', async () => {
    const before = await run(PROBE);
    // The runner's run comes from the lane's own eval, not from main.rb.
    expect(before.stdout).toMatch(/^nil ABC nil false false \["eval", \d+\]\n$/);
    const attack = await run(ATTACK);
    expect(attack.status).toBe('completed');
    const after = await run(PROBE);
    expect(after.stdout).toBe(before.stdout);
    expect(after.output).toBeNull();
  });

  it('two executions from the same image draw different random numbers', async () => {
    const code = 'require "securerandom"\nputs [rand(2**60), Random.rand(2**60), SecureRandom.hex(8)].join(" ")';
    const first = (await run(code)).stdout.trim().split(' ');
    const second = (await run(code)).stdout.trim().split(' ');
    expect(first).toHaveLength(3);
    for (const [i, value] of first.entries()) expect(second[i], `value ${i}`).not.toBe(value);
  });
});
