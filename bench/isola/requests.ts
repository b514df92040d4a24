/** The requests the Isola subject runs, and the checks on its answers. */
import type { ExecuteRequestInput } from '../../src/contract/request.js';
import type { ExecuteResponse, LaneName } from '../../src/contract/response.js';
import type { Engine } from '../../src/engine/types.js';
import type { BenchLanguage } from '../model.js';
import { SkipMeasurement } from '../measure.js';
import { BUSY_LOOP, DEADLINE_MS, HELLO, HELLO_INPUTS, checkHelloValue } from '../workloads.js';

export type IsolaRuntime = 'auto' | 'native';

export function laneOf(language: BenchLanguage, runtime: IsolaRuntime = 'auto'): LaneName {
  if (runtime === 'native') return 'native';
  return language === 'python' ? 'cpython' : 'quickjs';
}

export function helloRequest(language: BenchLanguage, runtime: IsolaRuntime = 'auto'): ExecuteRequestInput {
  return { language, code: HELLO[language], inputs: HELLO_INPUTS, runtime };
}

export function deadlineRequest(language: BenchLanguage): ExecuteRequestInput {
  return { language, code: BUSY_LOOP[language], timeout_ms: DEADLINE_MS };
}

/** Packages for the "with packages" scenario: lodash for JS, three small pure-Python packages. */
export const PACKAGES: Record<BenchLanguage, { packages: string[]; code: string }> = {
  javascript: {
    packages: ['lodash@4.17.21'],
    code: 'const _ = require("lodash");\nfunction main({ name }) {\n  return { greeting: _.join(["hello", name], " ") };\n}\n',
  },
  python: {
    packages: ['six==1.16.0', 'idna==3.7', 'attrs==23.2.0'],
    code: 'import six, idna, attr\n\ndef main(name: str) -> dict:\n    return {"greeting": " ".join(["hello", name])}\n',
  },
};

export function packagesRequest(language: BenchLanguage): ExecuteRequestInput {
  const { packages, code } = PACKAGES[language];
  return { language, code, inputs: HELLO_INPUTS, packages, timeout_ms: 600_000 };
}

/** Serialized size of the large-input scenario's inputs: the contract's default cap, 10 MiB. */
export const LARGE_INPUT_BYTES = 10 * 1024 * 1024;

/**
 * One string of just under 10 MiB in; its length out ("in"), or the string itself back out
 * ("round-trip"): what a workflow passing a document through a code node does.
 */
export type LargeInputVariant = 'in' | 'round-trip' | 'baseline';

/** The input's length: the baseline runs the same code on 16 bytes, to show what any run adds. */
function largeInputLength(variant: LargeInputVariant): number {
  return variant === 'baseline' ? 16 : LARGE_INPUT_BYTES - 16;
}

export function largeInputRequest(language: BenchLanguage, variant: LargeInputVariant): ExecuteRequestInput {
  // A flat string, as JSON.parse makes for a request body: 'x'.repeat builds a rope that V8 would
  // flatten (another whole copy) inside the measured run.
  const text = Buffer.alloc(largeInputLength(variant), 'x').toString('latin1');
  const code =
    language === 'python'
      ? variant !== 'round-trip' ? 'def main(text):\n    return {"n": len(text)}' : 'def main(text):\n    return text'
      : variant !== 'round-trip' ? 'function main({ text }) { return { n: text.length } }' : 'function main({ text }) { return text }';
  return { language, code, inputs: { text }, timeout_ms: 60_000, memory_mb: 1024 };
}

export function checkLargeInputResponse(response: ExecuteResponse, variant: LargeInputVariant): void {
  const expected = largeInputLength(variant);
  const got = variant !== 'round-trip' ? (response.output as { n?: unknown } | null)?.n : typeof response.output === 'string' ? response.output.length : undefined;
  if (response.status !== 'completed' || got !== expected) {
    throw new Error(`isola large input (${variant}): status ${response.status}, error ${JSON.stringify(response.error)}, length ${String(got)}`);
  }
}

export function checkHelloResponse(what: string, response: ExecuteResponse): void {
  if (response.status !== 'completed' || response.return_code !== 0) {
    throw new Error(`${what}: status ${response.status}, return_code ${response.return_code}, error ${JSON.stringify(response.error)}`);
  }
  checkHelloValue(what, response.output);
}

/** Throws SkipMeasurement when the engine says the lane cannot run here. */
export function requireLane(engine: Engine, lane: LaneName): void {
  const readiness = engine.readiness().lanes[lane];
  if (!readiness) throw new SkipMeasurement(`lane unavailable: ${lane} (the engine does not report it)`);
  if (!readiness.available) throw new SkipMeasurement(`lane unavailable: ${lane}${readiness.reason ? ` (${readiness.reason})` : ''}`);
}

/**
 * Waits until the lane either has a ready worker or reports itself unavailable (workers that keep
 * failing to start), then throws SkipMeasurement in the second case. Requests submitted before that
 * would wait in the queue for a worker that may never come.
 */
export async function settleLane(engine: Engine, lane: LaneName, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = engine.readiness().lanes[lane];
    if (!state?.available || state.workers.ready > 0) break;
    if (Date.now() > until) throw new Error(`${lane}: no worker ready after ${timeoutMs} ms (${JSON.stringify(state.workers)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  requireLane(engine, lane);
}

/** Waits until `lane` has at least `count` idle workers and none starting, e.g. after a deadline replaced one. */
export async function waitForIdle(engine: Engine, lane: LaneName, count: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const workers = engine.readiness().lanes[lane]?.workers;
    if (workers && workers.ready >= count && workers.busy === 0 && workers.starting === 0) return;
    if (Date.now() > until) throw new Error(`${lane}: ${count} idle workers not ready after ${timeoutMs} ms (${JSON.stringify(workers)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
