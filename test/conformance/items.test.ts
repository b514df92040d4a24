/**
 * Items and ports: the Codemation/n8n patterns, one table over every lane the registry lists (the
 * native lane in both languages), through the HTTP face. Each case is the same program in Python and
 * JavaScript, with one expectation on the answer a workflow engine gets.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { ITEM_LANGUAGES } from '../../src/contract/items.js';
import { LANES } from '../../src/lanes/registry.js';
import { buildApp } from '../../src/server/app.js';
import { fields, post } from '../server/helpers.js';
import { laneTargets } from './lane-targets.js';

type Language = 'python' | 'javascript';

interface OutputItem {
  json: unknown;
  binary?: Record<string, { id: string }>;
  paired: { item: number };
}
interface BatchAnswer {
  status: string;
  return_code: number | null;
  output: unknown;
  stdout: string;
  error: { type: string; message: string } | null;
  items: Record<string, OutputItem[]>;
  errors?: { index: number; type: string; message: string; traceback?: string }[];
}

interface Case {
  name: string;
  code: Record<Language, string>;
  request: Record<string, unknown>;
  expect(answer: BatchAnswer): void;
}

const NUMBERS = [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }];
/** Blobs every target uploads first (items may only name blobs that are in the store). */
const BLOBS = { one: 'first blob', two: 'second blob' };
const BLOB_1 = createHash('sha256').update(BLOBS.one).digest('hex');
const BLOB_2 = createHash('sha256').update(BLOBS.two).digest('hex');

