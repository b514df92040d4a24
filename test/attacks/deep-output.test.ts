// Guest output built to break the host's serialiser: a return value, output.json or stdout nested 5,000
// or 100,000 levels deep, in every lane and language, through the real HTTP face. JSON.parse on the host
// copes; the recursive JSON.stringify that writes the response does not, which used to answer 500
// `internal`. Now the envelope refuses such output as `invalid_output` and the lane keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/contract/limits.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { LANES } from '../../src/lanes/registry.js';
import { buildApp } from '../../src/server/app.js';
import { post } from '../server/helpers.js';
import { laneTargets } from '../conformance/lane-targets.js';

type Language = 'python' | 'javascript';

const returnDeep = (depth: number): Record<Language, string> => ({
  python: `def main():\n    v = []\n    for _ in range(${depth}):\n        v = [v]\n    return v\n`,
  javascript: `function main() { let v = []; for (let i = 0; i < ${depth}; i++) v = [v]; return v; }`,
});
// Written as text: the guest's own serialiser would refuse the value long before 100,000 levels.
const fileDeep = (depth: number): Record<Language, string> => ({
  python: `open("output.json", "w").write("[" * ${depth} + "]" * ${depth})\n`,
  javascript: `require("fs").writeFileSync("output.json", "[".repeat(${depth}) + "]".repeat(${depth}));`,
});
const stdoutDeep = (depth: number): Record<Language, string> => ({
  python: `print("[" * ${depth} + "]" * ${depth})\n`,
  javascript: `console.log("[".repeat(${depth}) + "]".repeat(${depth}));`,
});

const TARGETS = laneTargets(['python', 'javascript'] as const);

describe('output nested too deep', () => {
  let engine: Engine;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((lane) => [lane.name, 1]));
    engine = await createEngine({ workers, maxWorkers: workers });
    app = buildApp({ engine, docs: false });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });

  describe.each(TARGETS)('lane $lane, $language', ({ lane, language, runtime }) => {
    const execute = (code: string) => post(app, { language, runtime, code, timeout_ms: 30_000 });

    it.each([5_000, 100_000])("main's return value %i deep is invalid_output, not a 500", async (depth) => {
      const res = await execute(returnDeep(depth)[language]);
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      const body = res.json();
      expect(body.environment.lane).toBe(lane);
      // The guest's own serialiser may give up first (RecursionError, stack overflow): a typed result either way.
      expect(['invalid_output', 'exception']).toContain(body.error?.type);
      expect(body.status).toBe('completed');
      expect(body.return_code).not.toBe(0);
      expect(body.output).toBeNull();
      expect(JSON.stringify(body).length).toBeLessThan(200_000);
    }, 60_000);

    it('output.json 100,000 deep is invalid_output naming the limit', async () => {
      const res = await execute(fileDeep(100_000)[language]);
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      const body = res.json();
      expect(body.error).toMatchObject({ type: 'invalid_output', message: expect.stringContaining(`the limit is ${LIMITS.jsonDepth}`) });
      expect(body.output).toBeNull();
    }, 60_000);

    it('stdout 100,000 deep is kept as text, not offered as JSON', async () => {
      const res = await execute(stdoutDeep(100_000)[language]);
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ status: 'completed', return_code: 0, error: null, output: null });
      expect(body).not.toHaveProperty('stdout_json');
      expect(body.stdout.length).toBe(200_001);
    }, 60_000);

    it('output at the depth limit still comes back', async () => {
      const depth = LIMITS.jsonDepth;
      const res = await execute(fileDeep(depth)[language]);
      const body = res.json();
      expect(body.error, JSON.stringify(body.error)).toBeNull();
      let levels = 0;
      for (let v: unknown = body.output; Array.isArray(v); v = v[0]) levels++;
      expect(levels).toBe(depth);
    }, 60_000);
  });
});
