/**
 * `isola bench` / `npm run bench`: runs the scenarios, prints the table, writes JSON and SVG results.
 * Exit code: 0 when every row was measured or skipped for a stated reason, 1 when a row failed,
 * 2 on bad arguments. Absolute times never change the exit code.
 */
import { realpathSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineLine } from './machine.js';
import type { BenchContext, BenchOptions, Measurement } from './model.js';
import { USAGE, parseBenchArgs } from './options.js';
import { killAllChildren } from './process.js';
import { renderSvg } from './report/svg-chart.js';
import { renderSummary } from './report/summary.js';
import { renderTable } from './report/table.js';
import { buildResult, writeResults } from './report/write.js';
import { SCENARIOS, SUBJECTS } from './scenarios/index.js';

function makeContext(options: BenchOptions, tmpDir: string, log: (message: string) => void): BenchContext {
  const memo = new Map<string, Promise<unknown>>();
  return {
    options,
    tmpDir,
    log,
    reps: (quick, full) => options.iterations ?? (options.quick ? quick : full),
    wants: (subject, language) =>
      (options.subjects.length === 0 || options.subjects.includes(subject)) &&
      (language === undefined || options.languages.length === 0 || options.languages.includes(language)),
    shared<T>(key: string, make: () => Promise<T>): Promise<T> {
      let value = memo.get(key) as Promise<T> | undefined;
      if (!value) {
        value = make();
        memo.set(key, value);
        // A failed build is not cached: the next scenario that needs it tries again.
        value.catch(() => memo.delete(key));
      }
      return value;
    },
  };
}

export async function runBench(argv: string[]): Promise<number> {
  const parsed = parseBenchArgs(argv);
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === 'list') {
    for (const s of SCENARIOS) console.log(`${s.id.padEnd(12)} ${s.title}`);
    console.log(`\nsubjects: ${SUBJECTS.join(', ')}`);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`isola bench: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  const unknown = options.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    console.error(`isola bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const selected = SCENARIOS.filter((s) => options.only.length === 0 || options.only.includes(s.id));
  const startedAt = new Date();
  const t0 = performance.now();
  const log = (message: string): void => {
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
  };
  const machine = describeMachine();
  log(`isola bench${options.quick ? ' --quick' : ''} on ${machineLine(machine)}`);
  const rows: Measurement[] = [];
  const tmpDir = await mkdtemp(join(os.tmpdir(), 'isola-bench-'));
  // Children run in their own process groups, out of reach of the terminal's Ctrl-C: stop them here.
  const onSignal = (signal: NodeJS.Signals): void => {
    killAllChildren();
    rmSync(tmpDir, { recursive: true, force: true });
    process.stderr.write(`isola bench: stopped by ${signal}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const ctx = makeContext(options, tmpDir, log);
    for (const scenario of selected) {
      log(`${scenario.id}: ${scenario.title}`);
      try {
        await scenario.run(ctx, (m) => rows.push(m));
      } catch (err) {
        // Rows catch their own errors; this is a scenario's set-up failing, which is a bug to report.
        log(`${scenario.id}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        rows.push({ scenario: scenario.id, language: 'javascript', subject: 'harness', variant: '', unit: 'ms', samples: [], stats: null, status: 'failed', note: String(err) });
      }
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await rm(tmpDir, { recursive: true, force: true });
  }
  const finishedAt = new Date();
  const command = `isola bench ${argv.join(' ')}`.trim();
  const markdown = [
    `\`${command}\` on ${machineLine(machine)}, ${startedAt.toISOString()}`,
    '',
    renderSummary(rows),
    '',
    renderTable(rows),
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  if (options.write) {
    const result = buildResult(rows, { startedAt, finishedAt, command, options, machine });
    const files = await writeResults(
      options.outDir,
      result,
      renderSvg(rows, `${command} — ${machine.cores} cores, Node ${machine.node}, ${startedAt.toISOString()}`),
      markdown,
    );
    console.log(`\nwrote ${files.join(', ')}`);
  }
  const failed = rows.filter((m) => m.status === 'failed').length;
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s${failed ? `, ${failed} failed rows` : ''}`);
  return failed > 0 ? 1 : 0;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runBench(process.argv.slice(2)).then(
    // Exit explicitly once stdout has drained: a peer's leftover handle must not keep the run alive.
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
