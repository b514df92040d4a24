/** Running Isola library measurements in a child process (see child/isola-engine.ts). */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild, type ChildRun } from '../children.js';
import type { IsolaJob } from '../child/isola-engine.js';
import type { BenchContext } from '../model.js';

export type { IsolaJob };

export function runIsolaJob(job: IsolaJob): Promise<ChildRun> {
  return runChild('isola-engine', [JSON.stringify(job)], job.mode === 'memory' || job.mode === 'large-input' ? ['--expose-gc'] : []);
}

/** A new, empty store directory: nothing cached, as on a fresh machine. */
export function emptyStore(ctx: BenchContext, label: string): Promise<string> {
  return mkdtemp(join(ctx.tmpDir, `store-${label}-`));
}

/** One store shared by the warm scenarios, so snapshots are built once per run. */
export function sharedStore(ctx: BenchContext): Promise<string> {
  return ctx.shared('isola-store', () => emptyStore(ctx, 'shared'));
}
