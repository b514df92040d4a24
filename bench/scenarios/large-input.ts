/**
 * Large payloads: the peak resident memory one 10 MiB request adds to a library process while it runs
 * (the lane's worker threads included), once with only the input large and once with the output too.
 * A baseline row runs the same code on 16 bytes: the CPython lane starts each run in a fresh instance,
 * whose heap is part of every run's peak. (Large input minus baseline) / 10 MiB is roughly how many whole
 * copies of the payload exist at once.
 */
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { rowMaker } from '../measure.js';
import { ISOLA, type Scenario } from '../model.js';

const VARIANTS = { baseline: '16 B in (baseline)', in: '10 MiB in', 'round-trip': '10 MiB in and out' } as const;

export const largeInput: Scenario = {
  id: 'large-input',
  title: 'Peak RSS added by a 10 MiB input (MiB; /10 = copies held at once)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(3, 5);
    const storeDir = await sharedStore(ctx);
    for (const language of ['javascript', 'python'] as const) {
      for (const variant of ['baseline', 'in', 'round-trip'] as const) {
        await row(
          { scenario: this.id, language, subject: ISOLA, variant: VARIANTS[variant], unit: 'MB', note: 'peak RSS while it runs minus RSS before; one request per new process, after a small one' },
          async () => {
            // One measured request per process (see child/isola-engine.ts), so one child per sample.
            const samples: number[] = [];
            for (let i = 0; i < reps; i++) samples.push(...(await runIsolaJob({ mode: 'large-input', language, storeDir, iterations: 1, variant, workers: 1 })).report.samples);
            return samples;
          },
        );
      }
    }
  },
};
