// A 10 MiB input must not cost the guest several times its size before the code even runs. It did: the
// runner handed every execution sys.stdin = io.StringIO(inputs), which holds 4 bytes per character, so a
// 10 MiB input took 42 MB of the guest's memory_mb whether or not the code read stdin, and the CPython
// lane refused it with memory_limit at memory_mb 96. stdin is now made when first read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { LANES } from '../../src/lanes/registry.js';

const TEN_MIB = 10 * 1024 * 1024;
const PYTHON_LANES = LANES.filter((lane) => lane.languages.length === 0 || lane.languages.includes('python')).map((lane) => ({ lane: lane.name, runtime: lane.languages.length > 0 ? 'auto' : lane.name }));

describe.each(PYTHON_LANES)('a 10 MiB input in lane $lane', ({ lane, runtime }) => {
  let engine: Engine;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });
  const text = 'x'.repeat(TEN_MIB - 16);

  it('runs main under memory_mb 80', async () => {
    const response = await engine.execute({ language: 'python', runtime, code: 'def main(text):\n    return {"n": len(text)}', inputs: { text }, memory_mb: 80, timeout_ms: 60_000 });
    expect(response.environment.lane).toBe(lane);
    expect(response).toMatchObject({ status: 'completed', output: { n: TEN_MIB - 16 } });
  }, 90_000);

  // The WASI lane makes fd 0's bytes on its first read (sys.stdin is the runner's own, so fd 0 is seldom
  // read); the native lane's fd 0 is the process's stdin, which its runner consumes when a request has one.
  it.runIf(lane === 'cpython')('fd 0 reads the inputs, or the request stdin, when read directly', async () => {
    const code = 'import os\nprint(os.read(0, 1000).decode())';
    const inputsRun = await engine.execute({ language: 'python', runtime, code, inputs: { a: 1 } });
    expect(inputsRun).toMatchObject({ status: 'completed', stdout: '{"a":1}\n' });
    const stdinRun = await engine.execute({ language: 'python', runtime, code, inputs: { a: 1 }, stdin: 'line one' });
    expect(stdinRun).toMatchObject({ status: 'completed', stdout: 'line one\n' });
  });

  it('and stdin still holds the inputs when the code reads it', async () => {
    const response = await engine.execute({ language: 'python', runtime, code: 'import sys, json\nprint(len(json.load(sys.stdin)["text"]))', inputs: { text }, memory_mb: 256, timeout_ms: 60_000 });
    expect(response).toMatchObject({ status: 'completed', stdout: `${TEN_MIB - 16}\n` });
  }, 90_000);
});
