/**
 * Environment prebuilds for the native lane. In this lane every job is a new process, so what a prebuild
 * leaves behind is files: it runs once per environment and runtime with a host directory as its /work,
 * and that directory is then copied into each job's /work (the runner does it, see guest-command.ts).
 * Concurrent first jobs wait for the one build; a failed build is not kept, the next job tries again.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import { chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuestJob, GuestResult } from '../lane.js';
import { runtimeOf } from './guest-command.js';
import type { HostIdentity } from './host-setup.js';

export type PrebuildOutcome = { ok: true; dir: string; built: boolean } | { ok: false; result: GuestResult };

/** Runs a job in the sandbox with `writableWorkDir` bound at /work instead of the private tmpfs. */
export type RunInDir = (job: GuestJob, writableWorkDir: string) => Promise<GuestResult>;

export class PrebuildCache {
  private readonly builds = new Map<string, Promise<PrebuildOutcome>>();

  constructor(
    private readonly rootDir: string,
    private readonly identity: HostIdentity | undefined,
    private readonly timeoutMs: number,
    private readonly runInDir: RunInDir,
  ) {}

  /** undefined when the job's environment has no prebuild; `built` is true for the job that built it. */
  get(job: GuestJob): Promise<PrebuildOutcome> | undefined {
    const code = job.environment?.spec['prebuild'];
    if (typeof code !== 'string' || code.length === 0 || !job.environment) return undefined;
    const key = `${job.environment.hash.replace(/[^\w-]/g, '_')}-${runtimeOf(job)}`;
    const pending = this.builds.get(key);
    if (pending) return pending;
    const started = this.build(job, code, key);
    this.builds.set(key, started);
    const forget = (): void => {
      this.builds.delete(key);
    };
    started.then((outcome) => (outcome.ok ? undefined : forget()), forget);
    return started.then((outcome) => (outcome.ok ? { ...outcome, built: true } : outcome));
  }

  private async build(job: GuestJob, code: string, key: string): Promise<PrebuildOutcome> {
    const dir = join(this.rootDir, key);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    if (this.identity) await chown(dir, this.identity.uid, this.identity.gid);
    const timeoutMs = this.timeoutMs;
    const environment = { hash: job.environment?.hash ?? '', spec: { ...job.environment?.spec, prebuild: undefined } };
    const prebuildJob: GuestJob = { ...job, code, mode: 'script', inputsJson: '{}', timeoutMs, deadline: Date.now() + timeoutMs, environment };
    const result = await this.runInDir(prebuildJob, dir);
    if (result.failure || result.exitCode !== 0) {
      const why = result.failure ? result.failure.message : `it exited with code ${result.exitCode}`;
      const failure = {
        type: 'package_install' as const,
        message: `The environment's prebuild failed: ${why}`,
        ...(result.failure?.traceback ? { traceback: result.failure.traceback } : {}),
      };
      return { ok: false, result: { ...result, failure, exitCode: result.exitCode || 1 } };
    }
    // The runner's own files are per job: each job gets its inputs, and output.json is the job's to write.
    for (const name of ['inputs.json', 'output.json']) await rm(join(dir, name), { force: true });
    return { ok: true, dir, built: false };
  }
}
