/**
 * The native lane: each job is its own CPython (or Node) process inside bubblewrap, started from the
 * engine's host process (no worker thread: the sandbox is the OS's).
 *
 * Per job: a host temp dir with job.json and inputs.json (bound read-only at /isola/job), a scratch tmpfs
 * with a byte and an inode cap for /work, /tmp and /dev/shm together, mounted by the launcher in a mount
 * namespace of its own (launcher.ts), a cgroup v2 group where the host delegates one (job-cgroups.ts),
 * fd 0 = inputs,
 * stdout/stderr captured up to job.limits (past the cap, read and dropped: see capped-bytes.ts), the
 * runner's result on fd 3 (runtimes/python/isola_native.py, runtimes/native/runner.mjs), and at the
 * deadline SIGKILL to the whole process group; bwrap's pid namespace takes every process the guest
 * started down with it (sandboxed-process.ts). The policy itself is in sandbox-args.ts.
 *
 * When the service runs as root, bubblewrap runs as an unprivileged host uid (options.hostUid, default
 * 65534; the launcher drops to it after mounting the scratch and joining the cgroup): the kernel exempts
 * uid 0 from RLIMIT_NPROC. Job files are chowned to it; the driver's runtime
 * and /etc files are world-readable (they hold nothing secret). The interpreters must be readable by it.
 *
 * Options: native-options.ts. GuestEnvironment.spec (from src/environments): { venv } for Python (its
 * bin/python runs the job), { nodeModules } for JavaScript (bound at /node_modules), and { prebuild }:
 * code run once per environment whose leftover files start every job's /work; with { prebuildLanguage:
 * 'bash' } it is a shell script (shell-prebuild.ts), and the venv it installed into runs later jobs.
 */
import { randomInt } from 'node:crypto';
import { chmod, chown, copyFile, link, mkdir, mkdtemp, readdir, readFile, realpath, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateDriver, DriverHost, GuestJob, GuestResult, LaneDriver } from '../lane.js';
import { guestCommand, ITEMS_FILE, OUTBOX_SCRATCH, runtimeOf, type NativeRuntime } from './guest-command.js';
import {
  etcFiles,
  execCapture,
  interpreterPrefixes,
  killGroup,
  makeReadable,
  reachableBy,
  rootEntries,
  venvBasePrefix,
  type HostIdentity,
} from './host-setup.js';
import { detectCgroups, JobCgroup, type CgroupSupport } from './job-cgroups.js';
import { jobOutcome } from './job-outcome.js';
import { COPY_FAILED_EXIT_CODE, LAUNCH_FAILED_EXIT_CODE, launcherArgv, type LaunchPlan } from './launcher.js';
import { PrebuildCache } from './prebuild-cache.js';
import { ALLOWED_SOCKET_FAMILIES, REFUSED_SYSCALLS, seccompFilter } from './seccomp-filter.js';
import { jobEgress, type NativeEgressProxy } from './native-egress.js';
import { nativeOptions, type NativeOptions } from './native-options.js';
import { SANDBOX_NODE, SCRATCH_MOUNTS, sandboxArgv, sandboxEnv, type SandboxLayout, type SandboxLimits } from './sandbox-args.js';
import { runSandboxed, type SandboxedEnd } from './sandboxed-process.js';
import { SHELL_SHIMS, shellPrebuildCommand } from './shell-prebuild.js';

const RUNTIME_FILES = ['python/isola_runner.py', 'python/isola_items.py', 'python/isola_typed_args.py', 'python/isola_native.py', 'python/isola_import_hooks.py', 'python/isola_shell.py', 'python/isola.py', 'python/intellectible_execution.py', 'native/runner.mjs', 'quickjs/lib/project_data.js', 'quickjs/lib/intellectible_sdk.js', 'shared/explain-json.js', 'shared/batch-item.js', ...Object.keys(SHELL_SHIMS)];
/** Slack on fd 3 over the two output-sized fields it carries (return value, output.json) for tracebacks. */
const RESULT_SLACK_BYTES = 4 * 1024 * 1024;

