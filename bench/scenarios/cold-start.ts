/**
 * Cold start: a new process, nothing cached anywhere (Isola gets an empty store), until the first
 * hello-world answer. Wall clock of the whole process.
 */
import { runChild } from '../children.js';
import { emptyStore, runIsolaJob } from '../isola/jobs.js';
import { collectSequential, rowMaker } from '../measure.js';
import { ISOLA, type BenchLanguage, type Scenario } from '../model.js';

export const coldStart: Scenario = {
  id: 'cold-start',
  title: 'Cold start (new process, empty store)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(1, 3);
    for (const language of ['python', 'javascript'] as const satisfies readonly BenchLanguage[]) {
      await row({ scenario: this.id, language, subject: ISOLA, variant: '', unit: 'ms' }, () =>
        collectSequential(reps, async () => {
          const storeDir = await emptyStore(ctx, `cold-${language}`);
          return (await runIsolaJob({ mode: 'cold', language, storeDir, iterations: 1 })).ms;
        }),
      );
    }
    await row({ scenario: this.id, language: 'python', subject: 'pyodide', variant: '', unit: 'ms', note: 'loadPyodide() then run' }, () =>
      collectSequential(reps, async () => (await runChild('pyodide-peer', ['cold'])).ms),
    );
    await row(
      { scenario: this.id, language: 'javascript', subject: 'quickjs-raw', variant: '', unit: 'ms', note: 'load module, new runtime+context, run' },
      () => collectSequential(reps, async () => (await runChild('quickjs-peer', ['once'])).ms),
    );
  },
};
