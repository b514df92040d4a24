/** Order statistics over repeated runs. Pure functions, no I/O. */

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  /** First and third quartiles: the interquartile range is the spread we print. */
  q1: number;
  q3: number;
  mean: number;
}

/** Linear interpolation between closest ranks (the "R-7" definition numpy and Excel use). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Summary of a sample, or null when there is nothing to summarise. */
export function summarize(samples: readonly number[]): Stats | null {
  const finite = samples.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, x) => acc + x, 0);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    mean: sum / sorted.length,
  };
}