/**
 * DriverHost plus the egress proxy the native lane needs for jobs with an allow-list. Until lane.ts
 * carries `egressProxy`, the edge passes a host object with this extra member.
 */
export interface NativeDriverHost extends DriverHost {
  egressProxy?: NativeEgressProxy;
}

export const createDriver: CreateDriver = async (host, config) => NativeDriver.create(host, nativeOptions(config.options, process.execPath));

type Availability = { available: true; version: string } | { available: false; reason: string };

class NativeDriver implements LaneDriver {
  readonly lane = 'native' as const;
  private readonly running = new Set<number>();
  private readonly runtimes: Partial<Record<NativeRuntime, Availability>> = {};
  private readonly prebuilds: PrebuildCache;
  /** Base interpreter prefix of each venv seen ('' when under /usr), bound read-only with the venv. */
  private readonly venvBases = new Map<string, string>();
  private disposed = false;
  /** The file of each batch's items (args.items), written once per batch and linked into every item's job dir. */
  private readonly itemsFiles = new WeakMap<Uint8Array, Promise<string>>();
  private readonly itemsFilesGone = new FinalizationRegistry<string>((path) => void rm(path, { force: true }));
  private itemsFileCount = 0;

  private constructor(
    private readonly options: NativeOptions,
    private readonly driverDir: string,
    private readonly layout: Omit<SandboxLayout, 'jobDir' | 'scratchDir'>,
    private readonly egressProxy: NativeEgressProxy | undefined,
    private readonly cgroups: CgroupSupport,
    prebuildRoot: string,
    private readonly output: DriverHost['output'],
  ) {
    const runAndCopy = (job: GuestJob, outDir: string, shell?: { venv: string | undefined }): Promise<GuestResult> =>
      this.runSandboxed(job, undefined, outDir, undefined, shell);
    this.prebuilds = new PrebuildCache(prebuildRoot, this.hostIdentity(), options.prebuildTimeoutMs, runAndCopy);
  }

  static async create(host: DriverHost, given: NativeOptions): Promise<NativeDriver> {
    const driverDir = await mkdtemp(join(tmpdir(), 'isola-native-'));
    try {
      // The sandbox runs as another uid: a Node binary under a private directory (a checkout in a 0700
      // mktemp dir) is bound by path but cannot be reached there. Such a binary is copied next to the
      // runtime files, which are made readable below.
      const options = (await othersCanRun(given.node)) ? given : { ...given, node: await copyNode(given.node, driverDir) };
      const runtimesDir = join(driverDir, 'runtimes');
      for (const file of RUNTIME_FILES) {
        await mkdir(join(runtimesDir, file, '..'), { recursive: true });
        await writeFile(join(runtimesDir, file), host.runtimeFile(file));
      }
      // The sandbox cannot write bytecode (read-only bind, -B); compile once here to save it per job.
      await execCapture(options.python, ['-s', '-m', 'compileall', '-q', join(runtimesDir, 'python')]);
      const help = await execCapture(options.bwrap, ['--help']);
      const filter = seccompFilter(process.arch);
      if (filter) await writeFile(join(driverDir, 'seccomp.bpf'), filter);
      const layout = {
        disableUserns: help.stdout.includes('--disable-userns'),
        ...(filter ? { seccompFile: join(driverDir, 'seccomp.bpf') } : {}),
        bwrap: options.bwrap,
        prlimit: options.prlimit,
        root: await rootEntries(),
        etcFiles: await etcFiles(driverDir),
        runtimesDir,
        readOnly: (await interpreterPrefixes(options.python)).map((path): [string, string] => [path, path]),
      };
      await makeReadable(driverDir);
      await installShims(runtimesDir);
      if (options.node !== given.node) await chmod(options.node, 0o755);
      const privileged = process.getuid?.() === 0;
      const cgroups = await detectCgroups(privileged, options.cgroupParent);
      const prebuildRoot = await prebuildStore(options, driverDir, privileged ? { uid: options.hostUid, gid: options.hostGid } : undefined);
      if (options.storeDir && !prebuildRoot.startsWith(options.storeDir)) {
        host.log('warn', 'native prebuilds are kept per process: the sandbox uid cannot reach the store directory', { storeDir: options.storeDir, uid: options.hostUid });
      }
      const driver = new NativeDriver(options, driverDir, layout, (host as NativeDriverHost).egressProxy, cgroups, prebuildRoot, host.output?.bind(host));
      await driver.probe();
      host.log(driver.runtimes.python?.available ? 'info' : 'warn', 'native lane probed', { ...driver.describe() });
      return driver;
    } catch (error) {
      await rm(driverDir, { recursive: true, force: true });
      throw error;
    }
  }

