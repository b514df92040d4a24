/**
 * The guest's file system: a tree in host memory, made per execution over layers that are shared and
 * read-only (the standard library zip, the runtime's own files, an environment's wheels).
 *
 * Why it is safe to reuse a layer: a read-only node refuses every change (writing, truncating, creating,
 * removing or renaming inside it), and what an execution creates lives in its own tree, which is
 * dropped when it ends. Inode numbers of new nodes start from the same value in every execution, so a
 * guest cannot count what ran before it.
 *
 * Every byte and inode an execution creates is charged to its budget (see FsBudget), which shares the
 * execution's memory limit with its linear memory.
 */
import { Errno } from './abi.js';

export interface FileNode {
  kind: 'file';
  ino: number;
  /** Capacity; the first `size` bytes are the content (empty for a file read from `backing`). */
  bytes: Uint8Array;
  size: number;
  readonly: boolean;
  mtimeNs: bigint;
  /** A read-only layer file whose bytes stay on the host's disk (see BackedFile). */
  backing?: BackedFile;
}

/**
 * A read-only file read on demand (positional reads of a host file) instead of held in memory: the
 * 54 MB standard library zip, of which an execution reads a few KiB, would otherwise sit in every
 * process's RSS. Its content must not change while the process runs (the lane names it by size and
 * mtime).
 */
export interface BackedFile {
  readonly size: number;
  /** Fills `target` from `position` (within size); returns the bytes read. */
  readAt(target: Uint8Array, position: number): number;
}

/** What a read-only layer holds at a path: the bytes, or a file read on demand. */
export type LayerFile = Uint8Array | BackedFile;

export interface DirNode {
  kind: 'dir';
  ino: number;
  entries: Map<string, FsNode>;
  readonly: boolean;
  mtimeNs: bigint;
}

export type FsNode = FileNode | DirNode;

/** What an execution may still create: bytes are shared with linear memory through `roomBytes`. */
export interface FsBudget {
  /** Bytes the file system may still take (the execution's limit minus linear memory and files). */
  roomBytes(): number;
  charge(bytes: number): void;
  inodesLeft: number;
}

const FIXED_MTIME = 1_700_000_000_000_000_000n; // layers carry no host timestamps
const FIRST_EXECUTION_INODE = 1 << 20;

/** A read-only tree from path -> bytes (paths relative, "/"-separated). Built once per worker. */
export function readOnlyLayer(files: ReadonlyMap<string, LayerFile>, firstIno = 1): DirNode {
  let ino = firstIno;
  const root: DirNode = { kind: 'dir', ino: ino++, entries: new Map(), readonly: true, mtimeNs: FIXED_MTIME };
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.entries.get(part);
      if (!next) {
        next = { kind: 'dir', ino: ino++, entries: new Map(), readonly: true, mtimeNs: FIXED_MTIME };
        dir.entries.set(part, next);
      }
      if (next.kind !== 'dir') throw new Error(`read-only layer: ${path} is under a file`);
      dir = next;
    }
    const node: FileNode =
      bytes instanceof Uint8Array
        ? { kind: 'file', ino: ino++, bytes, size: bytes.length, readonly: true, mtimeNs: FIXED_MTIME }
        : { kind: 'file', ino: ino++, bytes: new Uint8Array(0), size: bytes.size, readonly: true, mtimeNs: FIXED_MTIME, backing: bytes };
    dir.entries.set(parts.at(-1)!, node);
  }
  return root;
}

export class ExecutionFs {
  readonly root: DirNode;
  private nextIno = FIRST_EXECUTION_INODE;

  /**
   * `layer`'s top-level entries are placed in a fresh root, beside the execution's writable
   * directories (e.g. tmp, work), whose initial files are given in `writable` by relative path.
   * Initial files are the execution's own (copied in): it may change them.
   */
  constructor(
    layer: DirNode,
    writable: Record<string, Map<string, Uint8Array>>,
    readonly budget: FsBudget,
    readonly now: () => bigint,
    /**
     * Files of a writable root (the wasi lane: a module's working directory is `/`). The root is this
     * execution's own object, so writing in it changes no layer; the layer's nodes stay read-only.
     */
    rootFiles?: Map<string, Uint8Array>,
  ) {
    this.root = { kind: 'dir', ino: layer.ino, entries: new Map(layer.entries), readonly: rootFiles === undefined, mtimeNs: layer.mtimeNs };
    for (const [name, files] of Object.entries(writable)) {
      const dir = this.newDir();
      this.place(dir, files);
      this.root.entries.set(name, dir);
    }
    if (rootFiles) this.place(this.root, rootFiles);
  }

  private place(dir: DirNode, files: Map<string, Uint8Array>): void {
    for (const [path, bytes] of files) {
      const parts = path.split('/').filter(Boolean);
      let parent = dir;
      for (const part of parts.slice(0, -1)) {
        let next = parent.entries.get(part);
        if (!next) parent.entries.set(part, (next = this.newDir()));
        if (next.kind !== 'dir') break;
        parent = next;
      }
      parent.entries.set(parts.at(-1)!, { kind: 'file', ino: this.nextIno++, bytes, size: bytes.length, readonly: false, mtimeNs: this.now() });
    }
  }

  newDir(): DirNode {
    return { kind: 'dir', ino: this.nextIno++, entries: new Map(), readonly: false, mtimeNs: this.now() };
  }

