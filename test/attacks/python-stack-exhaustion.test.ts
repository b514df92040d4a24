/**
 * Exhausting a stack: deep Python recursion with sys.setrecursionlimit(10**6), recursion through C
 * (repr, json, pickle, deep comparisons), deeply nested eval/compile, and return values nested up to
 * 100,000 deep. Each ends with a typed failure of the code's own (exception, invalid_output or a
 * limit), never 'internal'; the worker survives and the canary on it sees a fresh worker's view.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const DEEP = 'x = []\nfor _ in range(DEPTH):\n    x = [x]\n';
/** DEEP as the body of a function. */
const indented = (depth: string) => DEEP.replace('DEPTH', depth).trimEnd().replace(/^/gm, '    ') + '\n';

const ATTACKS: Record<string, [code: string, types: string[]]> = {
  'Python recursion under the default limit': ['def f(n):\n    return f(n + 1)\nf(0)', ['exception']],
  'Python recursion with setrecursionlimit(10**6)': ['import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1) + 1\nf(0)', ['exception', 'memory_limit', 'timeout']],
  'recursion through C: repr of a deep list': ['import sys\nsys.setrecursionlimit(10**6)\n' + DEEP.replace('DEPTH', '100_000') + 'repr(x)', ['exception']],
  'recursion through C: json.dumps of a deep list': ['import json, sys\nsys.setrecursionlimit(10**6)\n' + DEEP.replace('DEPTH', '100_000') + 'json.dumps(x)', ['exception']],
  'recursion through C: pickle and deep equality': ['import pickle, sys\nsys.setrecursionlimit(10**6)\n' + DEEP.replace('DEPTH', '100_000') + 'y = pickle.loads(pickle.dumps(x))\nx == y', ['exception']],
  'recursion through __getattr__ and __repr__': ['import sys\nsys.setrecursionlimit(10**6)\nclass A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())', ['exception']],
  'deeply nested eval': ['x = eval("(" * 100_000 + ")" * 100_000)', ['exception', 'memory_limit']],
  'deeply nested compile of unary minus': ['import sys\nsys.setrecursionlimit(10**6)\ncompile("-" * 1_000_000 + "1", "x", "eval")', ['exception', 'memory_limit']],
  'deeply nested lambda source': ['import sys\nsys.setrecursionlimit(10**6)\nexec("f = " + "lambda: " * 50_000 + "1")', ['exception', 'memory_limit']],
  'a return value nested 100,000 deep': [`import sys\nsys.setrecursionlimit(10**6)\ndef main():\n${indented('100_000')}    return x`, ['invalid_output']],
  'a return value nested 100,000 deep, default recursion limit': [`def main():\n${indented('100_000')}    return x`, ['invalid_output']],
  'a dict return value nested 5,000 deep': ['def main():\n    x = {}\n    for _ in range(5000):\n        x = {"k": x}\n    return x', ['invalid_output']],
};

describe('stack exhaustion (CPython lane)', () => {
  for (const [name, [code, types]] of Object.entries(ATTACKS)) {
    it(`${name}: ${types.join(' or ')}, and the worker survives`, async () => {
      const attack = await lane.attackThenCanary({ code, timeout_ms: 3000, memory_mb: 256 });
      expect(types, JSON.stringify(attack.error)).toContain(attack.error?.type ?? 'none');
      expect(lane.restarts()).toBe(0);
    });
  }

  it('a value nested exactly within the runner limit is returned', async () => {
    const response = await lane.run({ code: 'def main():\n    x = 1\n    for _ in range(400):\n        x = [x]\n    return x' });
    expect(response.error).toBeNull();
    let depth = 0;
    for (let v = response.output; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(400);
  });
});
