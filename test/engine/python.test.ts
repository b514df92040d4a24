import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { useEngine } from './helpers.js';

const events: EngineEvent[] = [];
const { run } = useEngine({ workers: { quickjs: 1, cpython: 2 }, onEvent: (event) => events.push(event) });
const python = (request: { code: string; inputs?: Record<string, unknown>; timeout_ms?: number; memory_mb?: number; entrypoint?: 'auto' | 'script' | 'main' }) => run({ language: 'python', ...request });

describe('Python through the engine (cpython lane)', () => {
  it('seed: a main()-guarded script reads inputs.json and writes output.json', async () => {
    const response = await python({
      code: [
        'import json',
        '',
        'def main():',
        '    with open("inputs.json") as f:',
        '        data = json.load(f)',
        '    result = {"total": sum(item["price"] * item["qty"] for item in data["items"])}',
        '    with open("output.json", "w") as f:',
        '        json.dump(result, f)',
        '',
        'if __name__ == "__main__":',
        '    main()',
      ].join('\n'),
      inputs: { items: [{ price: 2.5, qty: 4 }, { price: 1, qty: 3 }] },
    });
    expect(response.error).toBeNull();
    expect(response.environment).toMatchObject({ lane: 'cpython', mode: 'script' });
    expect(response.output).toEqual({ total: 13 });
  });

  it('seed: def main(llm_output: str) -> dict extracts JSON from model text', async () => {
    const response = await python({
      code: [
        'import json, re',
        '',
        'def main(llm_output: str) -> dict:',
        '    match = re.search(r"```(?:json)?\\s*(\\{.*?\\})\\s*```", llm_output, re.S)',
        '    return json.loads(match.group(1)) if match else {"error": "no json"}',
      ].join('\n'),
      inputs: { llm_output: 'Sure! Here it is:\n```json\n{"name": "Ada", "score": 9}\n```\nAnything else?', unused: true },
    });
    expect(response.error).toBeNull();
    expect(response.environment.mode).toBe('main');
    expect(response.output).toEqual({ name: 'Ada', score: 9 });
  });

  it('seed: a stdin script prints JSON', async () => {
    const response = await python({ code: 'import sys, json\ndata = json.load(sys.stdin)\nprint(json.dumps({"doubled": [x * 2 for x in data["xs"]]}))', inputs: { xs: [1, 2, 3] } });
    expect(response.output).toEqual({ doubled: [2, 4, 6] });
    expect(response.stdout_json).toEqual({ doubled: [2, 4, 6] });
  });

  it('an uncaught exception: return_code 1, the user frames, the message', async () => {
    const response = await python({ code: 'def helper(x):\n    return 1 / x\n\ndef main():\n    return helper(0)' });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toBe('ZeroDivisionError: division by zero');
    expect(response.error?.traceback).toContain('line 2, in helper');
    expect(response.error?.traceback).not.toMatch(/isola_runner|lane\.py/);
  });

  it('sys.exit(n) sets return_code', async () => {
    const response = await python({ code: 'import sys\nprint("bye")\nsys.exit(3)' });
    expect(response.return_code).toBe(3);
    expect(response.stdout).toBe('bye\n');
  });

  it('a return value JSON cannot hold is invalid_output naming type and path', async () => {
    const response = await python({ code: 'def main():\n    return {"a": {1, 2}}' });
    expect(response.error?.type).toBe('invalid_output');
    expect(response.error?.message).toContain('output["a"]: set');
  });

  it('a pure-Python loop is interrupted at the deadline without replacing the worker', async () => {
    const before = events.filter((e) => e.type === 'worker_restart').length;
    const started = Date.now();
    const response = await python({ code: 'n = 0\nwhile True:\n    n += 1', timeout_ms: 500 });
    expect(response.error?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(events.filter((e) => e.type === 'worker_restart').length).toBe(before);
  });

  it('a bare `while True: pass` always answers within timeout + 500 ms', async () => {
    const started = Date.now();
    const response = await python({ code: 'while True:\n    pass', timeout_ms: 300 });
    expect(response.error?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('regression: a deadline that passes before the driver starts the job is not erased (consecutive 100 ms loops)', async () => {
    const before = events.filter((e) => e.type === 'worker_restart').length;
    for (let i = 0; i < 8; i++) {
      const started = Date.now();
      // (A bare `while True: pass` is sometimes missed by Pyodide's periodic signal check and stopped by
      // the worker kill instead: a known issue, see src/lanes/pyodide/README.md.)
      const response = await python({ code: 'i = 0\nwhile True:\n    i += 1', timeout_ms: 100 });
      expect(response.error?.type).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(380);
    }
    expect(events.filter((e) => e.type === 'worker_restart').length).toBe(before);
  });

  it('code that swallows the interrupt is stopped by ending its worker, within timeout + 500 ms', async () => {
    const started = Date.now();
    const response = await python({ code: 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass', timeout_ms: 500 });
    expect(response.error?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    const after = await python({ code: 'def main():\n    return "alive"' });
    expect(after.output).toBe('alive');
  });

  it('a memory bomb ends as memory_limit (or MemoryError) and the lane keeps serving', async () => {
    const response = await python({ code: 'x = bytearray(3 * 1024**3)', memory_mb: 128 });
    expect(['memory_limit', 'exception']).toContain(response.error?.type);
    if (response.error?.type === 'exception') expect(response.error.message).toMatch(/MemoryError/);
    const after = await python({ code: 'def main():\n    return 2 + 2' });
    expect(after.output).toBe(4);
  });

  it('20 concurrent executions are all answered correctly', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => python({ code: 'def main(i: int) -> dict:\n    return {"i": i, "cube": i ** 3}', inputs: { i } })));
    for (const [i, response] of responses.entries()) expect(response.output).toEqual({ i, cube: i ** 3 });
  });

  it('nothing leaks between executions, and randomness differs', async () => {
    await python({ code: 'import json, random\nglobal_leak = 1\njson.dumps = lambda *a, **k: "hijacked"\nopen("/tmp/left.txt", "w").write("x")' });
    const response = await python({ code: 'import json, os, random, uuid\ndef main():\n    return {"leak": "global_leak" in globals(), "dumps": json.dumps([1]), "file": os.path.exists("/tmp/left.txt"), "r": random.random(), "u": str(uuid.uuid4())}' });
    const again = await python({ code: 'import random, uuid\ndef main():\n    return {"r": random.random(), "u": str(uuid.uuid4())}' });
    expect(response.output).toMatchObject({ leak: false, dumps: '[1]', file: false });
    const first = response.output as { r: number; u: string };
    const second = again.output as { r: number; u: string };
    expect(first.r).not.toBe(second.r);
    expect(first.u).not.toBe(second.u);
  });
});
