/**
 * Memory per idle pre-restored instance: RSS (of the process tree) added by each instance that sits
 * ready to run, and for Isola's Python lane the whole process with two idle workers (issue 3's target).
 */
import { spawn } from 'node:child_process';
import { runChild } from '../children.js';
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { rowMaker, collectSequential, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchLanguage, type Scenario } from '../model.js';
import { peerCommand, type SubprocessPeer } from '../peers/subprocess.js';
import { pyodideSnapshot } from '../peers/pyodide-stock.js';
import { killGroup, track } from '../process.js';
import { treeRssMb } from '../rss.js';

const PER_INSTANCE = 'per idle instance';
const WORKERS = 2;

/** Code that announces itself and then waits on stdin: an idle interpreter, ready for work. */
const IDLE: Record<BenchLanguage, string> = {
  python: 'import sys\nprint("ready", flush=True)\nsys.stdin.read()\ndef main(): pass\n',
  javascript: 'console.log("ready"); process.stdin.resume();\nfunction main() {}\n',
};

/** RSS of one idle interpreter process (and its sandbox wrapper, if any). */
function idleProcessRss(peer: SubprocessPeer, language: BenchLanguage): Promise<number> {
  return new Promise((resolve, reject) => {
    const [command, args] = peerCommand(peer, IDLE[language]);
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], detached: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    track(child);
    child.on('error', reject);
    child.stdout.setEncoding('utf8').once('data', () => {
      const mb = treeRssMb(child.pid as number);
      killGroup(child);
      resolve(mb);
    });
    child.on('close', (code) => reject(new Error(`${peer} exited ${code} before it was ready`)));
  });
}

export const memory: Scenario = {
  id: 'memory',
  title: 'Memory per idle pre-restored instance (RSS)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(1, 3);
    const storeDir = await sharedStore(ctx);
    for (const language of ['python', 'javascript'] as const) {
      const totals: number[] = [];
      const totalOf = async (workers: number): Promise<number> => {
        const { report } = await runIsolaJob({ mode: 'memory', language, storeDir, iterations: 1, workers });
        const total = report.samples[0];
        if (total === undefined) throw new Error('memory child reported no total');
        return total;
      };
      const m = await row(
        { scenario: this.id, language, subject: ISOLA, variant: PER_INSTANCE, unit: 'MB', note: `RSS with ${WORKERS} idle workers - RSS with 1 (separate processes)` },
        () =>
          collectSequential(reps, async () => {
            // The difference between two engines is what one more idle worker costs, without the
            // engine's fixed share (loaded modules, compiled Wasm) that a single engine would fold in.
            const one = await totalOf(1);
            const two = await totalOf(WORKERS);
            totals.push(two);
            return (two - one) / (WORKERS - 1);
          }),
      );
      if (language === 'python' && m) {
        const spec = { scenario: this.id, language, subject: ISOLA, variant: `service RSS, ${WORKERS} idle workers`, unit: 'MB' as const, note: 'library process with the engine, whole process tree' };
        await row(spec, async () => {
          if (m.status === 'skipped') throw new SkipMeasurement(m.note ?? 'not measured');
          if (m.status === 'failed') throw new Error(m.note ?? 'not measured');
          return totals;
        });
      }
    }
    await row({ scenario: this.id, language: 'python', subject: 'pyodide-snapshot', variant: PER_INSTANCE, unit: 'MB', note: 'extra loadPyodide({_loadSnapshot}) instances in one process' }, async () => {
      const file = await pyodideSnapshot(ctx);
      return collectSequential(reps, async () => (await runChild('pyodide-peer', ['memory', file, String(WORKERS)], ['--expose-gc'])).report.samples[0] ?? Number.NaN);
    });
    for (const peer of ['python3', 'bwrap+python3'] as const) {
      await row({ scenario: this.id, language: 'python', subject: peer, variant: PER_INSTANCE, unit: 'MB', note: 'one idle process' }, () =>
        collectSequential(reps, () => idleProcessRss(peer, 'python')),
      );
    }
    await row({ scenario: this.id, language: 'javascript', subject: 'node -e', variant: PER_INSTANCE, unit: 'MB', note: 'one idle process' }, () =>
      collectSequential(reps, () => idleProcessRss('node -e', 'javascript')),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'quickjs-raw', variant: PER_INSTANCE, unit: 'MB', note: '50 held runtime+context pairs' }, () =>
      collectSequential(reps, async () => (await runChild('quickjs-peer', ['memory', '50'], ['--expose-gc'])).report.samples[0] ?? Number.NaN),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'node:vm', variant: PER_INSTANCE, unit: 'MB', note: '50 held contexts' }, () =>
      collectSequential(reps, async () => (await runChild('quickjs-peer', ['vm-memory', '50'], ['--expose-gc'])).report.samples[0] ?? Number.NaN),
    );
  },
};
