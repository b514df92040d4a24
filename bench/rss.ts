/** Resident memory of a process and all its descendants, read from /proc (Linux). */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

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

function statusKb(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`/proc/self/status has no ${field}`);
  return Number(match[1]);
}

/** This process's resident memory now, in MiB (worker threads included: they share it). */
export function ownRssMb(): number {
  return statusKb('VmRSS') / 1024;
}

/** The highest RSS this process reached since start or the last resetPeakRss(), in MiB. */
export function peakRssMb(): number {
  return statusKb('VmHWM') / 1024;
}

/** Start a new peak from the current RSS (Linux: "5" to clear_refs resets VmHWM). False where refused. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
