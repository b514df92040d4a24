/**
 * One table of behaviours, run over every lane the registry lists, in every language the lane runs
 * (the native lane runs both Python and JavaScript). A new lane gets this whole table by adding its
 * descriptor: nothing here names a lane. Each case is the same program written in each language, with
 * one expectation on what a user sees in the envelope. A case a language cannot express (a wasm module
 * has no main() to call, no exception with a message, no network call) leaves that language out, and
 * the row does not run for it. Wasm programs are WebAssembly text (test/lanes/wasi/programs.ts),
 * assembled and sent as base64.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type ExecuteResponse } from '../../src/index.js';
import { LANES } from '../../src/lanes/registry.js';
import * as wasm from '../lanes/wasi/programs.js';
import { watBase64 } from '../lanes/wasi/wat.js';
import { laneTargets } from './lane-targets.js';

type Language = 'python' | 'javascript' | 'wasm' | 'ruby';
/** What an isolation row prints on a fresh worker, per language: the second run must print the same. */
const FRESH: Record<Language, RegExp> = { python: /^False None\n$/, javascript: /^false undefined\n$/, wasm: /^fresh\n$/, ruby: /^false nil\n$/ };

interface Case {
  name: string;
  code: Partial<Record<Language, string>>;
  request?: Record<string, unknown>;
  expect(response: ExecuteResponse): void;
}

