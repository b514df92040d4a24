/**
 * The native lane: each job is its own CPython process inside bubblewrap, started from the engine's host
 * process (no worker thread: the sandbox is the OS's). This is the lane's only file that imports `node:`.
 *
 * Per job: a host temp dir with job.json and inputs.json (bound read-only at /isola/job), fd 0 = inputs,
 * stdout/stderr captured up to job.limits (past the cap, read and dropped: see capped-bytes.ts), the
 * runner's result on fd 3 (see runtimes/python/isola_native.py), and at the deadline SIGKILL to the whole
 * process group; bwrap's pid namespace takes every process the guest started down with it.
 *
 * When the service runs as root, bubblewrap runs as an unprivileged host uid (options.hostUid, default
 * 65534): the kernel exempts uid 0 from RLIMIT_NPROC. Job files are chowned to it; the driver's runtime
 * and /etc files are world-readable (they hold nothing secret). The interpreter must be readable by it.
 *
 * Options: see native-options.ts. GuestEnvironment.spec.venv: a venv dir whose bin/python runs the job.
 */
import { spawn, execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, open, readdir, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CreateDriver, DriverHost, GuestJob, GuestResult, LaneDriver } from '../lane.js';
import { CappedBytes } from './capped-bytes.js';
import { jobOutcome } from './job-outcome.js';
import { SANDBOX_JOBDIR, SANDBOX_RUNTIMES, sandboxArgv, sandboxEnv, type SandboxLayout, type SandboxLimits } from './sandbox-args.js';
import { nativeOptions, type NativeOptions } from './native-options.js';

const RUNTIME_FILES = ['python/isola_runner.py', 'python/isola_native.py'];
const ROOT_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const ETC_PATHS = ['/etc/ld.so.cache', '/etc/localtime', '/etc/alternatives', '/etc/ssl', '/etc/protocols', '/etc/services', '/etc/mime.types'];
/** Slack on fd 3 over the two output-sized fields it carries (return value, output.json) for tracebacks. */
const RESULT_SLACK_BYTES = 4 * 1024 * 1024;
/** How long a job killed at its deadline may take to close its pipes before its result is returned. */
const KILL_GRACE_MS = 100;

export const createDriver: CreateDriver = async (host, config) => NativeDriver.create(host, nativeOptions(config.options));

interface Availability {
  available: boolean;
  reason?: string;
  pythonVersion?: string;
}

class NativeDriver implements LaneDriver {
  readonly lane = 'native' as const;
  private readonly running = new Set<number>();
  private disposed = false;

  private constructor(
    private readonly options: NativeOptions,
    private readonly driverDir: string,
    private readonly layout: Omit<SandboxLayout, 'jobDir'>,
    private readonly availability: Availability,
  ) {}

  static async create(host: DriverHost, options: NativeOptions): Promise<NativeDriver> {
    const driverDir = await mkdtemp(join(tmpdir(), 'isola-native-'));
    try {
      const runtimesDir = join(driverDir, 'runtimes');
      await mkdir(join(runtimesDir, 'python'), { recursive: true });
      for (const file of RUNTIME_FILES) await writeFile(join(runtimesDir, file), host.runtimeFile(file));
      // The sandbox cannot write bytecode (read-only bind, -B); compile once here to save it per job.
      await execCapture(options.python, ['-s', '-m', 'compileall', '-q', runtimesDir]);
      const layout = {
        bwrap: options.bwrap,
        prlimit: options.prlimit,
        root: await rootEntries(),
        etcFiles: await etcFiles(driverDir),
        runtimesDir,
        readOnly: await interpreterPrefixes(options.python),
      };
      await makeReadable(driverDir);
      const driver = new NativeDriver(options, driverDir, layout, { available: false });
      Object.assign(driver.availability, await driver.probe());
      host.log(driver.availability.available ? 'info' : 'warn', 'native lane probed', { ...driver.availability });
      return driver;
    } catch (error) {
      await rm(driverDir, { recursive: true, force: true });
      throw error;
    }
  }

  describe(): Record<string, unknown> {
    return {
      ...this.availability,
      sandbox: 'bubblewrap',
      rings: { os_sandbox: this.availability.available, scrubbed_env: true },
      limits: { tmpfsMb: this.options.tmpfsMb, processes: this.options.processes, openFiles: this.options.openFiles },
      running: this.running.size,
    };
  }

