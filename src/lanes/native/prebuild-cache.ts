/**
 * Environment prebuilds for the native lane. In this lane every job is a new process, so what a prebuild
 * leaves behind is files: it runs once per environment and runtime in an ordinary job's sandbox (the
 * capped scratch at /work, the prebuild deadline), the launcher copies its /work out to a staging
 * directory as the sandbox uid, the host checks the tree (prebuild-files.ts) and renames it into place
 * under the store. Each later job gets the files bound read-only and copied into its own /work by the
 * runner (guest-command.ts). Concurrent first jobs wait for the one build; a failed build leaves nothing
 * behind and is not kept, so the next job tries again. A finished directory in the store is reused by a
 * later driver after the same check.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuestJob, GuestResult } from '../lane.js';
import { runtimeOf } from './guest-command.js';
import type { HostIdentity } from './host-setup.js';
import { checkPrebuildTree } from './prebuild-files.js';

export type PrebuildOutcome = { ok: true; dir: string; built: boolean } | { ok: false; result: GuestResult };

/** Runs a job in the sandbox and, if it ends well, copies its /work into `outDir` (launcher.ts). */
export type RunAndCopy = (job: GuestJob, outDir: string) => Promise<GuestResult>;

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
    const started = this.stored(key).then((dir) => dir ?? this.build(job, code, key));
    this.builds.set(key, started);
    const forget = (): void => {
      this.builds.delete(key);
    };
    started.then((outcome) => (outcome.ok ? undefined : forget()), forget);
    return started;
  }

  /** A finished build of `key` left in the store by an earlier driver, if it still passes the check. */
  private async stored(key: string): Promise<PrebuildOutcome | undefined> {
    const dir = join(this.rootDir, key);
    if (!(await stat(dir).then((info) => info.isDirectory(), () => false))) return undefined;
    if ((await checkPrebuildTree(dir)).ok) return { ok: true, dir, built: false };
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }

  private async build(job: GuestJob, code: string, key: string): Promise<PrebuildOutcome> {
    const dir = join(this.rootDir, key);
    const staging = join(this.rootDir, `.${key}.${randomBytes(4).toString('hex')}.partial`);
    try {
      await mkdir(staging, { recursive: true });
      if (this.identity) await chown(staging, this.identity.uid, this.identity.gid);
      const timeoutMs = this.timeoutMs;
      const environment = { hash: job.environment?.hash ?? '', spec: { ...job.environment?.spec, prebuild: undefined } };
      const prebuildJob: GuestJob = { ...job, code, mode: 'script', inputsJson: '{}', timeoutMs, deadline: Date.now() + timeoutMs, environment };
      const result = await this.runAndCopy(prebuildJob, staging);
      if (result.failure || result.exitCode !== 0) {
        const why = result.failure ? result.failure.message : `it exited with code ${result.exitCode}`;
        return failed(result, why, result.failure?.traceback);
      }
      const check = await checkPrebuildTree(staging);
      if (!check.ok) return failed(result, `it left ${JSON.stringify(check.path)}, which ${check.reason}`);
      // The runner's own files are per job: each job gets its inputs, and output.json is the job's to write.
      for (const name of ['inputs.json', 'output.json']) await rm(join(staging, name), { force: true });
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      return { ok: true, dir, built: true };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

function failed(result: GuestResult, why: string, traceback?: string): PrebuildOutcome {
  const failure = {
    type: 'package_install' as const,
    message: `The environment's prebuild failed: ${why}`,
    ...(traceback ? { traceback } : {}),
  };
  return { ok: false, result: { ...result, failure, exitCode: result.exitCode || 1 } };
}