  newFile(): FileNode {
    return { kind: 'file', ino: this.nextIno++, bytes: new Uint8Array(0), size: 0, readonly: false, mtimeNs: this.now() };
  }

  /** Charges one inode, or says why not. */
  takeInode(): number {
    if (this.budget.inodesLeft <= 0) return Errno.NOSPC;
    this.budget.inodesLeft--;
    return Errno.SUCCESS;
  }

  /** Makes room for `size` bytes in `file`, charging the budget for new capacity. */
  reserve(file: FileNode, size: number): number {
    if (file.readonly) return Errno.ROFS;
    if (size <= file.bytes.length) return Errno.SUCCESS;
    const capacity = Math.max(size, Math.min(size * 2, file.bytes.length * 2, size + (64 << 20)));
    const extra = capacity - file.bytes.length;
    if (extra > this.budget.roomBytes()) {
      if (size - file.bytes.length > this.budget.roomBytes()) return Errno.NOSPC;
      return this.grow(file, size, size - file.bytes.length);
    }
    return this.grow(file, capacity, extra);
  }

  private grow(file: FileNode, capacity: number, charged: number): number {
    const bytes = new Uint8Array(capacity);
    bytes.set(file.bytes.subarray(0, file.size));
    file.bytes = bytes;
    this.budget.charge(charged);
    return Errno.SUCCESS;
  }
}

/** A directory reached by a path, with the chain of directories above it (for ".."). */
export interface DirPlace {
  node: DirNode;
  /** From the preopened root to `node`, both included. */
  chain: DirNode[];
}

export type Lookup =
  | { ok: true; parent: DirPlace; name: string; node: FsNode | undefined }
  | { ok: false; errno: number };

/**
 * Resolves a relative path from `start` to its parent directory and last name (the node, if it exists).
 * An absolute path, a ".." above the preopened root or a NUL refuses with NOTCAPABLE / INVAL.
 */
export function lookup(start: DirPlace, path: string): Lookup {
  if (path.includes('\0')) return { ok: false, errno: Errno.INVAL };
  if (path.startsWith('/')) return { ok: false, errno: Errno.NOTCAPABLE };
  if (path.length > 4096) return { ok: false, errno: Errno.NAMETOOLONG };
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  const chain = [...start.chain];
  const last = parts.pop();
  for (const part of parts) {
    if (part === '..') {
      if (chain.length <= 1) return { ok: false, errno: Errno.NOTCAPABLE };
      chain.pop();
      continue;
    }
    const next = chain.at(-1)!.entries.get(part);
    if (!next) return { ok: false, errno: Errno.NOENT };
    if (next.kind !== 'dir') return { ok: false, errno: Errno.NOTDIR };
    chain.push(next);
  }
  if (last === '..') {
    if (chain.length <= 1) return { ok: false, errno: Errno.NOTCAPABLE };
    const node = chain.pop()!;
    const parent = chain.at(-1)!;
    return { ok: true, parent: { node: parent, chain }, name: nameIn(parent, node), node };
  }
  const parent = chain.at(-1)!;
  if (last === undefined) {
    // The path named the start directory itself ("", "." or "a/..").
    if (chain.length <= 1) return { ok: true, parent: { node: parent, chain }, name: '.', node: parent };
    const self = chain.pop()!;
    const above = chain.at(-1)!;
    return { ok: true, parent: { node: above, chain }, name: nameIn(above, self), node: self };
  }
  if (last.length > 255) return { ok: false, errno: Errno.NAMETOOLONG };
  return { ok: true, parent: { node: parent, chain }, name: last, node: parent.entries.get(last) };
}

function nameIn(parent: DirNode, child: FsNode): string {
  for (const [name, node] of parent.entries) if (node === child) return name;
  return '.';
}

export function placeOf(parent: DirPlace, dir: DirNode): DirPlace {
  return parent.node === dir ? parent : { node: dir, chain: [...parent.chain, dir] };
}

/** A read-only layer with one more top-level directory holding `files` (an environment's wheels). */
export function withDirectory(base: DirNode, name: string, files: ReadonlyMap<string, LayerFile>, firstIno = FIRST_EXECUTION_INODE / 2): DirNode {
  // Inodes above the base layer's and below an execution's own (FIRST_EXECUTION_INODE).
  const added = readOnlyLayer(files, firstIno);
  const entries = new Map(base.entries);
  entries.set(name, added);
  return { ...base, entries };
}

/** First inode of a batch item's attachments (/data), above an environment's layer and below an execution's own. */
export const DATA_LAYER_INODE = (FIRST_EXECUTION_INODE / 4) * 3;

/** Every file under `dir`, by path relative to it (what a prebuild left in /work). */
export function filesUnder(dir: DirNode, prefix = ''): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [name, node] of dir.entries) {
    if (node.kind === 'file') out.set(`${prefix}${name}`, node.backing ? fileContent(node) : node.bytes.slice(0, node.size));
    else for (const [path, bytes] of filesUnder(node, `${prefix}${name}/`)) out.set(path, bytes);
  }
  return out;
}

/** A file's content: a view of its bytes, or for a backed file a copy read from its host file. */
export function fileContent(node: FileNode): Uint8Array {
  if (!node.backing) return node.bytes.subarray(0, node.size);
  const out = new Uint8Array(node.size);
  node.backing.readAt(out, 0);
  return out;
}
