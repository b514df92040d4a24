/**
 * One-time host inspection and file preparation for the native lane: what of the host root the sandbox
 * mirrors, its minimal /etc, the interpreter's install prefix, small exec helpers.
 *
 * Imports `node:` although lane.ts reserves that to worker-entry.ts: the native lane runs in the host
 * process and is about subprocesses and files through and through; splitting keeps each file to one job.
 */
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readlink, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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
