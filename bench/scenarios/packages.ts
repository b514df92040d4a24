/**
 * With packages: the first build of an environment (install, bundle or snapshot) and the cached run
 * after it. JS: lodash. Python: three small pure-Python packages. Peers: a pip venv driven by python3,
 * and npm install driven by node -e, each spawning a fresh interpreter per cached run.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { PACKAGES } from '../isola/requests.js';
import { collectSequential, rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchContext, type Scenario } from '../model.js';
import { python3Path } from '../peers/native-tools.js';
import { expectSuccess, runProcess } from '../process.js';
import { HELLO_INPUTS, checkHello, nodeHarness, pythonHarness } from '../workloads.js';

const FIRST = 'first build';
const CACHED = 'cached run';

async function venvBuild(ctx: BenchContext): Promise<{ dir: string; ms: number }> {
  const dir = await mkdtemp(join(ctx.tmpDir, 'venv-'));
  const started = performance.now();
  expectSuccess('python3 -m venv', await runProcess(python3Path(), ['-m', 'venv', dir]));
  expectSuccess(
    'pip install',
    await runProcess(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PACKAGES.python.packages]),
  );
  return { dir, ms: performance.now() - started };
}

async function npmBuild(ctx: BenchContext): Promise<{ dir: string; ms: number }> {
  const dir = await mkdtemp(join(ctx.tmpDir, 'npm-'));
  const started = performance.now();
  expectSuccess(
    'npm install',
    await runProcess('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, ...PACKAGES.javascript.packages], { cwd: dir }),
  );
  return { dir, ms: performance.now() - started };
}

export const packages: Scenario = {
  id: 'packages',
  title: 'With packages (first build, then cached runs)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    // One build per run: a second build of the same environment in the same store would be a cache hit,
    // and a fresh store per build would also time the base snapshot, which is cold-start's business.
    const cached = ctx.reps(6, 50);
    for (const language of ['python', 'javascript'] as const) {
      let first: number[] = [];
      const note = PACKAGES[language].packages.join(', ');
      const m = await row({ scenario: this.id, language, subject: ISOLA, variant: CACHED, unit: 'ms', note }, async () => {
        const { report } = await runIsolaJob({ mode: 'packages', language, storeDir: await sharedStore(ctx), iterations: cached });
        first = report.extra?.first ?? [];
        return report.samples;
      });
      if (m) {
        await row({ scenario: this.id, language, subject: ISOLA, variant: FIRST, unit: 'ms', note: m.status === 'ok' ? note : (m.note ?? '') }, async () => {
          // The first build and the cached runs come from one child run: they share its fate.
          if (m.status === 'skipped') throw new SkipMeasurement(m.note ?? 'not measured');
          if (m.status === 'failed') throw new Error(m.note ?? 'not measured');
          return first;
        });
      }
    }

    const peerFirst: Record<string, number[]> = {};
    await row({ scenario: this.id, language: 'python', subject: 'venv+python3', variant: CACHED, unit: 'ms', note: 'pip install into a venv; python3 -I per run' }, async () => {
      const { dir, ms } = await venvBuild(ctx);
      peerFirst.python = [ms];
      return collectSequential(cached, async () => {
        const result = await runProcess(join(dir, 'bin', 'python'), ['-I', '-c', pythonHarness(PACKAGES.python.code)], { input: JSON.stringify(HELLO_INPUTS) });
        checkHello('venv python', expectSuccess('venv python', result));
        return result.ms;
      });
    });
    await row({ scenario: this.id, language: 'javascript', subject: 'npm+node -e', variant: CACHED, unit: 'ms', note: 'npm install; node -e per run' }, async () => {
      const { dir, ms } = await npmBuild(ctx);
      peerFirst.javascript = [ms];
      return collectSequential(cached, async () => {
        const result = await runProcess(process.execPath, ['-e', nodeHarness(PACKAGES.javascript.code)], { cwd: dir, input: JSON.stringify(HELLO_INPUTS) });
        checkHello('node -e lodash', expectSuccess('node -e lodash', result));
        return result.ms;
      });
    });
    for (const [language, subject] of [['python', 'venv+python3'], ['javascript', 'npm+node -e']] as const) {
      if (!ctx.wants(subject, language)) continue;
      await row({ scenario: this.id, language, subject, variant: FIRST, unit: 'ms', note: 'host registry caches may be warm' }, async () => {
        const first = peerFirst[language];
        if (!first) throw new Error('build not measured');
        return first;
      });
    }
  },
};
