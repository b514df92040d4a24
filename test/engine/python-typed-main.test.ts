// main()'s annotations convert its JSON arguments before the call, the same in every lane that runs
// Python (one guest module, runtimes/python/isola_typed_args.py, loaded by the shared runner). One table,
// run over each Python lane the registry lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type ExecuteResponse } from '../../src/index.js';
import { LANES } from '../../src/lanes/registry.js';

interface Case {
  name: string;
  code: string;
  inputs: Record<string, unknown>;
  expect(response: ExecuteResponse): void;
}

const CASES: Case[] = [
  {
    name: 'int, float, bool and list[str] parameters get converted values',
    code: 'def main(count: int, tags: list[str], ratio: float = 1.0, urgent: bool = False):\n    return {"count": count, "count_type": type(count).__name__, "tags": tags, "ratio": ratio, "urgent": urgent}',
    inputs: { count: '3', tags: 'a, b', ratio: '0.5', urgent: 'true' },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', return_code: 0, output: { count: 3, count_type: 'int', tags: ['a', 'b'], ratio: 0.5, urgent: true } }),
  },
  {
    name: 'a value that does not convert is invalid_input naming the parameter, and main does not run',
    code: 'def main(count: int):\n    print("ran")\n    return count',
    inputs: { count: 'three' },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 1, output: null, error: { type: 'invalid_input' } });
      expect(r.error?.message).toBe('main() argument \'count\': expected int, got string "three"');
      expect(r.stdout).toBe('');
    },
  },
  {
    name: 'items of a list[int] are converted, and a bad one is named by its index',
    code: 'from __future__ import annotations\n\ndef main(ids: list[int]):\n    return sum(ids)',
    inputs: { ids: ['1', 2, 'x'] },
    expect: (r) => {
      expect(r.error?.type).toBe('invalid_input');
      expect(r.error?.message).toMatch(/^main\(\) argument 'ids'\[2\]: expected int, got string "x"/);
    },
  },
  {
    name: 'string annotations resolve; a JSON list text becomes a list',
    code: 'from __future__ import annotations\n\ndef main(ids: list[int], scale: int = 1):\n    return [i * scale for i in ids]',
    inputs: { ids: '[1, "2"]', scale: 10 },
    expect: (r) => expect(r.output).toEqual([10, 20]),
  },
  {
    name: 'Optional, unions and Literal',
    code: 'from typing import Literal, Optional\n\ndef main(limit: Optional[int] = None, key: int | str = "", mode: Literal["fast", "slow"] = "fast"):\n    return [limit, key, mode]',
    inputs: { limit: null, key: '7', mode: 'slow' },
    expect: (r) => expect(r.output).toEqual([null, '7', 'slow']),
  },
  {
    name: 'a Literal outside its values is refused',
    code: 'from typing import Literal\n\ndef main(mode: Literal["fast", "slow"]):\n    return mode',
    inputs: { mode: 'medium' },
    expect: (r) => expect(r.error).toMatchObject({ type: 'invalid_input', message: 'main() argument \'mode\': expected one of "fast", "slow", got string "medium"' }),
  },
  {
    name: 'a dataclass parameter is built from an object, its fields converted',
    code: 'from dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: int\n    y: int\n\ndef main(p: Point, tags: dict[str, float]):\n    return {"sum": p.x + p.y, "tags": tags}',
    inputs: { p: { x: '1', y: 2 }, tags: { a: '1.5' } },
    expect: (r) => expect(r.output).toEqual({ sum: 3, tags: { a: 1.5 } }),
  },
  {
    name: 'without annotations, or with ones it cannot resolve, main gets the JSON as it is',
    code: 'def main(a, b: "Undefined" = None):\n    return [a + a, b]',
    inputs: { a: '1', b: 5 },
    expect: (r) => expect(r.output).toEqual(['11', 5]),
  },
];

const PYTHON_LANES = LANES.filter((lane) => lane.languages.length === 0 || lane.languages.includes('python')).map((lane) => ({ lane: lane.name, runtime: lane.languages.length > 0 ? 'auto' : lane.name }));

describe.each(PYTHON_LANES)('typed main() in lane $lane', ({ lane, runtime }) => {
  let engine: Engine;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const response = await engine.execute({ language: 'python', runtime, code: testCase.code, inputs: testCase.inputs });
      expect(response.environment.lane).toBe(lane);
      testCase.expect(response);
    }, 60_000);
  }
});