  describe(): Record<string, unknown> {
    const python = this.runtimes.python;
    return {
      available: python?.available ?? false,
      ...(python?.available === false ? { reason: python.reason } : {}),
      sandbox: 'bubblewrap',
      runtimes: this.runtimes,
      rings: { os_sandbox: python?.available ?? false, scrubbed_env: true },
      nestedUserNamespaces: this.layout.disableUserns ? 'disabled' : 'allowed (bwrap < 0.8)',
      seccomp: this.layout.seccompFile ? { refused: REFUSED_SYSCALLS, socketFamilies: ALLOWED_SOCKET_FAMILIES } : `none on ${process.arch}`,
      egress: this.egressProxy ? 'proxy' : 'none',
      limits: { tmpfsMb: this.options.tmpfsMb, processes: this.options.processes, openFiles: this.options.openFiles },
      scratch: { bytes: this.options.tmpfsMb * 1024 * 1024, inodes: this.options.tmpfsInodes, mounts: SCRATCH_MOUNTS.map(([, inside]) => inside) },
      cgroups: this.cgroups,
      prebuilds: this.prebuilds.rootDir,
      running: this.running.size,
    };
  }

  async run(job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    const runtime = runtimeOf(job);
    const availability = this.runtimes[runtime];
    if (this.disposed || availability === undefined || !availability.available) {
      const reason = this.disposed ? 'the driver was disposed' : availability === undefined ? 'not probed' : availability.available ? '' : availability.reason;
      return unavailableResult(job, `The native lane (bubblewrap, ${runtime}) is unavailable on this host: ${reason}`);
    }
    const started = Date.now();
    const unreachable = await this.unreachableEnvironment(job);
    if (unreachable) return unavailableResult(job, unreachable);
    const prebuild = await this.prebuilds.get(job);
    if (prebuild && !prebuild.ok) return { ...prebuild.result, setupMs: Date.now() - started };
    // A batch item's outbox (ctx.binary.attach) is copied out of the scratch after the run, as a prebuild's /work is.
    const outDir = job.batch ? await mkdtemp(join(tmpdir(), 'isola-outbox-')) : undefined;
    try {
      const identity = this.hostIdentity();
      if (outDir && identity) await chown(outDir, identity.uid, identity.gid);
      const result = await this.runSandboxed(prebuild?.venv ? this.inPrebuiltVenv(job, prebuild.venv) : job, prebuild?.dir, outDir, signal);
      const attachments = outDir && !result.failure && result.exitCode === 0 ? await readOutbox(join(outDir, OUTBOX_SCRATCH)) : undefined;
      return { ...result, ...(attachments ? { attachments } : {}), setupMs: Date.now() - started - result.runMs, cache: prebuild?.built ? 'miss' : result.cache };
    } finally {
      if (outDir) await rm(outDir, { recursive: true, force: true });
    }
  }