const CASES: Case[] = [
  {
    name: 'stdout is captured',
    code: { python: 'print("hello")', javascript: 'console.log("hello")', wasm: wasm.hello('hello\n'), ruby: 'puts "hello"' },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', return_code: 0, stdout: 'hello\n', error: null }),
  },
  {
    name: "main's return value is the output",
    code: { python: 'def main(a, b):\n    return {"sum": a + b}', javascript: 'function main({ a, b }) { return { sum: a + b } }', ruby: 'def main(a:, b:)\n  { "sum" => a + b }\nend' },
    request: { inputs: { a: 2, b: 3 } },
    expect: (r) => expect(r).toMatchObject({ output: { sum: 5 }, environment: { mode: 'main' } }),
  },
  {
    name: 'inputs.json in, output.json out',
    code: {
      python: 'import json\nvalues = json.load(open("inputs.json"))["values"]\njson.dump({"total": sum(values)}, open("output.json", "w"))',
      javascript: 'const fs = require("fs");\nconst { values } = JSON.parse(fs.readFileSync("inputs.json", "utf8"));\nfs.writeFileSync("output.json", JSON.stringify({ total: values.reduce((a, b) => a + b, 0) }));',
      wasm: wasm.sumInputs,
      ruby: 'require "json"\nvalues = JSON.parse(File.read("inputs.json"))["values"]\nFile.write("output.json", JSON.generate({ "total" => values.sum }))',
    },
    request: { inputs: { values: [1, 2, 3, 4] } },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', output: { total: 10 } }),
  },
  {
    name: 'stdin is the request stdin when given, else the inputs as JSON',
    code: {
      python: 'import sys\nprint(sys.stdin.read().upper(), end="")',
      javascript: 'const fs = require("fs");\nprocess.stdout.write(fs.readFileSync(0, "utf8").toUpperCase())',
      wasm: wasm.upperStdin,
      ruby: 'print $stdin.read.upcase',
    },
    request: { stdin: 'line one\nline two\n', inputs: { unused: true } },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', stdout: 'LINE ONE\nLINE TWO\n' }),
  },
  {
    name: 'printed JSON becomes the output',
    code: { python: 'import json\nprint(json.dumps({"x": [1, 2]}))', javascript: 'console.log(JSON.stringify({ x: [1, 2] }))', wasm: wasm.hello('{"x": [1, 2]}\n'), ruby: 'require "json"\nputs JSON.generate({ "x" => [1, 2] })' },
    expect: (r) => expect(r).toMatchObject({ output: { x: [1, 2] }, stdout_json: { x: [1, 2] } }),
  },
  {
    name: 'an exit code is the return code',
    code: { python: 'import sys\nprint("bye")\nsys.exit(3)', javascript: 'console.log("bye"); process.exit(3)', wasm: wasm.exitWith(3), ruby: 'puts "bye"\nexit 3' },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', return_code: 3, stdout: 'bye\n' }),
  },
  {
    name: 'an uncaught exception is error.type exception with its message',
    code: { python: 'raise ValueError("boom")', javascript: 'throw new Error("boom")', ruby: 'raise ArgumentError, "boom"' },
    expect: (r) => {
      expect(r).toMatchObject({ return_code: 1, error: { type: 'exception' } });
      expect(r.error?.message).toContain('boom');
    },
  },
  {
    name: 'an endless loop ends at the deadline as timeout',
    code: { python: 'while True:\n    pass', javascript: 'for (;;) {}', wasm: wasm.spin, ruby: 'while true\nend' },
    request: { timeout_ms: 300 },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'error', return_code: null, error: { type: 'timeout' } });
      // One wording in every lane (src/lanes/failures.ts).
      expect(r.error?.message).toMatch(/^execution exceeded its 300 ms deadline/);
      expect(r.elapsed_ms).toBeLessThan(300 + 2000);
    },
  },
  {
    name: 'a sleep past the deadline ends as timeout',
    code: { python: 'import time\ntime.sleep(30)', javascript: 'setTimeout(() => console.log("late"), 30000)', wasm: wasm.sleepFor(30), ruby: 'sleep 30' },
    request: { timeout_ms: 300 },
    expect: (r) => {
      expect(r.error?.type).toBe('timeout');
      expect(r.stdout).toBe('');
    },
  },
  {
    name: 'holding more than memory_mb is memory_limit',
    code: {
      python: 'chunks = []\nwhile True:\n    chunks.append(bytearray(8 * 1024 * 1024))',
      javascript: 'const chunks = [];\nfor (;;) chunks.push(new Uint8Array(8 * 1024 * 1024).fill(1));',
      wasm: wasm.growBomb,
      ruby: 'chunks = []\nloop { chunks << ("x" * 8 * 1024 * 1024) }',
    },
    request: { memory_mb: 128, timeout_ms: 20_000 },
    expect: (r) => {
      expect(r.error?.type).toBe('memory_limit');
      expect(r.error?.message).toMatch(/^out of memory: the 128 MB memory limit was reached/);
    },
  },
  {
    name: 'stdout past its cap is truncated, and the code still completes',
    code: { python: 'import sys\nsys.stdout.write("x" * (3 * 1024 * 1024))', javascript: 'process.stdout.write("x".repeat(3 * 1024 * 1024))', wasm: wasm.flood(48), ruby: '$stdout.write("x" * (3 * 1024 * 1024))' },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', stdout_truncated: true });
      expect(r.stdout.length).toBeLessThanOrEqual(1024 * 1024);
    },
  },
  {
    name: 'the network is denied without an allow-list',
    code: {
      python: 'import urllib.request\ntry:\n    urllib.request.urlopen("http://example.com", timeout=5)\n    print("reached")\nexcept Exception:\n    print("denied")',
      javascript: 'fetch("http://example.com").then(() => console.log("reached"), () => console.log("denied"))',
      ruby: 'begin\n  require "socket"\n  TCPSocket.new("example.com", 80)\n  puts "reached"\nrescue Exception\n  puts "denied"\nend',
    },
    expect: (r) => expect(r.stdout).toBe('denied\n'),
  },
  {
    name: 'a plain execution prepares nothing: cache is hit',
    code: { python: 'print(1)', javascript: 'console.log(1)', ruby: 'puts 1' },
    expect: (r) => expect(r.environment.cache).toBe('hit'),
  },
  {
    name: 'inputs coerced to input_schema reach the code typed',
    code: { python: 'def main(n, tags):\n    return {"next": n + 1, "tags": tags}', javascript: 'function main({ n, tags }) { return { next: n + 1, tags } }' },
    request: {
      input_schema: { type: 'object', properties: { n: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } },
      coerce: true,
      inputs: { n: '41', tags: 'a,b' },
    },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', return_code: 0, output: { next: 42, tags: ['a', 'b'] } }),
  },
  {
    name: 'an output that breaks output_schema is invalid_output naming the pointer and the rule',
    code: { python: 'def main():\n    return {"rows": [{"id": 1}, {"id": "two"}]}', javascript: 'function main() { return { rows: [{ id: 1 }, { id: "two" }] } }' },
    request: { output_schema: { type: 'object', properties: { rows: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' } } } } } } },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 1, output: null, error: { type: 'invalid_output', pointer: '/rows/1/id', rule: 'type' } });
      expect(r.error?.message).toMatch(/^output \/rows\/1\/id: must be integer/);
    },
  },
  {
    name: 'output.json and printed JSON are held to output_schema too',
    code: { python: 'print(\'{"ok": true}\')', javascript: 'console.log(JSON.stringify({ ok: true }))' },
    request: { output_schema: { type: 'object', required: ['ok', 'count'] } },
    expect: (r) => expect(r).toMatchObject({ error: { type: 'invalid_output', pointer: '/count', rule: 'required' }, stdout_json: { ok: true } }),
  },
  {
    name: "output_guards \"dify\" refuses a 31-string list as Dify does",
    code: { python: 'def main():\n    return {"tags": [str(i) for i in range(31)]}', javascript: 'function main() { return { tags: Array.from({ length: 31 }, (_, i) => String(i)) } }' },
    request: { output_guards: 'dify' },
    expect: (r) => expect(r).toMatchObject({ return_code: 1, output: null, error: { type: 'invalid_output', pointer: '/tags', rule: 'max_array_length' } }),
  },
  {
    name: 'no file or variable survives into the next execution',
    code: {
      python: 'import os\nprint(os.path.exists("/tmp/isola-left"), os.environ.get("ISOLA_LEFT"))\nopen("/tmp/isola-left", "w").write("x")\nos.environ["ISOLA_LEFT"] = "1"',
      javascript: 'const fs = require("fs");\nconsole.log(fs.existsSync("/tmp/isola-left"), process.env.ISOLA_LEFT);\nfs.writeFileSync("/tmp/isola-left", "x");\nprocess.env.ISOLA_LEFT = "1";',
      wasm: wasm.leaveAFile,
      ruby: 'puts [File.exist?("/tmp/isola-left"), ENV["ISOLA_LEFT"].inspect].join(" ")\nFile.write("/tmp/isola-left", "x")\nENV["ISOLA_LEFT"] = "1"',
    },
    // Run twice on the same worker: the second run must see what the first saw.
    expect: () => {},
  },
];

/** Every (lane, language) pair the registry promises, with the request fields that route to it. */
const TARGETS = laneTargets(Object.keys(FRESH) as Language[]);

describe.each(TARGETS)('lane $lane, $language', ({ lane, language, runtime }) => {
  let engine: Engine;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });
  const run = async (code: string, testCase: Case) => engine.execute({ language, runtime, code: language === 'wasm' ? await watBase64(code) : code, ...testCase.request });

  for (const testCase of CASES) {
    const code = testCase.code[language];
    if (code === undefined) continue;
    it(testCase.name, async () => {
      const response = await run(code, testCase);
      expect(response.environment.lane).toBe(lane);
      testCase.expect(response);
      if (testCase.name.startsWith('no file')) {
        const again = await run(code, testCase);
        expect(again.stdout).toBe(response.stdout);
        expect(response.stdout).toMatch(FRESH[language]);
      }
    }, 60_000);
  }
});
