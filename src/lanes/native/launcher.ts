/**
 * What runs before bubblewrap: a short shell script in a private mount namespace of its own
 * (`unshare --mount`) that
 *
 * 1. moves itself into the job's cgroups (service running as root, see job-cgroups.ts), so bwrap and
 *    every process of the job are counted there from their first instruction;
 * 2. mounts the job's scratch file system: ONE tmpfs with a byte and an inode cap (bwrap's --tmpfs takes
 *    a size but no nr_inodes), whose directories work/, tmp/ and shm/ bwrap binds at /work, /tmp and
 *    /dev/shm, so a job's files share one budget wherever it writes them. The mount lives and dies with
 *    the namespace: nothing to unmount, nothing left behind on the host if the service crashes;
 * 3. drops to the sandbox's host uid (setpriv) and execs bwrap. When the service is not root, the
 *    namespace is a user namespace mapping only the service's own uid (`unshare --user --map-root-user`)
 *    and there is nothing to drop.
 *
 * For a prebuild, the script does not exec bwrap but waits for it, then copies scratch/work (and any extra
 * scratch directory the job asked for, such as the venv a shell prebuild installs into) to <out>/work
 * (<out>/<name>) as the sandbox uid, without following symlinks (cp -R --no-dereference): by then every
 * process of the job is gone (bwrap returns after its pid namespace is torn down), so nothing races the
 * copy, and what can land on the host is bounded by the scratch caps. The host checks the copy
 * (prebuild-files.ts) before anything uses it.
 *
 * Portable: plain data in, argv out. Every value reaches the script as a positional argument, never
 * spliced into its text.
 */

/** Exit code of the script when it could not set the job up (distinct from bwrap's own failures). */
export const LAUNCH_FAILED_EXIT_CODE = 125;

const SCRIPT = [
  'set -f', // no globbing of anything below
  'procs=$1 scratch=$2 options=$3 owner=$4 out=$5 extra=$6',
  'shift 6',
  'dirs="work tmp shm $extra"',
  'fail() { echo "isola-launch: $1" >&2; exit 125; }',
  'IFS=:',
  'for file in $procs; do echo $$ > "$file" || fail "cannot join the job cgroup $file"; done',
  'unset IFS',
  'as_owner() { if [ -n "$owner" ]; then setpriv --reuid="${owner%:*}" --regid="${owner#*:}" --clear-groups -- "$@"; else "$@"; fi; }',
  'mount -t tmpfs -o "$options" isola-scratch "$scratch" || fail "cannot mount the scratch tmpfs"',
  'if [ -n "$owner" ]; then',
  '  for dir in $dirs; do install -d -m 0755 -o "${owner%:*}" -g "${owner#*:}" "$scratch/$dir" || fail "cannot make the scratch directories"; done',
  '  set -- setpriv --reuid="${owner%:*}" --regid="${owner#*:}" --clear-groups -- "$@"',
  'else',
  '  for dir in $dirs; do install -d -m 0755 "$scratch/$dir" || fail "cannot make the scratch directories"; done',
  'fi',
  'if [ -z "$out" ]; then exec "$@"; fi',
  '"$@"',
  'code=$?',
  'if [ "$code" -eq 0 ]; then',
  '  for dir in work $extra; do as_owner cp -R --no-dereference -- "$scratch/$dir" "$out/$dir" || exit 126; done',
  'fi',
  'exit "$code"',
].join('\n');

/** Exit code of the script when the prebuild ran but its files could not be copied out. */
export const COPY_FAILED_EXIT_CODE = 126;

export interface LaunchTools {
  unshare: string;
  /** The service runs as root: join cgroups, then drop to `owner` with setpriv (found on PATH). */
  privileged: boolean;
}

export interface ScratchPlan {
  /** Host directory the tmpfs is mounted on, inside the private namespace only. */
  mountPoint: string;
  bytes: number;
  inodes: number;
}

export interface LaunchPlan {
  scratch: ScratchPlan;
  /** Host uid/gid the sandbox runs as (privileged launches only). */
  owner?: { uid: number; gid: number };
  /** cgroup.procs files to join (privileged launches only). */
  cgroupProcs: string[];
  /** Host directory that receives a copy of /work (as work/) after a successful run (prebuilds). */
  copyOut?: string;
  /**
   * Scratch directories besides work/, tmp/ and shm/ (plain names, chosen by the host, never a guest):
   * made with the others, bound where the sandbox layout says, and copied out with work/.
   */
  extraDirs?: string[];
}

/** tmpfs options of the scratch mount: the caps, and nothing executable by set-id or device tricks. */
export function scratchOptions(scratch: ScratchPlan): string {
  return `size=${Math.floor(scratch.bytes)},nr_inodes=${Math.floor(scratch.inodes)},mode=0755,nosuid,nodev`;
}

/** argv that runs `sandbox` (a bwrap command line) through the launch script. */
export function launcherArgv(tools: LaunchTools, plan: LaunchPlan, sandbox: string[]): string[] {
  const namespace = tools.privileged ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
  const owner = tools.privileged && plan.owner ? `${plan.owner.uid}:${plan.owner.gid}` : '';
  const procs = tools.privileged ? plan.cgroupProcs.join(':') : '';
  return [
    tools.unshare,
    ...namespace,
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    SCRIPT,
    'isola-launch',
    procs,
    plan.scratch.mountPoint,
    scratchOptions(plan.scratch),
    owner,
    plan.copyOut ?? '',
    (plan.extraDirs ?? []).join(' '),
    ...sandbox,
  ];
}