  async run(job: GuestJob): Promise<GuestResult> {
    if (!this.availability.available || this.disposed) {
      const reason = this.disposed ? 'the driver was disposed' : this.availability.reason;
      return unavailableResult(job, `The native lane (bubblewrap) is unavailable on this host: ${reason}`);
    }
    const started = Date.now();
    const jobDir = await mkdtemp(join(tmpdir(), 'isola-job-'));
    try {
      const spec = { code: job.code, filename: job.filename, mode: job.mode, output_limit: job.limits.outputBytes, inputs_path: `${SANDBOX_JOBDIR}/inputs.json` };
      await writeFile(join(jobDir, 'job.json'), JSON.stringify(spec));
      await writeFile(join(jobDir, 'inputs.json'), job.inputsJson);
      const owner = this.hostIdentity();
      if (owner) {
        for (const path of [jobDir, join(jobDir, 'job.json'), join(jobDir, 'inputs.json')]) await chown(path, owner.uid, owner.gid);
      }
      return await this.spawnJob(job, jobDir, started);
    } finally {
      await rm(jobDir, { recursive: true, force: true });
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const pid of this.running) killGroup(pid);
    await rm(this.driverDir, { recursive: true, force: true });
  }

  private async spawnJob(job: GuestJob, jobDir: string, started: number): Promise<GuestResult> {
    const venv = typeof job.environment?.spec['venv'] === 'string' ? job.environment.spec['venv'] : undefined;
    const python = venv ? `${venv}/bin/python` : this.options.python;
    const layout: SandboxLayout = { ...this.layout, jobDir, readOnly: venv ? [...this.layout.readOnly, venv] : this.layout.readOnly };
    const command = [python, '-s', '-B', `${SANDBOX_RUNTIMES}/python/isola_native.py`, `${SANDBOX_JOBDIR}/job.json`];
    const argv = sandboxArgv(layout, this.limitsFor(job), sandboxEnv(randomInt(1, 2 ** 32 - 1)), command);
    const stdin = await open(join(jobDir, 'inputs.json'), 'r');
    const stdout = new CappedBytes(job.limits.stdoutBytes);
    const stderr = new CappedBytes(job.limits.stderrBytes);
    const result = new CappedBytes(job.limits.outputBytes * 2 + RESULT_SLACK_BYTES);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let pid: number | undefined;
    try {
      const spawnedAt = Date.now();
      const child = spawn(argv[0] ?? this.options.prlimit, argv.slice(1), {
        stdio: [stdin.fd, 'pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so the deadline kill reaches bwrap and all it started
        env: { PATH: '/usr/bin:/bin' }, // not even bwrap or prlimit see the service's environment
        ...this.hostIdentity(),
      });
      pid = child.pid;
      if (pid !== undefined) this.running.add(pid);
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      const resultPipe = child.stdio[3];
      resultPipe?.on('data', (chunk: Buffer) => result.push(chunk as Uint8Array));
      const exit = await new Promise<{ code: number | null; signal: string | null }>((resolveExit, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolveExit({ code, signal }));
        timer = setTimeout(() => {
          timedOut = true;
          if (pid !== undefined) killGroup(pid);
          // Tearing down a pid namespace full of busy processes can take a while on a loaded host; the
          // answer does not wait for it (the kernel finishes the job, the sandbox dir goes regardless).
          grace = setTimeout(() => resolveExit({ code: null, signal: 'SIGKILL' }), KILL_GRACE_MS);
        }, Math.max(0, job.deadline - Date.now()));
      });
      const runMs = Date.now() - spawnedAt;
      return jobOutcome(job, { ...exit, timedOut, result, stdout, stderr, setupMs: spawnedAt - started, runMs });
    } finally {
      clearTimeout(timer);
      clearTimeout(grace);
      if (pid !== undefined) this.running.delete(pid);
      await stdin.close();
    }
  }

  private limitsFor(job: GuestJob): SandboxLimits {
    const tmpfsBytes = this.options.tmpfsMb * 1024 * 1024;
    return {
      cpuSeconds: job.timeoutMs / 1000 + 1,
      addressSpaceBytes: job.memoryBytes + this.options.memoryOverheadMb * 1024 * 1024,
      processes: this.options.processes,
      fileSizeBytes: tmpfsBytes,
      openFiles: this.options.openFiles,
      tmpfsBytes,
    };
  }

  /** The host uid/gid to run the sandbox as, or undefined to keep the service's own (it is not root). */
  private hostIdentity(): { uid: number; gid: number } | undefined {
    return process.getuid?.() === 0 ? { uid: this.options.hostUid, gid: this.options.hostGid } : undefined;
  }

