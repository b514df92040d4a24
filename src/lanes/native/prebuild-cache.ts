/**
 * Environment prebuilds for the native lane. In this lane every job is a new process, so what a prebuild
 * leaves behind is files: it runs once per environment and runtime in an ordinary job's sandbox (the
 * capped scratch at /work, the prebuild deadline), the launcher copies its /work out to a staging
 * directory as the sandbox uid, the host checks the tree (prebuild-files.ts) and renames it into place
 * under the store. Each later job gets the files bound read-only and copied into its own /work by the
 * runner (guest-command.ts), so every job starts from the same pristine files whatever the one before
 * did to its copy. Concurrent first jobs wait for the one build; a failed build leaves nothing behind and
 * is not kept, so the next job tries again. A finished directory in the store is reused by a later
 * driver after the same check.
 *
 * Layout of <root>/<key>: work/ (the prebuild's /work) and, after a shell prebuild in a Python
 * environment (shell-prebuild.ts), venv/: the environment's venv with what the script installed, bound
 * read-only at its own path and run by later jobs instead of the environment's.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuestJob, GuestResult } from '../lane.js';
import { runtimeOf } from './guest-command.js';
import type { HostIdentity } from './host-setup.js';
import { checkPrebuildTree, linksIn } from './prebuild-files.js';
import { isShellPrebuild, SCRATCH_VENV } from './shell-prebuild.js';

export type PrebuildOutcome = { ok: true; dir: string; venv?: string; built: boolean } | { ok: false; result: GuestResult };

/**
 * Runs a job in the sandbox and, if it ends well, copies its /work into `outDir`/work (launcher.ts).
 * With `shell`, the job is a shell prebuild whose venv (bound at `shell.venv`) is copied to `outDir`/venv.
 */
export type RunAndCopy = (job: GuestJob, outDir: string, shell?: { venv: string | undefined }) => Promise<GuestResult>;

const WORK = 'work';
/** How much of a failed shell script's stderr the error message quotes (the whole tail is the traceback). */
const MESSAGE_TAIL_CHARS = 600;
const TRACEBACK_TAIL_CHARS = 8_000;

export class PrebuildCache {
  private readonly builds = new Map<string, Promise<PrebuildOutcome>>();

  constructor(
    readonly rootDir: string,
    private readonly identity: HostIdentity | undefined,
    private readonly timeoutMs: number,
    private readonly runAndCopy: RunAndCopy,
  ) {}

  /** undefined when the job's environment has no prebuild; `built` is true for the job that built it. */
  get(job: GuestJob): Promise<PrebuildOutcome> | undefined {
    const code = job.environment?.spec['prebuild'];
    if (typeof code !== 'string' || code.length === 0 || !job.environment) return undefined;
    const key = `${job.environment.hash.replace(/[^\w-]/g, '_')}-${runtimeOf(job)}`;
    const pending = this.builds.get(key);
    if (pending) return pending.then((outcome) => (outcome.ok ? { ...outcome, built: false } : outcome));
    const started = this.stored(job, key).then((dir) => dir ?? this.build(job, code, key));
    this.builds.set(key, started);
    const forget = (): void => {
      this.builds.delete(key);
    };
    started.then((outcome) => (outcome.ok ? undefined : forget()), forget);
    return started;
  }

  /** A finished build of `key` left in the store by an earlier driver, if it still passes the check. */
  private async stored(job: GuestJob, key: string): Promise<PrebuildOutcome | undefined> {
    const dir = join(this.rootDir, key);
    if (!(await stat(dir).then((info) => info.isDirectory(), () => false))) return undefined;
    const venv = prebuiltVenv(job) ? join(dir, SCRATCH_VENV) : undefined;
    const expected = venv ? [SCRATCH_VENV, WORK] : [WORK];
    // Anything else is not this layout (an older one, a half-removed build): build it again.
    const entries = (await readdir(dir)).sort();
    const checked = entries.join('/') === expected.join('/') && (await this.checkTrees(job, dir)) === undefined;
    if (checked) return { ok: true, dir: join(dir, WORK), ...(venv ? { venv } : {}), built: false };
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }

  /** The reason the trees in `dir` may not be used, or undefined when they pass. */
  private async checkTrees(job: GuestJob, dir: string): Promise<string | undefined> {
    const work = await checkPrebuildTree(join(dir, WORK));
    if (!work.ok) return `it left ${JSON.stringify(work.path)}, which ${work.reason}`;
    const base = prebuiltVenv(job);
    if (!base) return undefined;
    const venv = await checkPrebuildTree(join(dir, SCRATCH_VENV), await linksIn(base));
    return venv.ok ? undefined : `it left ${JSON.stringify(`venv/${venv.path}`)} in the venv, which ${venv.reason}`;
  }

  private async build(job: GuestJob, code: string, key: string): Promise<PrebuildOutcome> {
    const dir = join(this.rootDir, key);
    const staging = join(this.rootDir, `.${key}.${randomBytes(4).toString('hex')}.partial`);
    const shell = isShellPrebuild(job);
    const venv = prebuiltVenv(job) ? join(dir, SCRATCH_VENV) : undefined;
    try {
      await mkdir(staging, { recursive: true });
      if (this.identity) await chown(staging, this.identity.uid, this.identity.gid);
      const timeoutMs = this.timeoutMs;
      const environment = { hash: job.environment?.hash ?? '', spec: { ...job.environment?.spec, prebuild: undefined } };
      const prebuildJob: GuestJob = { ...job, code, mode: 'script', inputsJson: '{}', timeoutMs, deadline: Date.now() + timeoutMs, environment };
      const result = await this.runAndCopy(prebuildJob, staging, shell ? { venv } : undefined);
      if (result.failure || result.exitCode !== 0) return shell ? shellFailed(result) : failed(result, whyFailed(result), result.failure?.traceback);
      const refused = await this.checkTrees(job, staging);
      if (refused) return failed(result, refused);
      // The runner's own files are per job: each job gets its inputs, and output.json is the job's to write.
      for (const name of ['inputs.json', 'output.json']) await rm(join(staging, WORK, name), { force: true });
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      return { ok: true, dir: join(dir, WORK), ...(venv ? { venv } : {}), built: true };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** The environment's venv when a shell prebuild installs into a copy of it; undefined otherwise. */
function prebuiltVenv(job: GuestJob): string | undefined {
  const venv = job.environment?.spec['venv'];
  return isShellPrebuild(job) && typeof venv === 'string' ? venv : undefined;
}

function whyFailed(result: GuestResult): string {
  return result.failure ? result.failure.message : `it exited with code ${result.exitCode}`;
}

/** A shell script reports its trouble on stderr: the message quotes its last lines, the traceback more. */
function shellFailed(result: GuestResult): PrebuildOutcome {
  const stderr = result.stderr.trimEnd();
  const timedOut = result.failure?.type === 'timeout';
  const why = timedOut ? whyFailed(result) : `the script exited with code ${result.exitCode || 1}`;
  const tail = stderr.length > MESSAGE_TAIL_CHARS ? `…${stderr.slice(-MESSAGE_TAIL_CHARS)}` : stderr;
  return failed(result, tail ? `${why}: ${tail}` : why, stderr ? stderr.slice(-TRACEBACK_TAIL_CHARS) : undefined);
}

function failed(result: GuestResult, why: string, traceback?: string): PrebuildOutcome {
  const failure = {
    type: 'package_install' as const,
    message: `The environment's prebuild failed: ${why}`,
    ...(traceback ? { traceback } : {}),
  };
  return { ok: false, result: { ...result, failure, exitCode: result.exitCode || 1 } };
}