const CASES: Case[] = [
  {
    name: 'execute runs once per item; its value replaces the json on main, paired with its item',
    code: {
      python: 'def execute(args, ctx):\n    return {"doubled": args.input["n"] * 2, "index": args.item_index, "count": len(args.items)}',
      javascript: 'function execute(args, ctx) { return { doubled: args.input.n * 2, index: args.itemIndex, count: args.items.length } }',
    },
    request: { items: NUMBERS },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 0, error: null, output: null });
      expect(r.items).toEqual({
        main: [0, 1, 2].map((i) => ({ json: { doubled: (i + 1) * 2, index: i, count: 3 }, paired: { item: i } })),
      });
      expect(r.errors).toBeUndefined();
    },
  },
  {
    name: 'a non-empty array fans out into several items, each paired with its origin',
    code: {
      python: 'def execute(args, ctx):\n    return [{"n": args.input["n"], "copy": c} for c in range(args.input["n"])]',
      javascript: 'function execute(args) { return Array.from({ length: args.input.n }, (_, copy) => ({ n: args.input.n, copy })) }',
    },
    request: { items: NUMBERS },
    expect: (r) => {
      expect(r.items['main']?.map((item) => item.paired.item)).toEqual([0, 1, 1, 2, 2, 2]);
      expect(r.items['main']?.map((item) => item.json)).toEqual([
        { n: 1, copy: 0 },
        { n: 2, copy: 0 },
        { n: 2, copy: 1 },
        { n: 3, copy: 0 },
        { n: 3, copy: 1 },
        { n: 3, copy: 2 },
      ]);
    },
  },
  {
    name: 'ctx.emitPorts routes items to named ports; nothing returned puts nothing on main',
    code: {
      python: [
        'def execute(args, ctx):',
        '    n = args.input["n"]',
        '    if n % 2:',
        '        ctx.emit_ports({"odd": [{"json": {"n": n}}], "audit": [{"seen": n}]})',
        '        return None',
        '    return {"even": n}',
      ].join('\n'),
      javascript: [
        'function execute(args, ctx) {',
        '  const { n } = args.input;',
        '  if (n % 2) { ctx.emitPorts({ odd: [{ json: { n } }], audit: [{ seen: n }] }); return; }',
        '  return { even: n };',
        '}',
      ].join('\n'),
    },
    request: { items: NUMBERS },
    expect: (r) => {
      expect(r.items).toEqual({
        main: [{ json: { even: 2 }, paired: { item: 1 } }],
        odd: [
          { json: { n: 1 }, paired: { item: 0 } },
          { json: { n: 3 }, paired: { item: 2 } },
        ],
        audit: [
          { json: { seen: 1 }, paired: { item: 0 } },
          { json: { seen: 3 }, paired: { item: 2 } },
        ],
      });
    },
  },
  {
    name: 'an item-shaped return gives explicit control of binary; a plain return keeps the input binary',
    code: {
      python: [
        'def execute(args, ctx):',
        '    if args.item_index == 0:',
        `        return {"json": {"renamed": True}, "binary": {"report": {"id": "${BLOB_2}", "mime_type": "text/csv"}}}`,
        '    return {"names": sorted(args.item.get("binary", {}))}',
      ].join('\n'),
      javascript: [
        'function execute(args) {',
        `  if (args.itemIndex === 0) return { json: { renamed: true }, binary: { report: { id: "${BLOB_2}", mime_type: "text/csv" } } };`,
        '  return { names: Object.keys(args.item.binary ?? {}).sort() };',
        '}',
      ].join('\n'),
    },
    request: { items: [{ json: {}, binary: { file: { id: BLOB_1 } } }, { json: {}, binary: { file: { id: BLOB_1 } } }] },
    expect: (r) => {
      expect(r.items['main']).toEqual([
        { json: { renamed: true }, binary: { report: { id: BLOB_2, mime_type: 'text/csv' } }, paired: { item: 0 } },
        { json: { names: ['file'] }, binary: { file: { id: BLOB_1 } }, paired: { item: 1 } },
      ]);
    },
  },
  {
    name: 'paired lets a later node merge outputs back onto their input rows, with items filtered out',
    code: {
      python: 'def execute(args, ctx):\n    if args.input["keep"]:\n        return {"score": args.input["id"] * 10}',
      javascript: 'function execute(args) { if (args.input.keep) return { score: args.input.id * 10 } }',
    },
    request: { items: [{ json: { id: 1, keep: true } }, { json: { id: 2, keep: false } }, { json: { id: 3, keep: true } }] },
    expect: (r) => {
      const rows = [1, 2, 3].map((id) => ({ id }));
      const merged = rows.map((row, index) => ({ ...row, ...(r.items['main']?.find((item) => item.paired.item === index)?.json as object) }));
      expect(merged).toEqual([{ id: 1, score: 10 }, { id: 2 }, { id: 3, score: 30 }]);
    },
  },
  {
    name: 'an item that throws fails the execution, naming its index (continue_on_fail off)',
    code: {
      python: 'def execute(args, ctx):\n    if args.item_index == 1:\n        raise ValueError("bad row")\n    return args.input',
      javascript: 'function execute(args) { if (args.itemIndex === 1) throw new Error("bad row"); return args.input }',
    },
    request: { items: NUMBERS },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 1, error: { type: 'exception' }, items: {} });
      expect(r.error?.message).toMatch(/^item 1: .*bad row/);
      expect(r.errors).toEqual([expect.objectContaining({ index: 1, type: 'exception' })]);
    },
  },
  {
    name: 'with continue_on_fail the other items still run and the failing one is in errors with its traceback',
    code: {
      python: 'def execute(args, ctx):\n    if args.item_index == 1:\n        raise ValueError("bad row")\n    return args.input',
      javascript: 'function execute(args) { if (args.itemIndex === 1) throw new Error("bad row"); return args.input }',
    },
    request: { items: NUMBERS, continue_on_fail: true },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 0, error: null });
      expect(r.items['main']).toEqual([
        { json: { n: 1 }, paired: { item: 0 } },
        { json: { n: 3 }, paired: { item: 2 } },
      ]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]).toMatchObject({ index: 1, type: 'exception' });
      expect(r.errors?.[0]?.message).toContain('bad row');
      expect(r.errors?.[0]?.traceback).toContain('bad row');
    },
  },
  {
    name: "output_schema holds each output item's json: a failing one is that item's invalid_output naming the pointer and the rule",
    code: {
      python: 'def execute(args, ctx):\n    n = args.input["n"]\n    return {"count": "two" if n == 2 else n}',
      javascript: 'function execute(args) { const { n } = args.input; return { count: n === 2 ? "two" : n } }',
    },
    request: { items: NUMBERS, continue_on_fail: true, output_schema: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] } },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 0, error: null, output: null });
      expect(r.items['main']).toEqual([
        { json: { count: 1 }, paired: { item: 0 } },
        { json: { count: 3 }, paired: { item: 2 } },
      ]);
      expect(r.errors).toEqual([{ index: 1, type: 'invalid_output', pointer: '/count', rule: 'type', message: expect.stringContaining('output item main[0] /count') }]);
    },
  },
  {
    name: 'output_schema: without continue_on_fail the first failing item fails the execution, with its pointer and rule',
    code: {
      python: 'def execute(args, ctx):\n    return [{"ok": True}, {"ok": args.item_index}]',
      javascript: 'function execute(args) { return [{ ok: true }, { ok: args.itemIndex }] }',
    },
    request: { items: NUMBERS, output_schema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 1, items: {}, error: { type: 'invalid_output', pointer: '/ok', rule: 'type' } });
      expect(r.error?.message).toMatch(/^item 0: output item main\[1\] \/ok: /);
      expect(r.errors?.[0]).toMatchObject({ index: 0, type: 'invalid_output', pointer: '/ok', rule: 'type' });
    },
  },
  {
    name: "input_schema holds each item's json (args.input), coerced when asked: a failing one is that item's invalid_input naming the pointer and the rule",
    code: {
      python: 'def execute(args, ctx):\n    return {"n": args.input["n"], "type": type(args.input["n"]).__name__}',
      javascript: 'function execute(args) { return { n: args.input.n, type: typeof args.input.n } }',
    },
    // No top-level inputs: with items, input_schema describes each item, not `inputs`.
    request: { items: [{ json: { n: '4' } }, { json: { n: 'four' } }, { json: { n: 6 } }], coerce: true, continue_on_fail: true, input_schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 0, error: null, output: null });
      expect(r.items['main']?.map((item) => [item.json, item.paired.item])).toEqual([
        [{ n: 4, type: expect.stringMatching(/^(int|number)$/) }, 0],
        [{ n: 6, type: expect.stringMatching(/^(int|number)$/) }, 2],
      ]);
      expect(r.errors).toEqual([{ index: 1, type: 'invalid_input', pointer: '/n', rule: 'type', message: expect.stringMatching(/^input \/n: .*integer/) }]);
    },
  },
  {
    name: 'input_schema: without continue_on_fail an item that fails it fails the execution before any item runs',
    code: { python: 'def execute(args, ctx):\n    print("ran", args.item_index)\n    return args.input', javascript: 'function execute(args) { console.log("ran", args.itemIndex); return args.input }' },
    request: { items: NUMBERS, input_schema: { type: 'object', properties: { n: { type: 'integer', maximum: 2 } } } },
    expect: (r) => {
      expect(r).toMatchObject({ status: 'completed', return_code: 1, stdout: '', items: {}, error: { type: 'invalid_input', pointer: '/n', rule: 'maximum' } });
      expect(r.error?.message).toMatch(/^item 2: input \/n: /);
    },
  },
  {
    name: 'an empty batch runs nothing',
    code: { python: 'def execute(args, ctx):\n    print("ran")\n    return {}', javascript: 'function execute() { console.log("ran"); return {} }' },
    request: { items: [] },
    expect: (r) => expect(r).toMatchObject({ status: 'completed', return_code: 0, stdout: '', items: { main: [] } }),
  },
  {
    name: 'an empty batch with empty_batch "run_once" calls execute once with an empty item',
    code: {
      python: 'def execute(args, ctx):\n    return {"input": args.input, "index": args.item_index, "items": args.items}',
      javascript: 'function execute(args) { return { input: args.input, index: args.itemIndex, items: args.items } }',
    },
    request: { items: [], empty_batch: 'run_once' },
    expect: (r) => expect(r.items).toEqual({ main: [{ json: { input: {}, index: 0, items: [] }, paired: { item: 0 } }] }),
  },
  {
    name: "every item's stdout is kept, in item order",
    code: {
      python: 'def execute(args, ctx):\n    print("item", args.item_index)\n    return args.input',
      javascript: 'function execute(args) { console.log("item", args.itemIndex); return args.input }',
    },
    request: { items: NUMBERS },
    expect: (r) => expect(r.stdout).toBe('item 0\nitem 1\nitem 2\n'),
  },
  {
    name: 'code without execute is an exception naming what is missing',
    code: { python: 'def main():\n    return 1', javascript: 'function main() { return 1 }' },
    request: { items: NUMBERS },
    expect: (r) => {
      expect(r).toMatchObject({ return_code: 1, error: { type: 'exception' } });
      expect(r.error?.message).toMatch(/^item 0: .*execute\(args, ctx\)/);
    },
  },
];

