/**
 * Runs an installer (npm, pip, python) as a child process: argv array (never a shell), scrubbed
 * environment, captured output with a cap, a wall-clock timeout and abort that kill the whole process
 * group (npm and pip spawn children of their own).
 */
import { spawn } from 'node:child_process';

export interface ProcessOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** spawn itself failed (e.g. ENOENT): the executable is missing. */
  spawnError?: NodeJS.ErrnoException;
  elapsedMs: number;
}

export interface RunProcessOptions {
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Per-stream capture cap; the tail is kept, since installers print their errors last. */
  maxOutputBytes?: number;
}

// Variables an installer legitimately needs (cache location, proxies, CA bundles, its own config).
// Everything else (secrets of the host process) stays out of the child's environment.
const PASS_EXACT = new Set([
  'PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'PYENV_ROOT', 'PYENV_VERSION',
]);
const PASS_PREFIXES = ['npm_config_', 'NPM_CONFIG_', 'PIP_'];

export function installerEnv(source: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (PASS_EXACT.has(key) || PASS_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  return { ...env, ...extra };
}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap && this.chunks.length > 1) {
      const dropped = this.chunks.shift();
      this.size -= dropped?.length ?? 0;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.cap)).toString('utf8');
  }
}

export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  const cap = options.maxOutputBytes ?? 256 * 1024;
  return new Promise((resolve) => {
    const stdout = new TailBuffer(cap);
    const stderr = new TailBuffer(cap);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    // detached: the child leads its own process group, so one kill reaches npm's and pip's children too.
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? installerEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        aborted,
        elapsedMs: performance.now() - started,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Describes an outcome that is not a clean exit, for messages. */
export function outcomeSummary(command: string, outcome: ProcessOutcome, timeoutMs: number): string {
  if (outcome.spawnError) return `${command} could not be started (${outcome.spawnError.code ?? 'error'})`;
  if (outcome.timedOut) return `${command} did not finish within ${Math.round(timeoutMs / 1000)} s (build timeout)`;
  if (outcome.aborted) return `${command} was cancelled`;
  if (outcome.signal) return `${command} was killed by ${outcome.signal}`;
  return `${command} exited with code ${outcome.code}`;
}
