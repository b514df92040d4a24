/**
 * One-time host inspection and file preparation for the native lane: what of the host root the sandbox
 * mirrors, its minimal /etc, the interpreter's install prefix, small exec helpers.
 *
 * Imports `node:` although lane.ts reserves that to worker-entry.ts: the native lane runs in the host
 * process and is about subprocesses and files through and through; splitting keeps each file to one job.
 */
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RootEntry } from './sandbox-args.js';

const ROOT_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const ETC_PATHS = ['/etc/ld.so.cache', '/etc/localtime', '/etc/alternatives', '/etc/ssl', '/etc/protocols', '/etc/services', '/etc/mime.types'];

export interface HostIdentity {
  uid: number;
  gid: number;
}

export interface ExecOutcome {
  ok: boolean;
  stdout: string;
  /** stderr (or the spawn error), trimmed to what fits a readiness report. */
  message: string;
}

/** Run a short helper command with an empty environment. Never rejects: failures come back as values. */
export function execCapture(file: string, args: string[], identity?: HostIdentity): Promise<ExecOutcome> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' }, ...identity }, (error, stdout, stderr) => {
      const message = (String(stderr).trim() || (error ? error.message : '')).slice(0, 500);
      done({ ok: error === null, stdout: String(stdout), message });
    });
  });
}

/** SIGKILL to a whole process group (a job's bwrap was spawned detached, so its pid is the pgid). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: the group ended on its own between the decision and now.
  }
}

/** Directories 0755 and files 0644 under `dir`: the unprivileged sandbox uid reads them through binds. */
export async function makeReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

/** /usr and the top-level paths that point into it, as this host has them. */
export async function rootEntries(): Promise<RootEntry[]> {
  const entries: RootEntry[] = [];
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
export async function etcFiles(driverDir: string): Promise<[string, string][]> {
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

/** Install prefixes of an interpreter that lie outside /usr (pyenv, a venv's base), to bind read-only. */
export async function interpreterPrefixes(python: string): Promise<string[]> {
  const found = await execCapture(python, ['-s', '-c', 'import sys; print(sys.prefix); print(sys.base_prefix)']);
  if (!found.ok) return [];
  const prefixes = new Set(found.stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0));
  const outside = [...prefixes].filter((prefix) => !prefix.startsWith('/usr/') && prefix !== '/usr').map((prefix) => resolve(prefix));
  return [...new Set(outside)];
}

/**
 * The install prefix of a venv's base interpreter (from pyvenv.cfg `home`), when it lies outside /usr
 * and must be bound too; undefined when it is under /usr or the file says nothing.
 */
export async function venvBasePrefix(venv: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(venv, 'pyvenv.cfg'), 'utf8');
  } catch {
    return undefined;
  }
  const home = /^home\s*=\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!home) return undefined;
  const prefix = dirname(await realpath(home).catch(() => resolve(home)));
  return prefix === '/usr' || prefix.startsWith('/usr/') ? undefined : prefix;
}

/**
 * Whether `uid`/`gid` can reach `path` (search permission on every ancestor, read on the path itself).
 * bwrap resolves bind sources as that user, so an unreachable source fails the whole sandbox; checking
 * first turns that into a clear message.
 */
export async function reachableBy(path: string, identity: HostIdentity | undefined): Promise<boolean> {
  if (!identity) return true; // the service's own uid: it built the path, it can reach it
  const allows = async (target: string, bits: number): Promise<boolean> => {
    try {
      const info = await stat(target);
      const shift = info.uid === identity.uid ? 6 : info.gid === identity.gid ? 3 : 0;
      return ((info.mode >> shift) & bits) === bits;
    } catch {
      return false;
    }
  };
  const parts = resolve(path).split('/').filter((part) => part.length > 0);
  for (let i = 0; i < parts.length; i++) {
    if (!(await allows('/' + parts.slice(0, i).join('/'), 0o1))) return false;
  }
  return allows(resolve(path), 0o4);
}