  /**
   * Binds for the job's environment that the sandbox user cannot reach (a venv built with a Python under
   * /root, say), as a message; undefined when everything is reachable. Also records the venv's base
   * interpreter prefix, bound read-only when it lies outside /usr.
   */
  private async unreachableEnvironment(job: GuestJob): Promise<string | undefined> {
    const identity = this.hostIdentity();
    for (const key of ['venv', 'nodeModules']) {
      const path = job.environment?.spec[key];
      if (typeof path !== 'string') continue;
      const paths = [path];
      if (key === 'venv') {
        let base = this.venvBases.get(path);
        if (base === undefined) this.venvBases.set(path, (base = (await venvBasePrefix(path)) ?? ''));
        if (base) paths.push(base);
      }
      for (const needed of paths) {
        if (!(await reachableBy(needed, identity))) {
          return `${needed} (from the environment's ${key}) is not readable by the sandbox user (uid ${identity?.uid}); build native environments with a world-readable interpreter such as /usr/bin/python3`;
        }
      }
    }
    return undefined;
  }

  /** The job, run by the venv its shell prebuild installed into (same base interpreter as the original). */
  private inPrebuiltVenv(job: GuestJob, venv: string): GuestJob {
    const original = job.environment?.spec['venv'];
    if (!job.environment || typeof original !== 'string') return job;
    this.venvBases.set(venv, this.venvBases.get(original) ?? '');
    return { ...job, environment: { ...job.environment, spec: { ...job.environment.spec, venv, prebuiltFrom: original } } };
  }

  /**
   * @param copyOut host directory that receives the job's /work once it has ended well (prebuilds: the
   *   launcher copies it out of the scratch, see launcher.ts).
   * @param shell the job is a shell prebuild (shell-prebuild.ts) installing into a venv bound at `venv`.
   */
  private async runSandboxed(job: GuestJob, prebuildDir?: string, copyOut?: string, signal?: AbortSignal, shell?: { venv: string | undefined }): Promise<GuestResult> {
    const runtime = shell ? 'python' : runtimeOf(job);
    const jobDir = await mkdtemp(join(tmpdir(), 'isola-job-'));
    const egress = jobEgress(job, this.egressProxy);
    try {
      const guest = shell ? shellPrebuildCommand(job, this.options, shell.venv) : guestCommand(job, this.options, prebuildDir);
      const venv = job.environment?.spec['venv'];
      const base = typeof venv === 'string' ? this.venvBases.get(venv) : undefined;
      if (base) guest.readOnly.push([base, base]);
      await writeFile(join(jobDir, 'job.json'), JSON.stringify({ ...guest.spec, ...egress?.spec, ...(job.stdin !== undefined ? { has_stdin: true } : {}) }));
      await writeFile(join(jobDir, 'inputs.json'), job.inputsJson);
      if (job.stdin !== undefined) await writeFile(join(jobDir, 'stdin'), job.stdin);
      for (const [name, text] of guest.jobFiles ?? []) await writeFile(join(jobDir, name), text);
      if (job.batch) await this.linkItems(job.batch.itemsBytes, join(jobDir, ITEMS_FILE));
      if (job.batch?.binary?.length) {
        // The item's attachments, linked (or copied) from the blob store: the sandbox user may not reach the store.
        const binaryDir = join(jobDir, 'binary');
        await mkdir(binaryDir, { mode: 0o755 });
        for (const attachment of job.batch.binary) {
          const target = join(binaryDir, attachment.name);
          await link(attachment.path, target).catch(() => copyFile(attachment.path, target));
        }
        guest.readOnly.push([binaryDir, `/data/binary/${job.batch.index}`]);
      }
      const identity = this.hostIdentity();
      if (identity) {
        for (const name of ['', 'job.json', 'inputs.json', ...(guest.jobFiles ?? []).map(([file]) => file)]) await chown(join(jobDir, name), identity.uid, identity.gid);
      }
      const layout = {
        ...this.layout,
        jobDir,
        readOnly: [...this.layout.readOnly, ...guest.readOnly],
        ...(egress ? { sockets: [egress.bind] } : {}),
        ...(guest.scratchBinds ? { scratchBinds: guest.scratchBinds } : {}),
      };
      const limits = this.limitsFor(job, guest.addressSpaceOverheadBytes);
      const env = sandboxEnv(runtime, randomInt(1, 2 ** 32 - 1));
      const end = await this.launch(layout, limits, env, guest.command, {
        stdinPath: join(jobDir, job.stdin !== undefined ? 'stdin' : 'inputs.json'),
        deadline: job.deadline,
        stdoutBytes: job.limits.stdoutBytes,
        stderrBytes: job.limits.stderrBytes,
        resultBytes: job.limits.outputBytes * 2 + RESULT_SLACK_BYTES,
        cgroupMemoryBytes: job.memoryBytes + this.scratchBytes() + this.options.memoryOverheadMb * 1024 * 1024,
        ...(copyOut ? { copyOut } : {}),
        ...(guest.scratchBinds ? { extraDirs: guest.scratchBinds.map(([name]) => name) } : {}),
        ...(signal ? { signal } : {}),
        ...(job.streamOutput && this.output ? { onOutput: liveOutput(job.id, this.output) } : {}),
      });
      const fallbackMode = guest.spec['mode'] === 'main' ? 'main' : 'script';
      const outcome = jobOutcome(job, { ...end, setupMs: 0, runtime, fallbackMode });
      if (!outcome.failure && (end.code === LAUNCH_FAILED_EXIT_CODE || end.code === COPY_FAILED_EXIT_CODE) && /^isola-launch: |^cp: /m.test(end.stderr.text())) {
        const what = end.code === COPY_FAILED_EXIT_CODE ? 'its files could not be copied out of the sandbox' : 'the sandbox could not be set up';
        return { ...outcome, failure: { type: 'internal', message: `The native job ran, but ${what}: ${end.stderr.text().trim().slice(-500)}` } };
      }
      return outcome;
    } finally {
      if (egress) this.egressProxy?.release(job.id);
      await rm(jobDir, { recursive: true, force: true });
    }
  }

