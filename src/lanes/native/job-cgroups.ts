/**
 * A cgroup v2 group per native job, when the host delegates the memory and pids controllers to the
 * service: memory.max bounds everything the job makes the host hold in RAM (its processes and the pages
 * of its scratch tmpfs, which are charged to the writer), memory.swap.max keeps it out of swap, pids.max
 * bounds its processes across all uids, and cgroup.kill ends every process of the job at once. The
 * launcher (launcher.ts) moves itself into the group before bwrap starts, so nothing of the job runs
 * outside it.
 *
 * Where the controllers are not delegated (cgroup v1 or hybrid hosts, a container without a writable
 * cgroup subtree, a service that is not root), jobs run under rlimits alone (sandbox-args.ts): RLIMIT_AS
 * per process, RLIMIT_NPROC per sandbox uid, and the scratch caps. `detectCgroups` says which, and why;
 * the driver reports it in its readiness output.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type CgroupSupport = { mode: 'v2'; parent: string } | { mode: 'rlimits'; reason: string };

const NEEDED = ['memory', 'pids'];

/**
 * Whether jobs can get a cgroup v2 group of their own under `parent` (default: the service's own cgroup
 * on the cgroup2 mount). Never throws: what is missing comes back as the reason.
 */
export async function detectCgroups(privileged: boolean, parent?: string): Promise<CgroupSupport> {
  if (!privileged) return { mode: 'rlimits', reason: 'the service is not root: it cannot move jobs into cgroups' };
  let dir = parent;
  if (!dir) {
    const mount = await cgroup2Mount();
    if (!mount) return { mode: 'rlimits', reason: 'no cgroup2 file system is mounted' };
    const own = /^0::(.*)$/m.exec(await readFile('/proc/self/cgroup', 'utf8').catch(() => ''))?.[1];
    if (own === undefined) return { mode: 'rlimits', reason: 'the service is in no cgroup v2 group' };
    dir = join(mount, own).replace(/\/$/, '');
  }
  const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8').catch(() => '')).trim().split(/\s+/);
  const missing = NEEDED.filter((name) => !enabled.includes(name));
  if (missing.length > 0) {
    const has = enabled.filter((name) => name.length > 0).join(' ') || 'none';
    return { mode: 'rlimits', reason: `${dir} does not delegate ${missing.join(' and ')} to its children (it delegates: ${has})` };
  }
  // Prove it end to end: a group made and removed here is one the jobs can have.
  const probe = join(dir, `isola-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(probe);
    await rmdir(probe);
  } catch (error) {
    return { mode: 'rlimits', reason: `cannot create a cgroup under ${dir}: ${(error as Error).message}` };
  }
  return { mode: 'v2', parent: dir };
}

export interface JobCgroupLimits {
  memoryBytes: number;
  processes: number;
}

/** One job's group. `procsFile` is what the launcher joins; `close()` kills what is left and removes it. */
export class JobCgroup {
  private closed: Promise<void> | undefined;

  private constructor(readonly dir: string) {}

  static async create(parent: string, limits: JobCgroupLimits): Promise<JobCgroup> {
    const group = new JobCgroup(join(parent, `isola-job-${randomBytes(6).toString('hex')}`));
    await mkdir(group.dir);
    try {
      await writeFile(join(group.dir, 'memory.max'), String(Math.floor(limits.memoryBytes)));
      await writeFile(join(group.dir, 'memory.swap.max'), '0').catch(() => undefined); // absent without swap accounting
      await writeFile(join(group.dir, 'pids.max'), String(limits.processes));
    } catch (error) {
      await rmdir(group.dir).catch(() => undefined);
      throw error;
    }
    return group;
  }

  get procsFile(): string {
    return join(this.dir, 'cgroup.procs');
  }

  /** Whether the kernel's OOM killer ended a process of this job (memory.events oom_kill). */
  async oomKilled(): Promise<boolean> {
    const events = await readFile(join(this.dir, 'memory.events'), 'utf8').catch(() => '');
    return Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? 0) > 0;
  }

  close(): Promise<void> {
    return (this.closed ??= this.remove());
  }

  private async remove(): Promise<void> {
    await writeFile(join(this.dir, 'cgroup.kill'), '1').catch(() => undefined);
    // rmdir fails with EBUSY until the killed processes are reaped; the kernel takes a few ms.
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await rmdir(this.dir);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

async function cgroup2Mount(): Promise<string | undefined> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of mountinfo.split('\n')) {
    // "<id> <parent> <dev> <root> <mount point> <options> ... - <fstype> <source> <super options>"
    const [before, after] = line.split(' - ');
    if (after?.split(' ')[0] === 'cgroup2') return before?.split(' ')[4];
  }
  return undefined;
}
