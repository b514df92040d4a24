/**
 * Child process that measures Isola through its library face, so each measurement starts from a clean
 * Node process with a store directory of the harness's choosing.
 * Usage: isola-engine '<IsolaJob JSON>'. Prints one ChildReport JSON line (see report.ts).
 */
import type { Engine, EngineOptions } from '../../src/engine/types.js';
import type { ExecuteRequestInput } from '../../src/contract/request.js';
import type { LaneName } from '../../src/contract/response.js';
import { loadCreateEngine } from '../isola/load.js';
import {
  checkHelloResponse,
  checkLargeInputResponse,
  deadlineRequest,
  largeInputRequest,
  helloRequest,
  laneOf,
  packagesRequest,
  settleLane,
  waitForIdle,
  type IsolaRuntime,
  type LargeInputVariant,
} from '../isola/requests.js';
import type { BenchLanguage } from '../model.js';
import { ownRssMb, peakRssMb, resetPeakRss, treeRssMb } from '../rss.js';
import { DEADLINE_MS } from '../workloads.js';
import { finish, type ChildReport } from './report.js';

export interface IsolaJob {
  /** probe: only report whether the lane can run here (a skip report when it cannot). */
  mode: 'probe' | 'cold' | 'warm' | 'deadline' | 'memory' | 'packages' | 'soak' | 'large-input';
  language: BenchLanguage;
  storeDir: string;
  iterations: number;
  runtime?: IsolaRuntime;
  /** memory: idle workers to hold (the report is the process tree's RSS in MiB). */
  workers?: number;
  /** large-input: the 10 MiB string only goes in, or comes back out too. */
  variant?: LargeInputVariant;
}

const LANES: readonly LaneName[] = ['quickjs', 'cpython', 'native'];

/** Only the measured lane gets workers, so other lanes' start-up and memory stay out of the figure. */
function engineOptions(job: IsolaJob, lane: LaneName): EngineOptions {
  // The soak mixes both Wasm lanes in one engine, as a service runs them.
  if (job.mode === 'soak') return { storeDir: job.storeDir, workers: { quickjs: 2, cpython: 2, native: 0 } };
  const workers: Partial<Record<LaneName, number>> = {};
  for (const other of LANES) if (other !== lane) workers[other] = 0;
  if (job.workers !== undefined) workers[lane] = job.workers;
  // The native lane is off unless sized (createEngine's default is 0).
  else if (lane === 'native') workers[lane] = 2;
  return { storeDir: job.storeDir, workers };
}

async function run(job: IsolaJob): Promise<ChildReport> {
  const createEngine = await loadCreateEngine();
  const lane = laneOf(job.language, job.runtime);
  const started = performance.now();
  const engine = await createEngine(engineOptions(job, lane));
  try {
    await settleLane(engine, lane);
    if (job.mode === 'soak') await settleLane(engine, 'quickjs');
    return await measure(engine, job, lane, started);
  } finally {
    await engine.close({ graceMs: 0 });
  }
}