  /**
   * A batch's items in a job dir: a hard link to one file per batch (a 10 MiB batch of 1,000 items is
   * written once, not 1,000 times), owned by the sandbox user; a copy if linking fails.
   */
  private async linkItems(bytes: Uint8Array, target: string): Promise<void> {
    let file = this.itemsFiles.get(bytes);
    if (!file) {
      const path = join(this.driverDir, `items-${++this.itemsFileCount}.json`);
      file = (async () => {
        await writeFile(path, Buffer.from(bytes), { mode: 0o644 });
        const identity = this.hostIdentity();
        if (identity) await chown(path, identity.uid, identity.gid);
        return path;
      })();
      this.itemsFiles.set(bytes, file);
      this.itemsFilesGone.register(bytes, path);
    }
    try {
      await link(await file, target);
    } catch {
      await writeFile(target, Buffer.from(bytes), { mode: 0o644 });
    }
  }

  /**
   * One sandbox run through the launcher: a fresh scratch mount point and, where available, a cgroup
   * of its own, both gone when this returns (the scratch tmpfs itself only ever existed in the
   * launcher's mount namespace).
   */
  private async launch(
    layout: Omit<SandboxLayout, 'scratchDir'>,
    limits: SandboxLimits,
    env: Record<string, string>,
    command: string[],
    run: {
      stdinPath: string;
      deadline: number;
      stdoutBytes: number;
      stderrBytes: number;
      resultBytes: number;
      cgroupMemoryBytes: number;
      copyOut?: string;
      extraDirs?: string[];
      signal?: AbortSignal;
      onOutput?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void;
    },
  ): Promise<SandboxedEnd> {
    const scratchDir = await mkdtemp(join(tmpdir(), 'isola-scratch-'));
    let cgroup: JobCgroup | undefined;
    try {
      await chmod(scratchDir, 0o755); // bwrap resolves the bind sources as the sandbox's host uid
      if (this.cgroups.mode === 'v2') cgroup = await JobCgroup.create(this.cgroups.parent, { memoryBytes: run.cgroupMemoryBytes, processes: limits.processes });
      const identity = this.hostIdentity();
      const plan: LaunchPlan = {
        scratch: { mountPoint: scratchDir, bytes: this.scratchBytes(), inodes: this.options.tmpfsInodes },
        ...(identity ? { owner: identity } : {}),
        cgroupProcs: cgroup ? [cgroup.procsFile] : [],
        ...(run.copyOut ? { copyOut: run.copyOut } : {}),
        ...(run.extraDirs ? { extraDirs: run.extraDirs } : {}),
      };
      const sandbox = sandboxArgv({ ...layout, scratchDir }, limits, env, command);
      return await runSandboxed({
        argv: launcherArgv({ unshare: this.options.unshare, privileged: identity !== undefined }, plan, sandbox),
        stdinPath: run.stdinPath,
        ...(layout.seccompFile ? { fd4Path: layout.seccompFile } : {}),
        deadline: run.deadline,
        stdoutBytes: run.stdoutBytes,
        stderrBytes: run.stderrBytes,
        resultBytes: run.resultBytes,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.onOutput ? { onOutput: run.onOutput } : {}),
        track: (pid, running) => (running ? this.running.add(pid) : this.running.delete(pid)),
      });
    } finally {
      await cgroup?.close();
      await rmdir(scratchDir).catch(() => rm(scratchDir, { recursive: true, force: true }));
    }
  }

  private scratchBytes(): number {
    return this.options.tmpfsMb * 1024 * 1024;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const pid of this.running) killGroup(pid);
    await rm(this.driverDir, { recursive: true, force: true });
  }

  private limitsFor(job: GuestJob, overheadBytes: number): SandboxLimits {
    return {
      // A backstop only (the wall-clock kill is the limit): a process with several busy threads uses CPU
      // time faster than wall time, so the budget is the timeout on every core.
      cpuSeconds: (job.timeoutMs / 1000) * availableParallelism() + 1,
      addressSpaceBytes: job.memoryBytes + overheadBytes,
      processes: this.options.processes,
      fileSizeBytes: this.scratchBytes(),
      openFiles: this.options.openFiles,
    };
  }

  /** The host uid/gid to run the sandbox as, or undefined to keep the service's own (it is not root). */
  private hostIdentity(): HostIdentity | undefined {
    return process.getuid?.() === 0 ? { uid: this.options.hostUid, gid: this.options.hostGid } : undefined;
  }

  /** bwrap itself (`--ro-bind / / --unshare-all true`), then each interpreter inside the real sandbox. */
  private async probe(): Promise<void> {
    const identity = this.hostIdentity();
    const bare = await execCapture(this.options.bwrap, ['--ro-bind', '/', '/', '--unshare-all', 'true'], identity);
    if (!bare.ok) {
      const reason = `${this.options.bwrap} failed its self-test: ${bare.message}`;
      this.runtimes.python = this.runtimes.node = { available: false, reason };
      return;
    }
    const jobDir = await mkdtemp(join(tmpdir(), 'isola-probe-'));
    try {
      if (identity) await chown(jobDir, identity.uid, identity.gid);
      const probes: Record<NativeRuntime, string[]> = {
        python: [this.options.python, '-s', '-B', '-c', 'import sys; print(sys.version.split()[0])'],
        node: [SANDBOX_NODE, '-e', 'console.log(process.versions.node)'],
      };
      for (const [runtime, command] of Object.entries(probes) as [NativeRuntime, string[]][]) {
        const overhead = (runtime === 'node' ? this.options.nodeOverheadMb : this.options.memoryOverheadMb) * 1024 * 1024;
        const limits: SandboxLimits = { cpuSeconds: 10, addressSpaceBytes: 256 * 1024 * 1024 + overhead, processes: 16, fileSizeBytes: 1 << 20, openFiles: 64 };
        const readOnly: [string, string][] = runtime === 'node' ? [...this.layout.readOnly, [this.options.node, SANDBOX_NODE]] : this.layout.readOnly;
        // Through the launcher like every job: a host where it cannot mount the scratch says so here.
        const inside = await this.launch({ ...this.layout, jobDir, readOnly }, limits, sandboxEnv(runtime, 1), command, {
          stdinPath: '/dev/null',
          deadline: Date.now() + 10_000,
          stdoutBytes: 4096,
          stderrBytes: 4096,
          resultBytes: 0,
          cgroupMemoryBytes: 512 * 1024 * 1024 + this.scratchBytes(),
        });
        const why = inside.timedOut ? 'timed out' : inside.stderr.text().trim().slice(0, 500) || `exit code ${inside.code}`;
        this.runtimes[runtime] =
          inside.code === 0 && !inside.timedOut
            ? { available: true, version: inside.stdout.text().trim() }
            : { available: false, reason: `${command[0]} does not start inside the sandbox: ${why}` };
      }
    } finally {
      await rm(jobDir, { recursive: true, force: true });
    }
  }
}

