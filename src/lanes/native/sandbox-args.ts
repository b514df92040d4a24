/**
 * The command line of one sandboxed native job: `bwrap <namespaces, mounts> -- prlimit <rlimits> -- cmd`.
 * Portable (plain data in, argv out) so the policy can be read and tested apart from spawning.
 *
 * Policy: every namespace unshared (no network, own pid/ipc/uts/cgroup namespaces), read-only /usr and
 * only what the command needs, the job's scratch tmpfs (one mount with a byte and an inode cap, made by
 * launcher.ts) at /work (the cwd), /tmp and /dev/shm, so the guest can fill neither the host's disk nor
 * its memory through files wherever it writes them, uid/gid 10000, a cleared environment, a new session (no TIOCSTI into a
 * terminal), and death with the parent; the root is remounted read-only once everything is in place.
 *
 * rlimits are set by prlimit inside the sandbox, after bwrap made the user namespace: RLIMIT_NPROC counts
 * per (user namespace, host uid), and the kernel also checks the count of every parent namespace against
 * the limit in force when the namespace was made, so a limit set before bwrap would cap all processes
 * of the host uid together (the service's threads included). The host uid must not be root: the kernel
 * exempts uid 0 from RLIMIT_NPROC (see worker-entry.ts, which drops to an unprivileged host uid).
 */

/** How one top-level path of the host root appears in the sandbox (merged-/usr hosts use symlinks). */
export type RootEntry =
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'ro-bind'; path: string };

export interface SandboxLayout {
  bwrap: string;
  /** Path of prlimit inside the sandbox (it lives under /usr, bound read-only). */
  prlimit: string;
  /** /usr and friends, as the host has them. */
  root: RootEntry[];
  /** Host files bound read-only into the sandbox's /etc, as [host path, sandbox path]. */
  etcFiles: [string, string][];
  /** Host directory bound read-only at /isola/runtimes (runtimes/ of this package). */
  runtimesDir: string;
  /** Host directory of this job's files (job.json, inputs.json), bound read-only at /isola/job. */
  jobDir: string;
  /**
   * Further host paths bound read-only, as [host path, sandbox path]: a venv or an interpreter prefix
   * outside /usr (same path), an environment's node_modules (at /node_modules), prebuild files.
   */
  readOnly: [string, string][];
  /**
   * Host path of the job's scratch tmpfs as the launcher mounted it (visible in the launcher's mount
   * namespace only): its work/, tmp/ and shm/ are bound at /work, /tmp and /dev/shm.
   */
  scratchDir: string;
  /**
   * Further directories of the scratch (made by the launcher, see LaunchPlan.extraDirs) bound read-write,
   * as [scratch directory name, sandbox path]: the venv a shell prebuild installs into.
   */
  scratchBinds?: [string, string][];
  /** Host Unix sockets bound into the sandbox, as [host path, sandbox path] (the egress proxy). */
  sockets?: [string, string][];
  /** bwrap >= 0.8: forbid the guest further user namespaces (a common first step of kernel exploits). */
  disableUserns: boolean;
  /** Host file of the seccomp filter (seccomp-filter.ts); the spawner passes it open as fd SECCOMP_FD. */
  seccompFile?: string;
}

export interface SandboxLimits {
  /** RLIMIT_CPU soft limit (per process, all its threads); SIGXCPU there and SIGKILL one second later. */
  cpuSeconds: number;
  /** RLIMIT_AS per process. */
  addressSpaceBytes: number;
  /** RLIMIT_NPROC: processes of the sandbox user (fork bombs stop here). */
  processes: number;
  /** RLIMIT_FSIZE: largest file a process may write. */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
}

export const SANDBOX_UID = 10000;
/** Descriptor number the seccomp filter is handed to bwrap at (after stdin, stdout, stderr, result). */
export const SECCOMP_FD = 4;
export const SANDBOX_WORKDIR = '/work';
export const SANDBOX_JOBDIR = '/isola/job';
export const SANDBOX_RUNTIMES = '/isola/runtimes';
/** Files a prebuild left in its working directory, copied into /work by the runner before each job. */
export const SANDBOX_PREBUILD = '/isola/prebuild';
/** Directories of the scratch tmpfs and where the sandbox sees them: one byte and inode budget for all. */
export const SCRATCH_MOUNTS: readonly (readonly [string, string])[] = [
  ['work', SANDBOX_WORKDIR],
  ['tmp', '/tmp'],
  ['shm', '/dev/shm'],
];
/** Where JavaScript jobs find the Node binary (bound alone, whatever its host path). */
export const SANDBOX_NODE = '/opt/isola/bin/node';

export function sandboxArgv(
  layout: SandboxLayout,
  limits: SandboxLimits,
  env: Record<string, string>,
  command: string[],
): string[] {
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const argv = [
    layout.bwrap,
    '--unshare-all',
    // --unshare-all only tries the user namespace; insist, and close the door to nested ones.
    ...(layout.disableUserns ? ['--unshare-user', '--disable-userns'] : []),
    ...(layout.seccompFile ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'isola',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
  ];
  for (const entry of layout.root) {
    if (entry.kind === 'symlink') argv.push('--symlink', entry.target, entry.path);
    else argv.push('--ro-bind', entry.path, entry.path);
  }
  argv.push('--dir', '/etc');
  for (const [host, inside] of layout.etcFiles) argv.push('--ro-bind', host, inside);
  // After --dev: bwrap's /dev is an uncapped tmpfs of its own, and /dev/shm a plain directory in it.
  argv.push('--proc', '/proc', '--dev', '/dev');
  for (const [name, inside] of SCRATCH_MOUNTS) argv.push('--bind', `${layout.scratchDir}/${name}`, inside);
  argv.push('--ro-bind', layout.runtimesDir, SANDBOX_RUNTIMES, '--ro-bind', layout.jobDir, SANDBOX_JOBDIR);
  for (const [host, inside] of layout.readOnly) argv.push('--ro-bind', host, inside);
  for (const [name, inside] of layout.scratchBinds ?? []) argv.push('--bind', `${layout.scratchDir}/${name}`, inside);
  // connect() needs write permission on the socket inode: a plain bind of the socket file alone.
  for (const [host, inside] of layout.sockets ?? []) argv.push('--bind', host, inside);
  argv.push('--remount-ro', '/', '--chdir', SANDBOX_WORKDIR, '--clearenv');
  for (const [name, value] of Object.entries(env)) argv.push('--setenv', name, value);
  argv.push(
    '--',
    layout.prlimit,
    `--cpu=${cpu}:${cpu + 1}`,
    `--as=${Math.floor(limits.addressSpaceBytes)}`,
    `--nproc=${limits.processes}`,
    `--fsize=${Math.floor(limits.fileSizeBytes)}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
    ...command,
  );
  return argv;
}

/** The guest's whole environment: nothing of the host's reaches it. */
export function sandboxEnv(runtime: 'python' | 'node', hashSeed: number): Record<string, string> {
  const common = { PATH: '/opt/isola/bin:/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp', LANG: 'C.UTF-8' };
  if (runtime === 'node') return { ...common, NODE_ENV: 'production' };
  return {
    ...common,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: String(hashSeed),
    PYTHONUNBUFFERED: '1', // output printed before a timeout kill is kept
    // Native math libraries start a thread per core, each reserving address space under RLIMIT_AS.
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
}
