/** Turning repeated runs into report rows, with skips and failures as values rather than crashes. */
import { summarize } from './stats.js';
import { targetFor } from './targets.js';
import type { BenchContext, Measurement } from './model.js';

/** Thrown by a collector when its subject cannot run here (lane unavailable, tool missing). */
export class SkipMeasurement extends Error {
  readonly code = 'bench_skip';
}

export type RowSpec = Pick<Measurement, 'scenario' | 'language' | 'subject' | 'variant' | 'unit'> & { note?: string };

/** Times `fn` `iterations` times in sequence after `warmup` untimed calls; returns milliseconds. */
export async function timeSequential(iterations: number, warmup: number, fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Collects `iterations` samples from `fn`, which returns its own measured value. */
export async function collectSequential(iterations: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await fn(i));
  return samples;
}

export type RowFn = (spec: RowSpec, collect: () => Promise<number[]>) => Promise<Measurement | undefined>;

/**
 * Binds a scenario's recorder: each call measures one row unless --subject filters it out, and turns
 * SkipMeasurement into a skipped row and any other error into a failed row, so one broken subject never
 * loses the rest of the run.
 */
export function rowMaker(ctx: BenchContext, record: (m: Measurement) => void): RowFn {
  return async (spec, collect) => {
    if (!ctx.wants(spec.subject, spec.language)) return undefined;
    const label = `${spec.scenario} ${spec.language} ${spec.subject}${spec.variant ? ` ${spec.variant}` : ''}`;
    ctx.log(`  ${label} ...`);
    const target = targetFor(spec);
    const base = { ...spec, ...(target ? { target } : {}) };
    let m: Measurement;
    try {
      const samples = await collect();
      m = { ...base, samples, stats: summarize(samples), status: 'ok' };
    } catch (err) {
      const skipped = err instanceof SkipMeasurement;
      const message = err instanceof Error ? err.message : String(err);
      ctx.log(`  ${label}: ${skipped ? 'skipped' : 'FAILED'}: ${message}`);
      m = { ...base, samples: [], stats: null, status: skipped ? 'skipped' : 'failed', note: message };
    }
    record(m);
    return m;
  };
}
