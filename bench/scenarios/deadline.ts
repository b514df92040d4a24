/**
 * Deadline overshoot: a busy loop under a 100 ms deadline. The figure is how long after the deadline
 * the answer came (ms past 100), so lower is better and 0 is perfect.
 */
import { runChild } from '../children.js';
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { pyodideSnapshot } from '../peers/pyodide-stock.js';
import { collectSequential, rowMaker } from '../measure.js';
import { ISOLA, type Scenario } from '../model.js';
import { isolatedVmEvalFresh } from '../peers/isolated-vm.js';
import { vmEvalFresh } from '../peers/node-vm.js';
import { evalFresh, quickjsModule } from '../peers/quickjs-raw.js';
import { runPeer } from '../peers/subprocess.js';
import { BUSY_LOOP, DEADLINE_MS } from '../workloads.js';

export const deadline: Scenario = {
  id: 'deadline',
  title: `Deadline overshoot (busy loop, timeout ${DEADLINE_MS} ms)`,
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(5, 20);
    const storeDir = await sharedStore(ctx);
    for (const language of ['python', 'javascript'] as const) {
      await row({ scenario: this.id, language, subject: ISOLA, variant: '', unit: 'ms', note: 'timeout_ms 100' }, async () =>
        (await runIsolaJob({ mode: 'deadline', language, storeDir, iterations: reps })).report.samples,
      );
    }
    await row({ scenario: this.id, language: 'javascript', subject: 'quickjs-raw', variant: '', unit: 'ms', note: 'interrupt handler' }, async () => {
      const module = await quickjsModule();
      return collectSequential(reps, async () => {
        const started = performance.now();
        const text = evalFresh(module, BUSY_LOOP.javascript, DEADLINE_MS);
        const overshoot = performance.now() - started - DEADLINE_MS;
        if (!text.includes('interrupted')) throw new Error(`quickjs busy loop ended without an interrupt: ${text.slice(0, 200)}`);
        return overshoot;
      });
    });
    await row({ scenario: this.id, language: 'javascript', subject: 'node:vm', variant: '', unit: 'ms', note: 'runInContext timeout' }, () =>
      collectSequential(reps, async () => {
        const started = performance.now();
        try {
          vmEvalFresh(BUSY_LOOP.javascript, DEADLINE_MS);
        } catch (err) {
          if ((err as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
          return performance.now() - started - DEADLINE_MS;
        }
        throw new Error('node:vm busy loop returned');
      }),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'isolated-vm', variant: '', unit: 'ms', note: 'evalSync timeout' }, () =>
      collectSequential(reps, async () => {
        const started = performance.now();
        try {
          isolatedVmEvalFresh(BUSY_LOOP.javascript, DEADLINE_MS);
        } catch (err) {
          if (!/timed out/i.test((err as Error).message)) throw err;
          return performance.now() - started - DEADLINE_MS;
        }
        throw new Error('isolated-vm busy loop returned');
      }),
    );
    await row({ scenario: this.id, language: 'python', subject: 'pyodide-snapshot', variant: '', unit: 'ms', note: 'worker thread, setInterruptBuffer' }, async () => {
      const file = await pyodideSnapshot(ctx);
      // Stock Pyodide's interrupt buffer can miss a bare `while True: pass` (seen 2026-11-22): without a
      // hard stop of its own the child spins forever, so it gets a minute, not the default ten.
      return (await runChild('pyodide-deadline', [file, String(reps)], [], 60_000)).report.samples;
    });
    const killed = [
      ['python', 'python3'],
      ['python', 'bwrap+python3'],
      ['javascript', 'node -e'],
    ] as const;
    for (const [language, peer] of killed) {
      await row({ scenario: this.id, language, subject: peer, variant: '', unit: 'ms', note: 'SIGKILL at 100 ms after spawn' }, () =>
        collectSequential(reps, async () => {
          const result = await runPeer(peer, BUSY_LOOP[language], DEADLINE_MS);
          if (result.signal !== 'SIGKILL') throw new Error(`${peer} busy loop exited by itself (${result.code})`);
          return result.ms - DEADLINE_MS;
        }),
      );
    }
  },
};
