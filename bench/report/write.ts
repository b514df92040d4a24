/** Result files: <timestamp>.{json,svg,md} and latest.{json,svg,md}, written atomically. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Machine } from '../machine.js';
import type { BenchOptions, Measurement } from '../model.js';
import { groupKey, ratioFor } from './compare.js';

export interface BenchResult {
  format: 'isola-bench/1';
  started_at: string;
  finished_at: string;
  command: string;
  quick: boolean;
  machine: Machine;
  measurements: (Measurement & { isola_ratio?: number })[];
}

export function buildResult(rows: readonly Measurement[], meta: { startedAt: Date; finishedAt: Date; command: string; options: BenchOptions; machine: Machine }): BenchResult {
  const groups = new Map<string, Measurement[]>();
  for (const m of rows) groups.set(groupKey(m), [...(groups.get(groupKey(m)) ?? []), m]);
  return {
    format: 'isola-bench/1',
    started_at: meta.startedAt.toISOString(),
    finished_at: meta.finishedAt.toISOString(),
    command: meta.command,
    quick: meta.options.quick,
    machine: meta.machine,
    measurements: rows.map((m) => {
      const ratio = ratioFor(m, groups.get(groupKey(m)) ?? []);
      return ratio ? { ...m, isola_ratio: ratio.value } : { ...m };
    }),
  };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/** Writes the JSON, SVG and Markdown under a timestamped name and as latest.*; returns the paths written. */
export async function writeResults(outDir: string, result: BenchResult, svg: string, markdown: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const stamp = result.started_at.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const files: string[] = [];
  for (const name of [stamp, 'latest']) {
    await writeAtomic(join(outDir, `${name}.json`), json);
    await writeAtomic(join(outDir, `${name}.svg`), svg);
    await writeAtomic(join(outDir, `${name}.md`), markdown);
    files.push(join(outDir, `${name}.json`), join(outDir, `${name}.svg`), join(outDir, `${name}.md`));
  }
  return files;
}
