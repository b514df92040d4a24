/**
 * Proof by equivalence for the Wasm lanes (DESIGN.md, "Per-execution state"): after an attack job, a
 * canary job on the SAME worker (an engine with one worker for the lane) must see exactly what the canary
 * of a fresh engine sees. The canaries:
 * - canary/canary.py (CPython lane; also the native lane's): file tree under /, env, cwd, /tmp,
 *   builtins, sys.modules, the namespaces of json/io/os/sys/codecs/random/the lane's own modules,
 *   interpreter hooks (trace, profile, gc callbacks, atexit, codecs, import machinery, stdio), globals;
 * - canary/canary-quickjs.js (QuickJS lane): globalThis and the intrinsics' own property descriptors and
 *   prototypes, the VFS tree, env, behaviour of the common built-ins.
 *
 * Each prints its per-job random values under "random" (random, secrets, uuid4, urandom; Math.random,
 * randomUUID): those must differ from the baseline's, everything else must be identical.
 *
 * Usage: `const lane = useCanaryLane('cpython');` then per test `await lane.attackThenCanary(request)`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { createEngine, type Engine, type EngineOptions, type ExecuteRequestInput, type ExecuteResponse } from '../../src/index.js';

export const PYTHON_CANARY = readFileSync(new URL('canary/canary.py', import.meta.url), 'utf8');
export const QUICKJS_CANARY = readFileSync(new URL('canary/canary-quickjs.js', import.meta.url), 'utf8');

export type WasmLane = 'cpython' | 'quickjs';
type View = Record<string, unknown> & { random: unknown };

const LANGUAGE: Record<WasmLane, 'python' | 'javascript'> = { cpython: 'python', quickjs: 'javascript' };
const CANARY: Record<WasmLane, string> = { cpython: PYTHON_CANARY, quickjs: QUICKJS_CANARY };

/** Parses a canary's stdout; a canary that fails or prints anything else fails the test here. */
export function parseView(response: ExecuteResponse): View {
  expect(response.error, JSON.stringify(response.error)).toBeNull();
  expect(response.stderr).toBe('');
  const lines = response.stdout.split('\n').filter(Boolean);
  expect(lines, 'the canary prints exactly one line').toHaveLength(1);
  return JSON.parse(lines[0]!) as View;
}

/** Checks `view` against `baseline`: identical except for the random values, which must all differ. */
export function expectEquivalent(view: View, baseline: View): void {
  const { random, ...rest } = view;
  const { random: baseRandom, ...baseRest } = baseline;
  expect(rest).toEqual(baseRest);
  expect(Array.isArray(random) && Array.isArray(baseRandom) && random.length === baseRandom.length).toBe(true);
  for (const [i, value] of (random as unknown[]).entries()) expect(value, `random value ${i} repeats another job's`).not.toEqual((baseRandom as unknown[])[i]);
}

export interface CanaryLane {
  engine(): Engine;
  /** Runs a request on the lane (language filled in; short default deadline). */
  run(request: Partial<ExecuteRequestInput> & { code: string }): Promise<ExecuteResponse>;
  /** The canary on the engine under attack, compared with the fresh engine's. */
  expectClean(): Promise<void>;
  /** Workers of the lane the engine under attack restarted (a crash or a deadline kill) so far. */
  restarts(): number;
  /** Runs `request`, then the canary on the same worker; returns the attack's response. */
  attackThenCanary(request: Partial<ExecuteRequestInput> & { code: string }): Promise<ExecuteResponse>;
}

/**
 * One engine under attack (one worker for `lane`) and, before the file's tests, a fresh engine's canary
 * as the baseline. Both engines are closed after the file.
 */
export function useCanaryLane(lane: WasmLane, options: EngineOptions = {}): CanaryLane {
  let engine: Engine | undefined;
  let baseline: View | undefined;
  let restarts = 0;
  const workers = { quickjs: 0, cpython: 0, native: 0, [lane]: 1 };
  const canaryRequest = { language: LANGUAGE[lane], code: CANARY[lane], timeout_ms: 20_000, entrypoint: 'script' as const };
  beforeAll(async () => {
    const fresh = await createEngine({ ...options, workers });
    try {
      baseline = parseView(await fresh.execute(canaryRequest));
    } finally {
      await fresh.close({ graceMs: 1000 });
    }
    engine = await createEngine({
      ...options,
      workers,
      maxWorkers: { [lane]: 1 },
      onEvent: (event) => {
        if (event.type === 'worker_restart' && event.lane === lane) restarts++;
        options.onEvent?.(event);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await engine?.close({ graceMs: 1000 });
  });
  const get = () => {
    if (!engine) throw new Error('engine not started');
    return engine;
  };
  const run: CanaryLane['run'] = (request) => get().execute({ language: LANGUAGE[lane], timeout_ms: 1500, ...request });
  const expectClean = async () => {
    if (!baseline) throw new Error('the canary baseline is taken in beforeAll');
    expectEquivalent(parseView(await get().execute(canaryRequest)), baseline);
  };
  return {
    engine: get,
    run,
    expectClean,
    restarts: () => restarts,
    async attackThenCanary(request) {
      const response = await run(request);
      await expectClean();
      return response;
    },
  };
}