async function measure(engine: Engine, job: IsolaJob, lane: LaneName, started: number): Promise<ChildReport> {
  const hello = helloRequest(job.language, job.runtime);
  switch (job.mode) {
    case 'probe':
      return { samples: [] };
    case 'cold': {
      checkHelloResponse('isola cold', await engine.execute(hello));
      return { samples: [performance.now() - started] };
    }
    case 'warm': {
      const warmup = Math.max(3, Math.ceil(job.iterations / 10));
      for (let i = 0; i < warmup; i++) checkHelloResponse('isola warm-up', await engine.execute(hello));
      const samples: number[] = [];
      for (let i = 0; i < job.iterations; i++) {
        const t0 = performance.now();
        const response = await engine.execute(hello);
        samples.push(performance.now() - t0);
        checkHelloResponse('isola', response);
      }
      return { samples };
    }
    case 'deadline': {
      const samples: number[] = [];
      for (let i = 0; i < job.iterations; i++) {
        // A stuck guest may cost its worker; measure each deadline from an idle pool, not a refilling one.
        await waitForIdle(engine, lane, 1);
        const t0 = performance.now();
        const response = await engine.execute(deadlineRequest(job.language));
        samples.push(performance.now() - t0 - DEADLINE_MS);
        if (response.error?.type !== 'timeout') {
          throw new Error(`isola deadline: expected error.type timeout, got ${response.status} ${JSON.stringify(response.error)}`);
        }
      }
      return { samples };
    }
    case 'memory': {
      const count = job.workers ?? 2;
      checkHelloResponse('isola memory', await engine.execute(hello));
      await waitForIdle(engine, lane, count);
      // Let restores that run after an execution (reset in place) settle before reading RSS.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The whole process: the scenario subtracts engines of different sizes to get one worker's share.
      return { samples: [treeRssMb()] };
    }
    case 'soak': {
      // Rounds of mixed JavaScript and Python load, 8 at a time; the RSS of the idle process after each.
      const samples: number[] = [];
      for (let round = 0; round < job.iterations; round++) {
        let inflight: Promise<void>[] = [];
        for (let i = 0; i < SOAK_ROUND; i++) {
          const request = SOAK_MIX[i % SOAK_MIX.length]!;
          inflight.push(engine.execute(request).then((response) => {
            if (response.status !== 'completed') throw new Error(`isola soak: ${response.status} ${JSON.stringify(response.error)}`);
          }));
          if (inflight.length === 8) await Promise.all(inflight.splice(0));
        }
        await Promise.all(inflight);
        await waitForIdle(engine, 'cpython', 2);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        samples.push(treeRssMb());
        inflight = [];
      }
      return { samples };
    }
    case 'large-input': {
      // Peak RSS of the whole process (the lane's worker threads live in it) while one request runs,
      // above what it held just before: every copy of the input the host and guest keep at once. Once
      // per process, after a small warm-up request: a second large run would reuse the pages the first
      // one freed (V8 and the guest heap keep them), and show only part of the copies.
      const variant = job.variant ?? 'in';
      checkLargeInputResponse(await engine.execute(largeInputRequest(job.language, 'baseline')), 'baseline');
      const request = largeInputRequest(job.language, variant);
      await waitForIdle(engine, lane, 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      (globalThis as { gc?: () => void }).gc?.();
      const before = ownRssMb();
      if (!resetPeakRss()) throw Object.assign(new Error('cannot reset the peak RSS here (/proc/self/clear_refs)'), { code: 'bench_skip' });
      checkLargeInputResponse(await engine.execute(request), variant);
      const peak = peakRssMb();
      return { samples: [peak - before], extra: { peak: [peak] } };
    }
    case 'packages': {
      const request = packagesRequest(job.language);
      // The lane's base snapshot is not part of an environment build: make sure it exists, untimed.
      checkHelloResponse('isola packages warm-up', await engine.execute(hello));
      const t0 = performance.now();
      const first = await engine.execute(request);
      const firstMs = performance.now() - t0;
      checkHelloResponse('isola packages first build', first);
      const samples: number[] = [];
      for (let i = 0; i < job.iterations; i++) {
        const t1 = performance.now();
        const response = await engine.execute(request);
        samples.push(performance.now() - t1);
        checkHelloResponse('isola packages cached', response);
      }
      return { samples, extra: { first: [firstMs], cacheFirst: [first.environment.cache === 'miss' ? 0 : 1] } };
    }
  }
}

/** Executions per soak round, and what they run: small and allocating jobs in both languages. */
const SOAK_ROUND = 400;
const SOAK_MIX: ExecuteRequestInput[] = [
  { language: 'python', code: 'def main(n: int = 3):\n    return {"s": sum(range(n * 1000))}', inputs: { n: 5 } },
  { language: 'python', code: 'x = [str(i) * 10 for i in range(20000)]\nprint(len(x))' },
  { language: 'javascript', code: 'function main({ n = 3 }) { return { s: Array.from({ length: n * 1000 }, (_, i) => i).reduce((a, b) => a + b) }; }', inputs: { n: 5 } },
  { language: 'javascript', code: 'console.log("x".repeat(100000).length)' },
];

finish(run(JSON.parse(process.argv[2] ?? '{}') as IsolaJob));
