/**
 * One item of a batch poisons the interpreter for the next: item 0 sets globals, changes module
 * state, writes files, sets environment variables, registers modules and monkey-patches builtins
 * after it looked; items 1 and 2, on the same single worker, must look and see exactly what a run of
 * the same code saw before any item had touched the worker. Every lane, both languages where the
 * lane runs both, through the HTTP face.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { ITEM_LANGUAGES } from '../../src/contract/items.js';
import { LANES } from '../../src/lanes/registry.js';
import { buildApp } from '../../src/server/app.js';
import { post } from '../server/helpers.js';
import { laneTargets } from '../conformance/lane-targets.js';

type Language = 'python' | 'javascript';

const CODE: Record<Language, string> = {
  javascript: `
let calls = 0; // module state: every item starts with the module evaluated once
calls++;
const fs = require('fs');
function execute(args) {
  const seen = {
    calls,
    leaked: typeof globalThis.leaked,
    polluted: ({}).polluted === undefined,
    file: fs.existsSync('/tmp/leak.txt') || fs.existsSync('leak.txt'),
    env: process.env.LEAK ?? null,
    parse: JSON.parse('{"a":1}').a,
    map: [1, 2].map((x) => x * 2).join(','),
    random: typeof Math.random() === 'number' && Math.random() !== 4,
    exitCode: process.exitCode ?? null,
  };
  if (args.input.mutate) {
    globalThis.leaked = 'secret';
    Object.prototype.polluted = true;
    fs.writeFileSync('/tmp/leak.txt', 'x');
    fs.writeFileSync('leak.txt', 'x');
    process.env.LEAK = '1';
    JSON.parse = () => ({ a: 'hijacked' });
    Array.prototype.map = function () { return ['hijacked'] };
    Math.random = () => 4;
    calls = 100;
  }
  return seen;
}`,
  python: `
import builtins, json, os, random, sys, types
calls = 0  # module state: every item starts with the module run once
calls += 1

def execute(args, ctx):
    global calls
    seen = {
        "calls": calls,
        "leaked": hasattr(builtins, "leaked"),
        "file": os.path.exists("/tmp/leak.txt") or os.path.exists("leak.txt"),
        "env": os.environ.get("LEAK"),
        "loads": json.loads('{"a": 1}')["a"],
        "sorted": sorted([2, 1]),
        "module": "leakmod" in sys.modules,
        "random": random.random() != 4,
        "path": "/planted" in sys.path,
    }
    if args.input["mutate"]:
        builtins.leaked = "secret"
        open("/tmp/leak.txt", "w").write("x")
        open("leak.txt", "w").write("x")
        os.environ["LEAK"] = "1"
        json.loads = lambda *a, **k: {"a": "hijacked"}
        builtins.sorted = lambda *a, **k: ["hijacked"]
        sys.modules["leakmod"] = types.ModuleType("leakmod")
        random.random = lambda: 4
        sys.path.append("/planted")
        calls = 100
    return seen
`,
};

const TARGETS = laneTargets((['python', 'javascript'] as const).filter((l) => ITEM_LANGUAGES.includes(l)));

describe.each(TARGETS)('items cannot share state on lane $lane, $language', ({ lane, language, runtime }) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    // One worker: every item of the batch runs on the same interpreter host, one after the other.
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
    app = buildApp({ engine, docs: false });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  const batch = async (mutates: boolean[]) => {
    // A native item is a sandboxed process of its own (~0.2 s): the long batch needs more than the default deadline there.
    const res = await post(app, { language, runtime, code: CODE[language], items: mutates.map((mutate) => ({ json: { mutate } })), timeout_ms: 90_000 });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as { environment: { lane: string }; error: unknown; items: { main: { json: unknown }[] } };
    expect(answer.environment.lane).toBe(lane);
    expect(answer.error).toBeNull();
    return answer.items.main.map((item) => item.json);
  };

  it('the items after a poisoning item see what a fresh run sees', async () => {
    const [fresh] = await batch([false]);
    expect(fresh).toMatchObject({ calls: 1, leaked: language === 'python' ? false : 'undefined', file: false, env: null });
    const [poisoner, next, last] = await batch([true, false, false]);
    expect(poisoner).toEqual(fresh);
    expect(next).toEqual(fresh);
    expect(last).toEqual(fresh);
    // And a later request on the same worker, too.
    expect(await batch([false])).toEqual([fresh]);
  }, 60_000);

  it('so do items that ride to the worker in chunks (a long batch): every other item poisons, every item sees a fresh run', async () => {
    const [fresh] = await batch([false]);
    const seen = await batch(Array.from({ length: 48 }, (_, i) => i % 2 === 0));
    expect(seen).toHaveLength(48);
    for (const [index, view] of seen.entries()) expect(view, `item ${index}`).toEqual(fresh);
  }, 180_000);
});