  /** bwrap itself (the brief's self-test), then the real sandbox running the interpreter. */
  private async probe(): Promise<Availability> {
    const identity = this.hostIdentity();
    const bare = await execCapture(this.options.bwrap, ['--ro-bind', '/', '/', '--unshare-all', 'true'], identity);
    if (!bare.ok) return { available: false, reason: `${this.options.bwrap} failed its self-test: ${bare.message}` };
    const jobDir = await mkdtemp(join(tmpdir(), 'isola-probe-'));
    try {
      if (identity) await chown(jobDir, identity.uid, identity.gid);
      const limits: SandboxLimits = { cpuSeconds: 10, addressSpaceBytes: 512 * 1024 * 1024, processes: 16, fileSizeBytes: 1 << 20, openFiles: 64, tmpfsBytes: 1 << 20 };
      const argv = sandboxArgv({ ...this.layout, jobDir }, limits, sandboxEnv(1), [this.options.python, '-s', '-B', '-c', 'import sys; print(sys.version.split()[0])']);
      const inside = await execCapture(argv[0] ?? '', argv.slice(1), identity);
      if (!inside.ok) return { available: false, reason: `${this.options.python} does not start inside the sandbox: ${inside.message}` };
      return { available: true, pythonVersion: inside.stdout.trim() };
    } finally {
      await rm(jobDir, { recursive: true, force: true });
    }
  }
}

function unavailableResult(job: GuestJob, message: string): GuestResult {
  return {
    exitCode: 1,
    mode: job.mode === 'auto' ? 'script' : job.mode,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    failure: { type: 'package_unavailable', message },
    cache: 'miss',
    setupMs: 0,
    runMs: 0,
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: the group ended on its own between the deadline and now.
  }
}

function execCapture(
  file: string,
  args: string[],
  identity?: { uid: number; gid: number },
): Promise<{ ok: boolean; stdout: string; message: string }> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' }, ...identity }, (error, stdout, stderr) => {
      const message = (String(stderr).trim() || (error ? error.message : '')).slice(0, 500);
      done({ ok: error === null, stdout: String(stdout), message });
    });
  });
}

/** Directories 0755 and files 0644 under `dir`: the unprivileged sandbox uid reads them through binds. */
async function makeReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

/** /usr and the top-level paths that point into it, as this host has them. */
async function rootEntries(): Promise<SandboxLayout['root']> {
  const entries: SandboxLayout['root'] = [];
  for (const path of ROOT_PATHS) {
    try {
      const stat = await lstat(path);
      if (stat.isSymbolicLink()) entries.push({ kind: 'symlink', path, target: await readlink(path) });
      else if (stat.isDirectory()) entries.push({ kind: 'ro-bind', path });
    } catch {
      // Not on this host (e.g. /lib32): nothing to mirror.
    }
  }
  return entries;
}

/** A minimal /etc: a passwd and group naming the sandbox user, hosts for localhost, and a few host files. */
async function etcFiles(driverDir: string): Promise<[string, string][]> {
  const etcDir = join(driverDir, 'etc');
  await mkdir(etcDir);
  const own: Record<string, string> = {
    passwd: 'root:x:0:0:root:/root:/usr/sbin/nologin\nisola:x:10000:10000:isola:/tmp:/usr/sbin/nologin\n',
    group: 'root:x:0:\nisola:x:10000:\n',
    hosts: '127.0.0.1 localhost isola\n::1 localhost\n',
  };
  const files: [string, string][] = [];
  for (const [name, text] of Object.entries(own)) {
    await writeFile(join(etcDir, name), text);
    files.push([join(etcDir, name), `/etc/${name}`]);
  }
  for (const path of ETC_PATHS) {
    try {
      files.push([await realpath(path), path]);
    } catch {
      // Missing on this host: the guest does without it.
    }
  }
  return files;
}

/** Install prefixes of the interpreter that lie outside /usr (pyenv, a venv's base), bound read-only. */
async function interpreterPrefixes(python: string): Promise<string[]> {
  const found = await execCapture(python, ['-s', '-c', 'import sys; print(sys.prefix); print(sys.base_prefix)']);
  if (!found.ok) return [];
  const prefixes = new Set(found.stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0));
  const outside = [...prefixes].filter((prefix) => !prefix.startsWith('/usr/') && prefix !== '/usr').map((prefix) => resolve(prefix));
  return [...new Set(outside)];
}
