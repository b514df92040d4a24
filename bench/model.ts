/** The shapes every scenario, peer and report shares. */
import type { Stats } from './stats.js';

export type BenchLanguage = 'javascript' | 'python';
export type Unit = 'ms' | 'exec/s' | 'MB';

/** A figure from an issue, printed next to the measurement; never used to fail the run. */
export interface Target {
  op: '<=' | '>=';
  value: number;
  source: string;
}

/** One row of the report: a subject measured on one workload. */
export interface Measurement {
  scenario: string;
  language: BenchLanguage;
  /** `isola` or a peer id such as `python3`, `bwrap+python3`, `node:vm`. */
  subject: string;
  /** Sub-case of the scenario, e.g. `c=8` or `cached run`; rows compare only within a variant. */
  variant: string;
  unit: Unit;
  samples: number[];
  stats: Stats | null;
  target?: Target;
  /** Why a row has no samples (lane unavailable, peer missing) or how to read it. */
  note?: string;
  status: 'ok' | 'skipped' | 'failed';
}

export const ISOLA = 'isola';

/** Lower is better for times and memory; higher is better for throughput. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === 'exec/s';
}

export interface BenchOptions {
  quick: boolean;
  only: string[];
  subjects: string[];
  /** Languages to measure (empty: both). */
  languages: BenchLanguage[];
  /** Overrides every scenario's repetition count (for smoke tests). */
  iterations?: number;
  outDir: string;
  /** Write result files (default true). */
  write: boolean;
}

export interface BenchContext {
  options: BenchOptions;
  /** Repetitions for a measurement whose full-run count is `full` and quick-run count is `quick`. */
  reps(quick: number, full: number): number;
  /** Whether a subject (isola or a peer id) is selected by --subject, and its language by --lang. */
  wants(subject: string, language?: BenchLanguage): boolean;
  /** Scratch directory removed at the end of the run. */
  tmpDir: string;
  log(message: string): void;
  /** Memoised values shared between scenarios (e.g. a Pyodide snapshot file built once). */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext, record: (m: Measurement) => void): Promise<void>;
}
