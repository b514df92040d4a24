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