/** Every (lane, language) pair the registry promises, with the request fields that route to it. */
const TARGETS = laneTargets((['python', 'javascript'] as const).filter((l) => ITEM_LANGUAGES.includes(l)));

describe.each(TARGETS)('items on lane $lane, $language', ({ lane, language, runtime }) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
    app = buildApp({ engine, docs: false });
    await app.ready();
    for (const payload of Object.values(BLOBS)) await app.inject({ method: 'POST', url: '/v1/blobs', headers: { 'content-type': 'text/plain' }, payload });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  it('attachments: an uploaded blob is a file and ctx.binary.get; ctx.binary.attach makes a blob the output item names', async () => {
    const csv = 'name,total\nada,3\n';
    const uploaded = await app.inject({ method: 'POST', url: '/v1/blobs', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(uploaded.statusCode).toBe(201);
    const { id } = uploaded.json() as { id: string };
    const code = {
      python: [
        'def execute(args, ctx):',
        '    text = ctx.binary.get("sheet").decode()',
        '    same = open("/data/binary/%d/sheet" % args.item_index).read() == text',
        '    ref = ctx.binary.attach(name="upper", body=text.upper(), mime_type="text/csv", filename="upper.csv")',
        '    return {"json": {"same": same, "missing": ctx.binary.get("nope")}, "binary": {"sheet": args.item["binary"]["sheet"], "upper": ref}}',
      ].join('\n'),
      javascript: [
        'const fs = require("fs");',
        'async function execute(args, ctx) {',
        '  const text = new TextDecoder().decode(ctx.binary.get("sheet"));',
        '  const same = fs.readFileSync("/data/binary/" + args.itemIndex + "/sheet", "utf8") === text;',
        '  const ref = await ctx.binary.attach({ name: "upper", body: text.toUpperCase(), mimeType: "text/csv", filename: "upper.csv" });',
        '  return { json: { same, missing: ctx.binary.get("nope") ?? null }, binary: { sheet: args.item.binary.sheet, upper: ref } };',
        '}',
      ].join('\n'),
    }[language];
    const res = await post(app, { language, runtime, code, items: [{ json: {}, binary: { sheet: { id } } }] });
    const answer = res.json() as BatchAnswer;
    expect(answer.error).toBeNull();
    const [item] = answer.items['main'] ?? [];
    expect(item?.json).toEqual({ same: true, missing: null });
    expect(item?.binary?.['sheet']).toEqual({ id });
    const upper = item?.binary?.['upper'] as { id: string; size: number; mime_type: string; filename: string };
    expect(upper).toMatchObject({ size: csv.length, mime_type: 'text/csv', filename: 'upper.csv' });
    expect(upper.id).toMatch(/^[0-9a-f]{64}$/);
    // The output envelope carries the reference; the bytes are in the store.
    expect(res.body).not.toContain('NAME,TOTAL');
    const stored = await app.inject({ method: 'GET', url: `/v1/blobs/${upper.id}` });
    expect(stored.body).toBe(csv.toUpperCase());
    expect(stored.headers['content-type']).toBe('text/csv');
  }, 60_000);

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const res = await post(app, { language, runtime, code: testCase.code[language], ...testCase.request });
      expect(res.statusCode).toBe(200);
      const answer = res.json() as BatchAnswer & { environment: { lane: string } };
      expect(answer.environment.lane).toBe(lane);
      testCase.expect(answer);
    }, 60_000);
  }
});