/**
 * Where prebuilt files live: <storeDir>/native-prebuilds when the operator gave a store the sandbox uid
 * can reach (bwrap binds them as that uid), else the driver's own temp dir (rebuilt per process).
 */
async function prebuildStore(options: NativeOptions, driverDir: string, identity: HostIdentity | undefined): Promise<string> {
  if (options.storeDir) {
    const root = join(options.storeDir, 'native-prebuilds');
    await mkdir(root, { recursive: true, mode: 0o755 });
    await chmod(root, 0o755);
    if (await reachableBy(root, identity)) return root;
  }
  return join(driverDir, 'prebuild');
}

/**
 * The shell prebuild's shims (shell-prebuild.ts): each runtime script executable, and every command name
 * a link to its script in runtimes/native/shims, the directory first on the script's PATH.
 */
async function installShims(runtimesDir: string): Promise<void> {
  const shims = join(runtimesDir, 'native', 'shims');
  await mkdir(shims, { mode: 0o755 });
  for (const [file, names] of Object.entries(SHELL_SHIMS)) {
    await chmod(join(runtimesDir, file), 0o755);
    for (const name of names) await symlink(join('..', file.slice('native/'.length)), join(shims, name));
  }
}

/** The regular files a batch item left in its outbox (symlinks and directories are not attachments). */
async function readOutbox(dir: string): Promise<{ name: string; bytes: Uint8Array }[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const attachments: { name: string; bytes: Uint8Array }[] = [];
  for (const entry of entries) if (entry.isFile()) attachments.push({ name: entry.name, bytes: new Uint8Array(await readFile(join(dir, entry.name))) });
  return attachments;
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

/** Whether a uid other than ours can execute `path`: every directory on its way searchable by others. */
async function othersCanRun(path: string): Promise<boolean> {
  try {
    const real = await realpath(path);
    if (((await stat(real)).mode & 0o005) !== 0o005) return false;
    for (let dir = dirname(real); ; dir = dirname(dir)) {
      if (((await stat(dir)).mode & 0o001) === 0) return false;
      if (dir === dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

async function copyNode(path: string, driverDir: string): Promise<string> {
  const target = join(driverDir, 'bin', 'node');
  await mkdir(dirname(target), { recursive: true });
  await copyFile(await realpath(path), target);
  return target;
}

/** Decodes each stream's chunks as UTF-8 (a character split across two reads waits for its rest) for DriverHost.output. */
function liveOutput(jobId: string, output: NonNullable<DriverHost['output']>): (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void {
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  return (stream, chunk) => {
    const text = decoders[stream].decode(chunk, { stream: true });
    if (text.length > 0) output(jobId, stream, text);
  };
}
