/**
 * Runs one sandbox command line to its end: fd 0 from a file, stdout/stderr and the runner's result pipe
 * (fd 3) captured with caps, SIGKILL to the whole process group at the deadline.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { CappedBytes } from './capped-bytes.js';
import { killGroup } from './host-setup.js';

/** How long a job killed at its deadline may take to close its pipes before its answer is returned. */
const KILL_GRACE_MS = 100;

export interface SandboxedRun {
  argv: string[];
  stdinPath: string;
  /** File handed to the child open at fd 4 (the seccomp filter), if any. */
  fd4Path?: string;
  /** Absolute deadline, Date.now() clock. */
  deadline: number;
  stdoutBytes: number;
  stderrBytes: number;
  resultBytes: number;
  /** Aborting it kills the process group as the deadline does (the caller cancelled). */
  signal?: AbortSignal;
  /** Called with the pid (= pgid) while the process runs, and with undefined when it is over. */
  track(pid: number, running: boolean): void;
  /** Live output: each kept stdout/stderr chunk as the child writes it. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void;
}

export interface SandboxedEnd {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: CappedBytes;
  stderr: CappedBytes;
  result: CappedBytes;
  runMs: number;
}

export async function runSandboxed(run: SandboxedRun): Promise<SandboxedEnd> {
  const stdin = await open(run.stdinPath, 'r');
  const fd4 = run.fd4Path ? await open(run.fd4Path, 'r') : undefined;
  const onOutput = run.onOutput;
  const stdout = new CappedBytes(run.stdoutBytes, onOutput && ((chunk) => onOutput('stdout', chunk)));
  const stderr = new CappedBytes(run.stderrBytes, onOutput && ((chunk) => onOutput('stderr', chunk)));
  const result = new CappedBytes(run.resultBytes);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  let pid: number | undefined;
  let onAbort: (() => void) | undefined;
  const spawnedAt = Date.now();
  try {
    const [file, ...args] = run.argv;
    const child = spawn(file ?? '', args, {
      stdio: [stdin.fd, 'pipe', 'pipe', 'pipe', ...(fd4 ? [fd4.fd] : [])],
      detached: true, // own process group, so the deadline kill reaches bwrap and all it started
      env: { PATH: '/usr/bin:/bin' }, // not even bwrap sees the service's environment
    });
    pid = child.pid;
    if (pid !== undefined) run.track(pid, true);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdio[3]?.on('data', (chunk: Buffer) => result.push(chunk));
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolveExit, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolveExit({ code, signal }));
      const stop = () => {
        if (timedOut) return;
        timedOut = true;
        if (pid !== undefined) killGroup(pid);
        // Tearing down a pid namespace full of busy processes can take a while on a loaded host; the
        // answer does not wait for it (the kernel finishes the job, the job dir goes regardless).
        grace = setTimeout(() => resolveExit({ code: null, signal: 'SIGKILL' }), KILL_GRACE_MS);
      };
      timer = setTimeout(stop, Math.max(0, run.deadline - Date.now()));
      onAbort = stop;
      if (run.signal?.aborted) stop();
      else run.signal?.addEventListener('abort', stop, { once: true });
    });
    return { ...exit, timedOut, stdout, stderr, result, runMs: Date.now() - spawnedAt };
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    if (onAbort) run.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) run.track(pid, false);
    await stdin.close();
    await fd4?.close();
  }
}
