/** Child processes for measurements: wall-clock timing, bounded output, guaranteed cleanup. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall clock from spawn() to the 'close' event. */
  ms: number;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process after this many ms (the result then has signal SIGKILL). */
  killAfterMs?: number;
}

const OUTPUT_CAP = 4 * 1024 * 1024;

/** Children still running, so an interrupted run can stop them (they run in their own groups). */
const live = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('close', () => live.delete(child));
}

/** Kills every child process group this harness started and that is still running. */
export function killAllChildren(): void {
  for (const child of live) killGroup(child);
}

export function runProcess(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a kill reaches grandchildren (bwrap's python) too.
      detached: true,
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_CAP) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < OUTPUT_CAP) stderr += chunk;
    });
    const timer =
      options.killAfterMs === undefined ? undefined : setTimeout(() => killGroup(child), options.killAfterMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
    // EPIPE when the child exits before reading stdin is expected, not a failure of the run.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** Throws with the process's stderr when it did not exit 0; returns its stdout. */
export function expectSuccess(what: string, result: ProcessResult): string {
  if (result.code !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} exited ${result.code ?? result.signal}: ${tail}`);
  }
  return result.stdout;
}

/** The last line of stdout parsed as JSON: how child scripts report back. */
export function lastJsonLine<T>(what: string, result: ProcessResult): T {
  const lines = expectSuccess(what, result).trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as T;
  } catch (cause) {
    throw new Error(`${what} printed no JSON result: ${last.slice(0, 200)}`, { cause });
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Node arguments that run one of bench/child/<name>: the compiled .js under dist, or the .ts source
 * through tsx when the harness itself runs from source (vitest, tsx).
 */
export function childScriptArgs(name: string): string[] {
  const js = join(here, 'child', `${name}.js`);
  if (existsSync(js)) return [js];
  return ['--import', 'tsx', join(here, 'child', `${name}.ts`)];
}

/** The repository root (the directory holding package.json above bench/ or dist/bench/). */
export function repoRoot(): string {
  let dir = here;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${here}`);
    dir = parent;
  }
}

export interface ServiceChild<T> {
  /** The first JSON line the child printed (its port, or a skip report). */
  info: T;
  pid: number;
  /** Closes the child's stdin (its signal to shut down), then kills it if it lingers. */
  stop(): Promise<void>;
}

/** Starts a long-running node child (a server) and waits for its first JSON line on stdout. */
export function startServiceChild<T>(args: readonly string[], options: { cwd?: string; readyTimeoutMs?: number } = {}): Promise<ServiceChild<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    track(child);
    let buffered = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    const stop = async (): Promise<void> => {
      child.stdin.end();
      const timer = setTimeout(() => killGroup(child), 15_000);
      await exited;
      clearTimeout(timer);
    };
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(readyTimer);
      killGroup(child);
      reject(err);
    };
    const readyTimer = setTimeout(() => fail(new Error(`service child not ready after ${options.readyTimeoutMs ?? 180_000} ms: ${stderr.slice(-500)}`)), options.readyTimeoutMs ?? 180_000);
    child.stdin.on('error', () => {});
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8192);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const trimmed = line.trim();
        if (!trimmed.startsWith('{')) continue;
        settled = true;
        clearTimeout(readyTimer);
        try {
          resolve({ info: JSON.parse(trimmed) as T, pid: child.pid as number, stop });
        } catch (err) {
          killGroup(child);
          reject(err as Error);
        }
        return;
      }
    });
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`service child exited ${code} before it was ready: ${stderr.slice(-1000)}`)));
  });
}
