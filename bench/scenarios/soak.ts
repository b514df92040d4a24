/**
 * Memory that stays put: rounds of mixed JavaScript and Python load on one engine (2 workers per Wasm
 * lane), with the idle process tree's RSS sampled after each round. The last round should be within 5%
 * of the first: a service that grows after every load round is leaking, whatever its idle figure.
 */
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type Scenario } from '../model.js';

export const soak: Scenario = {
  id: 'soak',
  title: 'Idle RSS after rounds of mixed load (memory that stays put)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const rounds = ctx.reps(3, 10);
    const storeDir = await sharedStore(ctx);
    let byRound: number[] | undefined;
    const rss = async (): Promise<number[]> => {
      byRound ??= (await runIsolaJob({ mode: 'soak', language: 'python', storeDir, iterations: rounds })).report.samples;
      if (byRound.length === 0) throw new SkipMeasurement('the soak child reported no rounds');
      return byRound;
    };
    const note = (all: number[]) => `rounds of 400 executions at c=8; RSS by round: ${all.map((mb) => Math.round(mb)).join(', ')} MB`;
    await row({ scenario: this.id, language: 'python', subject: ISOLA, variant: 'idle RSS, first round', unit: 'MB', note: 'JS and Python mixed, 2 workers each' }, async () => [(await rss())[0]!]);
    await row({ scenario: this.id, language: 'python', subject: ISOLA, variant: `idle RSS, round ${rounds}`, unit: 'MB', note: note(byRound ?? []) }, async () => [(await rss()).at(-1)!]);
  },
};
