/**
 * The host's check of what a prebuild left behind, before anything uses it. The launcher copied the
 * sandbox's /work out as the sandbox uid without following links (launcher.ts); this walk, with lstat,
 * admits only regular files, directories and symlinks whose target stays inside the tree, and no set-id
 * bits. Anything else (a fifo that would block a reader, a socket, a device node, a link to /etc or
 * out through `..`) fails the prebuild with the path and its type: the store is read later by the host
 * (copies, uploads to an artifact store), which must never be steered through a guest's link.
 * The one exception is a venv a shell prebuild installed into: its interpreter links (bin/python ->
 * /usr/bin/python3) are absolute by nature, so links the host made itself, in the venv the guest started
 * from, pass when they are still there unchanged (same path, same target); a new absolute link does not.
 *
 * Imports `node:` (see host-setup.ts for why the native lane has more than one such file).
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

export type TreeCheck = { ok: true; files: number; bytes: number } | { ok: false; path: string; reason: string };

/**
 * Walks `root` (not following links) and reports the first entry a prebuild may not leave.
 * @param hostLinks links that may stay as they are, by path relative to `root` -> target (linksIn()).
 */
export async function checkPrebuildTree(root: string, hostLinks: ReadonlyMap<string, string> = new Map()): Promise<TreeCheck> {
  let files = 0;
  let bytes = 0;
  const links: string[] = [];
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const shown = relative(root, path);
      const info = await lstat(path);
      if ((info.mode & 0o6000) !== 0) return { ok: false, path: shown, reason: 'has a set-user-ID or set-group-ID bit' };
      if (info.isDirectory()) pending.push(path);
      else if (info.isFile()) {
        files++;
        bytes += info.size;
      } else if (info.isSymbolicLink()) links.push(path);
      else return { ok: false, path: shown, reason: `is a ${kindOf(info)}; a prebuild may leave only files, directories and links among them` };
    }
  }
  // Links once the whole tree is known: resolved for real (a chain of in-tree links can climb further
  // than each one alone says), and absolute ones never, since /work in the sandbox is not /work here.
  const top = await realpath(root);
  for (const path of links) {
    const target = await readlink(path);
    if (hostLinks.get(relative(root, path)) === target) continue;
    const real = isAbsolute(target) ? undefined : await realpath(path).catch(() => undefined);
    const inside = real === undefined ? '..' : relative(top, real);
    if (inside === '..' || inside.startsWith('../') || isAbsolute(inside)) {
      return { ok: false, path: relative(root, path), reason: `is a symbolic link to ${JSON.stringify(target)}, which is absolute, dangling or outside the prebuild's files` };
    }
  }
  return { ok: true, files, bytes };
}

/** Every symbolic link under `root` (a host-made tree), by path relative to it -> its target. */
export async function linksIn(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isSymbolicLink()) found.set(relative(root, path), await readlink(path));
    }
  }
  return found;
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'named pipe (fifo)';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  return 'file of unknown type';
}