describe('items in the contract', () => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = await createEngine({ workers: { quickjs: 2, cpython: 0, native: 0 } });
    app = buildApp({ engine, docs: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });
  const code = 'function execute(args) { return args.input }';

  it.each([
    ['an item whose json is not an object', [{ json: {} }, { json: {} }, { json: {} }, { json: [1] }], 'items.3.json'],
    ['an item without json', [{ binary: {} }], 'items.0.json'],
    ['an unknown item field', [{ json: {}, extra: 1 }], 'items.0.extra'],
    ['a binary reference without id', [{ json: {}, binary: { file: { mime_type: 'text/plain' } } }], 'items.0.binary.file.id'],
    ['a non-finite number inside an item', [{ json: {} }, { json: { x: { y: null } } }], 'items.1.json.x.y'], // y becomes 1e400 in the text below,
  ])('refuses %s with a 400 naming the field', async (_what, items, field) => {
    const res = await post(app, JSON.stringify({ language: 'javascript', code, items }).replace('"y":null', '"y":1e400'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(fields(res.body)).toContain(field);
  });

  it('refuses more items than the limit, entrypoint "script" with items, and batch options without items', async () => {
    const many = await post(app, { language: 'javascript', code, items: Array.from({ length: 10_001 }, () => ({ json: {} })) });
    expect(many.statusCode).toBe(400);
    expect(fields(many.body)).toContain('items');
    const script = await post(app, { language: 'javascript', code, items: [{ json: {} }], entrypoint: 'script' });
    expect(script.statusCode).toBe(400);
    expect(fields(script.body)).toEqual(['entrypoint']);
    const stray = await post(app, { language: 'javascript', code, continue_on_fail: true });
    expect(stray.statusCode).toBe(400);
    expect(fields(stray.body)).toEqual(['continue_on_fail']);
  });

  it('a bad port name or binary reference from the code is that item\'s invalid_output', async () => {
    const bad = 'function execute(args, ctx) { if (args.itemIndex === 0) ctx.emitPorts({ "no/slash": [{}] }); else return { json: {}, binary: { f: { mime_type: "x" } } } }';
    const res = await post(app, { language: 'javascript', code: bad, items: [{ json: {} }, { json: {} }], continue_on_fail: true });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as BatchAnswer;
    expect(answer.errors?.map((e) => [e.index, e.type])).toEqual([
      [0, 'invalid_output'],
      [1, 'invalid_output'],
    ]);
    expect(answer.errors?.[0]?.message).toContain('port name');
    expect(answer.errors?.[1]?.message).toContain('output.binary.f');
  });

  it('timeout_ms bounds the whole batch: its deadline ends every item still running, naming the first', async () => {
    const res = await post(app, { language: 'javascript', code: 'function execute() { for (;;) {} }', items: [{ json: {} }, { json: {} }, { json: {} }], timeout_ms: 300 });
    expect(res.json()).toMatchObject({ status: 'error', return_code: null, error: { type: 'timeout' }, items: {} });
    expect(res.json().error.message).toMatch(/^item 0: execution exceeded its 300 ms deadline/);
  });

  it("spreads a batch over the lane's workers", async () => {
    const sleepy = 'async function execute(args) { await new Promise((resolve) => setTimeout(resolve, 250)); return { i: args.itemIndex } }';
    const started = performance.now();
    const res = await post(app, { language: 'javascript', code: sleepy, items: [{ json: {} }, { json: {} }, { json: {} }, { json: {} }] });
    const elapsed = performance.now() - started;
    expect(res.json().items.main.map((item: { json: { i: number } }) => item.json.i)).toEqual([0, 1, 2, 3]);
    // Two workers: about 2 x 250 ms, where one after the other would take 4 x 250 ms.
    expect(elapsed).toBeLessThan(900);
  });

  // 60 items on two workers go out in chunks of several items (src/engine/items/run-chunk.ts).
  const LONG = Array.from({ length: 60 }, (_, n) => ({ json: { n } }));
  const numbered = (r: { json: () => unknown }) => r.json() as BatchAnswer;

  it('a long batch (chunked) answers every item in order, with every stdout line in item order', async () => {
    const res = await post(app, { language: 'javascript', code: 'function execute(args) { console.log("item", args.itemIndex); return { n: args.input.n } }', items: LONG });
    const answer = numbered(res);
    expect(answer.items['main']?.map((item) => [item.json, item.paired.item])).toEqual(LONG.map((item, i) => [item.json, i]));
    expect(answer.stdout).toBe(LONG.map((_, i) => `item ${i}\n`).join(''));
  });

  it('in a long batch the first failing item stops it (nothing after it in its chunk starts); with continue_on_fail the rest run', async () => {
    const code = 'function execute(args) { console.log("item", args.itemIndex); if (args.itemIndex === 37) throw new Error("bad row"); return {} }';
    const stopped = numbered(await post(app, { language: 'javascript', code, items: LONG }));
    expect(stopped).toMatchObject({ return_code: 1, error: { type: 'exception' }, items: {} });
    expect(stopped.error?.message).toMatch(/^item 37: /);
    const ran = stopped.stdout.trim().split('\n').map((line) => Number(line.split(' ')[1]));
    expect(ran).toContain(37);
    // The other worker may be busy with its own chunk, but the failing item's chunk starts no item after it.
    expect(ran.filter((i) => i > 37 && i < 40)).toEqual([]);
    const going = numbered(await post(app, { language: 'javascript', code, items: LONG, continue_on_fail: true }));
    expect(going.items['main']).toHaveLength(59);
    expect(going.errors?.map((e) => e.index)).toEqual([37]);
  });

  it('the deadline stops a long batch inside a chunk, naming the item that was running', async () => {
    const code = 'function execute(args) { if (args.itemIndex === 45) for (;;) {} return {} }';
    const res = numbered(await post(app, { language: 'javascript', code, items: LONG, timeout_ms: 1500 }));
    expect(res).toMatchObject({ status: 'error', error: { type: 'timeout' }, items: {} });
    expect(res.error?.message).toMatch(/^item 45: /);
  });

  it('a large attachment leaves the envelope small: the bytes are in the store, the item has its reference', async () => {
    const code = 'function execute(args, ctx) { return { json: {}, binary: { big: ctx.binary.attach({ name: "big", body: "x".repeat(4 * 1024 * 1024), mimeType: "text/plain" }) } } }';
    const res = await post(app, { language: 'javascript', code, items: [{ json: {} }], memory_mb: 128 });
    expect(res.json().error).toBeNull();
    expect(res.body.length).toBeLessThan(4096);
    const big = res.json().items.main[0].binary.big as { id: string; size: number };
    expect(big.size).toBe(4 * 1024 * 1024);
    const head = await app.inject({ method: 'GET', url: `/v1/blobs/${big.id}`, headers: { range: 'bytes=0-9' } });
    expect(head.statusCode).toBe(206);
    expect(head.body).toBe('x'.repeat(10));
  });

  it("the README's example", async () => {
    const example = 'function execute(args, ctx) {\n  if (args.input.total < 0) { ctx.emitPorts({ rejected: [{ json: args.input }] }); return }\n  return { ...args.input, vat: args.input.total * 0.2 }\n}';
    const res = await post(app, { language: 'javascript', code: example, items: [{ json: { total: 100 } }, { json: { total: -5 } }] });
    expect(res.json().items).toEqual({
      main: [{ json: { total: 100, vat: 20 }, paired: { item: 0 } }],
      rejected: [{ json: { total: -5 }, paired: { item: 1 } }],
    });
  });

  it('refuses an item naming a blob that is not in the store with blob_not_found naming the field', async () => {
    const res = await post(app, { language: 'javascript', code, items: [{ json: {} }, { json: {}, binary: { photo: { id: 'f'.repeat(64) } } }] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('blob_not_found');
    expect(fields(res.body)).toEqual(['items.1.binary.photo.id']);
  });

  it('an attachment reference to nothing attached is that item\'s invalid_output', async () => {
    const res = await post(app, { language: 'javascript', code: 'function execute() { return { json: {}, binary: { f: { id: "outbox:never" } } } }', items: [{ json: {} }] });
    expect(res.json()).toMatchObject({ error: { type: 'invalid_output' } });
    expect(res.json().error.message).toContain('ctx.binary.attach');
  });

  it('TypeScript with an exported execute, as a module', async () => {
    const ts = 'export async function execute(args: { input: { n: number } }): Promise<{ n: number }> { await Promise.resolve(); return { n: args.input.n + 1 } }';
    const res = await post(app, { language: 'typescript', code: ts, items: [{ json: { n: 1 } }] });
    expect(res.json().items).toEqual({ main: [{ json: { n: 2 }, paired: { item: 0 } }] });
  });
});
