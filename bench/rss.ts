/** Resident memory of a process and all its descendants, read from /proc (Linux). */
import { readFileSync, readdirSync } from 'node:fs';

function readRssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // The process exited between listing and reading.
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // Thread ended while we walked.
    }
  }
  return out;
}

/**
 * RSS in MiB of `pid` and its descendants: a service whose lanes run in child processes (bubblewrap)
 * must be charged for them too. Shared pages are counted once per process, so this errs high.
 */
export function treeRssMb(pid: number = process.pid): number {
  let kb = 0;
  const queue = [pid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const next = queue.shift() as number;
    if (seen.has(next)) continue;
    seen.add(next);
    kb += readRssKb(next);
    queue.push(...childrenOf(next));
  }
  return kb / 1024;
}
