/**
 * First execution in a new process on a machine that already has the snapshot on disk: `isola run
 * hello.py` from spawn to exit, against peers that start a fresh process per execution anyway.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild } from '../children.js';
import { emptyStore, runIsolaJob, sharedStore } from '../isola/jobs.js';
import { collectSequential, rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchContext, type BenchLanguage, type Scenario } from '../model.js';
import { pyodideSnapshot } from '../peers/pyodide-stock.js';
import { helloOnce } from '../peers/subprocess.js';
import { expectSuccess, repoRoot, runProcess } from '../process.js';
import { HELLO, HELLO_INPUTS, checkHelloValue } from '../workloads.js';

const FILE: Record<BenchLanguage, string> = { python: 'hello.py', javascript: 'hello.js' };

/** Runs `isola run <file>` in `dir` once and returns the wall clock; checks the printed response. */
async function isolaRun(dir: string, storeDir: string, language: BenchLanguage): Promise<number> {
  const bin = join(repoRoot(), 'bin', 'isola.js');
  if (!existsSync(bin)) throw new SkipMeasurement('Isola CLI not built yet (bin/isola.js)');
  const result = await runProcess(process.execPath, [bin, 'run', FILE[language], '--inputs', JSON.stringify(HELLO_INPUTS)], {
    cwd: dir,
    // createEngine reads ISOLA_STORE_DIR when no storeDir option is given: a store of this run's own.
    env: { ...process.env, ISOLA_STORE_DIR: storeDir },
    killAfterMs: 120_000,
  });
  if (result.signal === 'SIGKILL') throw new Error('isola run did not finish within 120 s');
  const response = JSON.parse(expectSuccess('isola run', result)) as { output?: unknown };
  checkHelloValue('isola run', response.output);
  return result.ms;
}

async function prepareDir(ctx: BenchContext, language: BenchLanguage): Promise<{ dir: string; storeDir: string }> {
  const dir = await emptyStore(ctx, `cli-${language}`);
  const storeDir = join(dir, 'snapshots');
  await mkdir(storeDir, { recursive: true });
  await writeFile(join(dir, FILE[language]), HELLO[language]);
  return { dir, storeDir };
}

export const newProcess: Scenario = {
  id: 'new-process',
  title: 'First execution in a new process, snapshot on disk',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(3, 20);
    for (const language of ['python', 'javascript'] as const) {
      await row({ scenario: this.id, language, subject: ISOLA, variant: '', unit: 'ms', note: `isola run ${FILE[language]}` }, async () => {
        const { dir, storeDir } = await prepareDir(ctx, language);
        try {
          await isolaRun(dir, storeDir, language); // Builds the snapshot on disk; not timed.
        } catch (err) {
          // The CLI's exit code cannot tell "lane unavailable" from a bug; the library can (a skip).
          await runIsolaJob({ mode: 'probe', language, storeDir: await sharedStore(ctx), iterations: 0 });
          throw err;
        }
        return collectSequential(reps, () => isolaRun(dir, storeDir, language));
      });
    }
    await row(
      { scenario: this.id, language: 'python', subject: 'pyodide-snapshot', variant: '', unit: 'ms', note: 'new process, loadPyodide({_loadSnapshot})' },
      async () => {
        const file = await pyodideSnapshot(ctx);
        return collectSequential(ctx.reps(2, 10), async () => (await runChild('pyodide-peer', ['restore', file, '1'])).ms);
      },
    );
    for (const peer of ['python3', 'bwrap+python3'] as const) {
      await row({ scenario: this.id, language: 'python', subject: peer, variant: '', unit: 'ms' }, () =>
        collectSequential(reps, () => helloOnce(peer, HELLO.python)),
      );
    }
    await row({ scenario: this.id, language: 'javascript', subject: 'node -e', variant: '', unit: 'ms' }, () =>
      collectSequential(reps, () => helloOnce('node -e', HELLO.javascript)),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'quickjs-raw', variant: '', unit: 'ms', note: 'new node process loading quickjs' }, () =>
      collectSequential(reps, async () => (await runChild('quickjs-peer', ['once'])).ms),
    );
  },
};
