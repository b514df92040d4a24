/**
 * The host side of wasi_snapshot_preview1 for CPython, plus its one door (`host.call`).
 *
 * One WasiHost lives as long as its instance; its state for an execution (file system, descriptors,
 * output sinks, the door's handler) is a Session, replaced for every execution, so nothing the guest
 * did through these calls outlives it. The descriptor table of a new session mirrors the one the
 * interpreter's image was taken with (stdio, then the preopened root at 3), which the guest's libc
 * has cached in linear memory.
 *
 * Everything here reads guest memory defensively: pointers and lengths come from untrusted code, and
 * every access goes through bounds-checked views (a bad pointer is EFAULT-like INVAL, never a host throw).
 */
import { INTERRUPT_BLOCKED_WORD } from '../lanes/lane.js';
import { DIRTY_CHUNK_SHIFT } from '../wasm/dirty-marking.js';
import {
  ALL_RIGHTS,
  Clock,
  DIRENT_HEADER_SIZE,
  Errno,
  EVENT_SIZE,
  FdFlags,
  FileType,
  GuestExit,
  OpenFlags,
  RIGHT_FD_READ,
  RIGHT_FD_WRITE,
  SUBSCRIPTION_SIZE,
  Whence,
} from './abi.js';
import { type ExecutionFs, lookup, placeOf, type DirPlace, type FileNode, type FsNode } from './memory-fs.js';

export type Descriptor =
  | { kind: 'file'; node: FileNode; pos: number; read: boolean; write: boolean; append: boolean }
  | { kind: 'dir'; place: DirPlace; preopen?: string }
  | { kind: 'sink'; write(bytes: Uint8Array): void }
  | { kind: 'source'; bytes: Uint8Array; pos: number };

export interface Session {
  fs: ExecutionFs;
  descriptors: (Descriptor | undefined)[];
  /** The door: request bytes in, response bytes out (undefined: nothing answers). */
  door(request: Uint8Array): Uint8Array | undefined;
}

/** What the host needs of the instance: its allocator, for door responses. */
interface GuestExports {
  host_alloc(length: number): number;
}

class GuestFault extends Error {}

const MAX_DESCRIPTORS = 1024;
const MAX_IO_BYTES = 64 << 20;
const decoder = new TextDecoder('utf-8', { fatal: false });

export class WasiHost {
  session: Session | undefined;
  private exports: GuestExports | undefined;

  constructor(
    private readonly memory: WebAssembly.Memory,
    /** The control memory's word 0, raised by the engine at the deadline: sleeps wake on it. */
    private readonly deadlineFlag: Int32Array,
    private readonly args: readonly string[],
    private readonly env: readonly string[],
    /** One byte per 4 KiB chunk of guest memory that the reset must restore (see dirty-marking.ts). */
    private readonly dirty: Uint8Array,
  ) {}

  attach(exports: GuestExports): void {
    this.exports = exports;
  }

  // ---- Guest memory, bounds-checked. Every range the host touches is marked for the reset, read or
  // written: marking a read costs a little restore, missing a write would carry data to the next job.

  private bytes(ptr: number, length: number): Uint8Array {
    const buffer = this.memory.buffer;
    if (ptr < 0 || length < 0 || ptr + length > buffer.byteLength) throw new GuestFault(`bad guest range ${ptr}+${length}`);
    this.mark(ptr, length);
    return new Uint8Array(buffer, ptr, length);
  }

  private view(ptr: number, length: number): DataView {
    const buffer = this.memory.buffer;
    if (ptr < 0 || length < 0 || ptr + length > buffer.byteLength) throw new GuestFault(`bad guest range ${ptr}+${length}`);
    this.mark(ptr, length);
    return new DataView(buffer, ptr, length);
  }

  private mark(ptr: number, length: number): void {
    if (length > 0) this.dirty.fill(1, ptr >>> DIRTY_CHUNK_SHIFT, ((ptr + length - 1) >>> DIRTY_CHUNK_SHIFT) + 1);
  }

  private string(ptr: number, length: number): string {
    return decoder.decode(this.bytes(ptr, length));
  }

  private u32(ptr: number, value: number): void {
    this.view(ptr, 4).setUint32(0, value, true);
  }

  private u64(ptr: number, value: bigint): void {
    this.view(ptr, 8).setBigUint64(0, value, true);
  }

  private iovecs(ptr: number, count: number): { buf: number; len: number }[] {
    if (count > 1024) throw new GuestFault('too many iovecs');
    const view = this.view(ptr, count * 8);
    const out = [];
    for (let i = 0; i < count; i++) out.push({ buf: view.getUint32(i * 8, true), len: view.getUint32(i * 8 + 4, true) });
    return out;
  }

  private get current(): Session {
    if (!this.session) throw new GuestFault('no execution is running');
    return this.session;
  }

  private descriptor(fd: number): Descriptor | undefined {
    return this.current.descriptors[fd];
  }

  private allocate(descriptor: Descriptor): number {
    const table = this.current.descriptors;
    for (let fd = 0; fd < MAX_DESCRIPTORS; fd++) {
      if (table[fd] === undefined) {
        table[fd] = descriptor;
        return fd;
      }
    }
    return -1;
  }

  private dirAt(fd: number): DirPlace | number {
    const d = this.descriptor(fd);
    if (!d) return Errno.BADF;
    if (d.kind !== 'dir') return Errno.NOTDIR;
    return d.place;
  }

  private writeFilestat(ptr: number, node: FsNode | 'char'): void {
    const view = this.view(ptr, 64);
    const isChar = node === 'char';
    view.setBigUint64(0, 0n, true);
    view.setBigUint64(8, BigInt(isChar ? 0 : node.ino), true);
    view.setUint8(16, isChar ? FileType.CHARACTER_DEVICE : node.kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE);
    view.setBigUint64(24, 1n, true);
    view.setBigUint64(32, BigInt(isChar || node.kind === 'dir' ? 0 : node.size), true);
    const time = isChar ? 0n : node.mtimeNs;
    view.setBigUint64(40, time, true);
    view.setBigUint64(48, time, true);
    view.setBigUint64(56, time, true);
  }

  // ---- The imports. Each returns an errno; a guest fault becomes INVAL, a host bug propagates.

  readonly imports = {
    host: {
      call: (ptr: number, length: number, outPtrPtr: number, outLenPtr: number): number => {
        try {
          const request = this.bytes(ptr, length).slice();
          const response = this.current.door(request);
          if (!response) return -1;
          if (!this.exports) return -2;
          const out = this.exports.host_alloc(response.length);
          if (!out && response.length > 0) return -2;
          this.bytes(out, response.length).set(response);
          this.u32(outPtrPtr, out);
          this.u32(outLenPtr, response.length);
          return 0;
        } catch (error) {
          if (error instanceof GuestFault) return -2;
          throw error;
        }
      },
    },
    wasi_snapshot_preview1: this.wrapAll({
      args_sizes_get: (countPtr: number, sizePtr: number) => this.listSizes(this.args, countPtr, sizePtr),
      args_get: (listPtr: number, bufPtr: number) => this.listGet(this.args, listPtr, bufPtr),
      environ_sizes_get: (countPtr: number, sizePtr: number) => this.listSizes(this.env, countPtr, sizePtr),
      environ_get: (listPtr: number, bufPtr: number) => this.listGet(this.env, listPtr, bufPtr),
      clock_res_get: (_id: number, ptr: number) => (this.u64(ptr, 1000n), Errno.SUCCESS),
      clock_time_get: (id: number, _precision: bigint, ptr: number) => {
        const now = clockNow(id);
        if (now === undefined) return Errno.INVAL;
        this.u64(ptr, now);
        return Errno.SUCCESS;
      },
      fd_advise: (fd: number) => (this.descriptor(fd) ? Errno.SUCCESS : Errno.BADF),
      fd_close: (fd: number) => {
        if (!this.descriptor(fd)) return Errno.BADF;
        this.current.descriptors[fd] = undefined;
        return Errno.SUCCESS;
      },
      fd_datasync: (fd: number) => (this.descriptor(fd) ? Errno.SUCCESS : Errno.BADF),
      fd_allocate: (fd: number, offset: bigint, length: bigint) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file' || !d.write) return Errno.BADF;
        const end = offset + length;
        if (offset < 0n || length < 0n || end > BigInt(MAX_IO_BYTES) * 64n) return Errno.FBIG;
        return Number(end) > d.node.size ? this.resize(d.node, Number(end)) : Errno.SUCCESS;
      },
      // Rights are not tracked per descriptor beyond read/write: dropping rights is accepted and changes nothing.
      fd_fdstat_set_rights: (fd: number) => (this.descriptor(fd) ? Errno.SUCCESS : Errno.BADF),
      // dup2 in wasi-libc: `to` must be open already (the spec's rule), and a preopen is never replaced.
      fd_renumber: (from: number, to: number) => {
        const table = this.current.descriptors;
        const d = table[from];
        const target = table[to];
        if (!d || !target) return Errno.BADF;
        if (target.kind === 'dir' && target.preopen !== undefined) return Errno.NOTSUP;
        if (from === to) return Errno.SUCCESS;
        table[to] = d;
        table[from] = undefined;
        return Errno.SUCCESS;
      },
      fd_sync: (fd: number) => (this.descriptor(fd) ? Errno.SUCCESS : Errno.BADF),
      fd_fdstat_get: (fd: number, ptr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        const view = this.view(ptr, 24);
        view.setUint8(0, d.kind === 'file' ? FileType.REGULAR_FILE : d.kind === 'dir' ? FileType.DIRECTORY : FileType.CHARACTER_DEVICE);
        view.setUint16(2, d.kind === 'file' && d.append ? FdFlags.APPEND : 0, true);
        const rights = d.kind === 'file' ? (d.read ? RIGHT_FD_READ : 0n) | (d.write ? RIGHT_FD_WRITE : 0n) | (ALL_RIGHTS & ~(RIGHT_FD_READ | RIGHT_FD_WRITE))
          : d.kind === 'sink' ? RIGHT_FD_WRITE : d.kind === 'source' ? RIGHT_FD_READ : ALL_RIGHTS;
        view.setBigUint64(8, rights, true);
        view.setBigUint64(16, ALL_RIGHTS, true);
        return Errno.SUCCESS;
      },
      fd_fdstat_set_flags: (fd: number, flags: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind === 'file') d.append = (flags & FdFlags.APPEND) !== 0;
        return Errno.SUCCESS;
      },
      fd_filestat_get: (fd: number, ptr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        this.writeFilestat(ptr, d.kind === 'file' ? d.node : d.kind === 'dir' ? d.place.node : 'char');
        return Errno.SUCCESS;
      },
      fd_filestat_set_size: (fd: number, size: bigint) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file' || !d.write) return Errno.BADF;
        if (size > BigInt(MAX_IO_BYTES) * 64n) return Errno.FBIG;
        return this.resize(d.node, Number(size));
      },
      fd_filestat_set_times: (fd: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind === 'file') {
          if (d.node.readonly) return Errno.ROFS;
          d.node.mtimeNs = clockNow(Clock.REALTIME)!;
        }
        return Errno.SUCCESS;
      },
      fd_pread: (fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file') return d.kind === 'dir' ? Errno.ISDIR : Errno.SPIPE;
        if (!d.read) return Errno.BADF;
        this.u32(nreadPtr, this.readInto(d.node, Number(offset), iovs, count));
        return Errno.SUCCESS;
      },
      fd_read: (fd: number, iovs: number, count: number, nreadPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind === 'source') {
          const view = { kind: 'file', bytes: d.bytes, size: d.bytes.length } as FileNode;
          const n = this.readInto(view, d.pos, iovs, count);
          d.pos += n;
          this.u32(nreadPtr, n);
          return Errno.SUCCESS;
        }
        if (d.kind !== 'file') return d.kind === 'dir' ? Errno.ISDIR : Errno.BADF;
        if (!d.read) return Errno.BADF;
        const n = this.readInto(d.node, d.pos, iovs, count);
        d.pos += n;
        this.u32(nreadPtr, n);
        return Errno.SUCCESS;
      },
      fd_pwrite: (fd: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file') return d.kind === 'dir' ? Errno.ISDIR : Errno.SPIPE;
        if (!d.write) return Errno.BADF;
        const written = this.writeFrom(d.node, Number(offset), iovs, count);
        if (written < 0) return -written;
        this.u32(nwrittenPtr, written);
        return Errno.SUCCESS;
      },
      fd_write: (fd: number, iovs: number, count: number, nwrittenPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind === 'sink') {
          let total = 0;
          for (const { buf, len } of this.iovecs(iovs, count)) {
            d.write(this.bytes(buf, len));
            total += len;
          }
          this.u32(nwrittenPtr, total);
          return Errno.SUCCESS;
        }
        if (d.kind !== 'file') return d.kind === 'dir' ? Errno.ISDIR : Errno.BADF;
        if (!d.write) return Errno.BADF;
        const at = d.append ? d.node.size : d.pos;
        const written = this.writeFrom(d.node, at, iovs, count);
        if (written < 0) return -written;
        d.pos = at + written;
        this.u32(nwrittenPtr, written);
        return Errno.SUCCESS;
      },
      fd_prestat_get: (fd: number, ptr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'dir' || d.preopen === undefined) return Errno.BADF;
        const view = this.view(ptr, 8);
        view.setUint8(0, 0);
        view.setUint32(4, new TextEncoder().encode(d.preopen).length, true);
        return Errno.SUCCESS;
      },
      fd_prestat_dir_name: (fd: number, ptr: number, length: number) => {
        const d = this.descriptor(fd);
        if (d?.kind !== 'dir' || d.preopen === undefined) return Errno.BADF;
        const name = new TextEncoder().encode(d.preopen);
        if (length < name.length) return Errno.NAMETOOLONG;
        this.bytes(ptr, name.length).set(name);
        return Errno.SUCCESS;
      },
      fd_readdir: (fd: number, buf: number, length: number, cookie: bigint, usedPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'dir') return Errno.NOTDIR;
        const dir = d.place.node;
        const above = d.place.chain.at(-2) ?? dir;
        const entries: [string, FsNode][] = [['.', dir], ['..', above], ...dir.entries];
        const out = this.bytes(buf, length);
        let used = 0;
        for (let i = Number(cookie); i < entries.length && used < length; i++) {
          const [name, node] = entries[i]!;
          const nameBytes = new TextEncoder().encode(name);
          const record = new Uint8Array(DIRENT_HEADER_SIZE + nameBytes.length);
          const view = new DataView(record.buffer);
          view.setBigUint64(0, BigInt(i + 1), true);
          view.setBigUint64(8, BigInt(node.ino), true);
          view.setUint32(16, nameBytes.length, true);
          view.setUint8(20, node.kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE);
          record.set(nameBytes, DIRENT_HEADER_SIZE);
          const fits = Math.min(record.length, length - used);
          out.set(record.subarray(0, fits), used);
          used += fits;
        }
        this.u32(usedPtr, used);
        return Errno.SUCCESS;
      },
      fd_seek: (fd: number, offset: bigint, whence: number, outPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file') return d.kind === 'dir' ? Errno.BADF : Errno.SPIPE;
        const base = whence === Whence.SET ? 0n : whence === Whence.CUR ? BigInt(d.pos) : whence === Whence.END ? BigInt(d.node.size) : -1n;
        if (base < 0n) return Errno.INVAL;
        const target = base + offset;
        if (target < 0n || target > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.INVAL;
        d.pos = Number(target);
        this.u64(outPtr, target);
        return Errno.SUCCESS;
      },
      fd_tell: (fd: number, outPtr: number) => {
        const d = this.descriptor(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== 'file') return Errno.SPIPE;
        this.u64(outPtr, BigInt(d.pos));
        return Errno.SUCCESS;
      },
      path_create_directory: (fd: number, pathPtr: number, pathLen: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        if (found.node) return Errno.EXIST;
        if (found.parent.node.readonly) return Errno.ROFS;
        const inode = this.current.fs.takeInode();
        if (inode !== Errno.SUCCESS) return inode;
        found.parent.node.entries.set(found.name, this.current.fs.newDir());
        return Errno.SUCCESS;
      },
      path_filestat_get: (fd: number, _flags: number, pathPtr: number, pathLen: number, ptr: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        if (!found.node) return Errno.NOENT;
        this.writeFilestat(ptr, found.node);
        return Errno.SUCCESS;
      },
      path_filestat_set_times: (fd: number, _flags: number, pathPtr: number, pathLen: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        if (!found.node) return Errno.NOENT;
        if (found.node.readonly) return Errno.ROFS;
        found.node.mtimeNs = clockNow(Clock.REALTIME)!;
        return Errno.SUCCESS;
      },
      path_link: () => Errno.NOTSUP,
      path_open: (fd: number, _dirflags: number, pathPtr: number, pathLen: number, oflags: number, rights: bigint, _inheriting: bigint, fdflags: number, outPtr: number) =>
        this.open(fd, this.string(pathPtr, pathLen), oflags, rights, fdflags, outPtr),
      path_readlink: (fd: number, pathPtr: number, pathLen: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        return found.node ? Errno.INVAL : Errno.NOENT; // nothing here is a symbolic link
      },
      path_remove_directory: (fd: number, pathPtr: number, pathLen: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        const node = found.node;
        if (!node) return Errno.NOENT;
        if (node.kind !== 'dir') return Errno.NOTDIR;
        if (found.name === '.' || found.parent.node.readonly || node.readonly) return found.name === '.' ? Errno.INVAL : Errno.ROFS;
        if (node.entries.size > 0) return Errno.NOTEMPTY;
        found.parent.node.entries.delete(found.name);
        return Errno.SUCCESS;
      },
      path_rename: (fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
        const from = this.resolve(fd, oldPtr, oldLen);
        if (typeof from === 'number') return from;
        const to = this.resolve(newFd, newPtr, newLen);
        if (typeof to === 'number') return to;
        const node = from.node;
        if (!node) return Errno.NOENT;
        if (from.name === '.' || to.name === '.') return Errno.INVAL;
        if (from.parent.node.readonly || to.parent.node.readonly) return Errno.ROFS;
        if (node.kind === 'dir' && to.parent.chain.includes(node)) return Errno.INVAL;
        const target = to.node;
        if (target === node) return Errno.SUCCESS;
        if (target) {
          if (node.kind === 'dir' && target.kind !== 'dir') return Errno.NOTDIR;
          if (node.kind !== 'dir' && target.kind === 'dir') return Errno.ISDIR;
          if (target.kind === 'dir' && target.entries.size > 0) return Errno.NOTEMPTY;
        }
        from.parent.node.entries.delete(from.name);
        to.parent.node.entries.set(to.name, node);
        return Errno.SUCCESS;
      },
      path_symlink: () => Errno.NOTSUP,
      path_unlink_file: (fd: number, pathPtr: number, pathLen: number) => {
        const found = this.resolve(fd, pathPtr, pathLen);
        if (typeof found === 'number') return found;
        if (!found.node) return Errno.NOENT;
        if (found.node.kind === 'dir') return Errno.ISDIR;
        if (found.parent.node.readonly) return Errno.ROFS;
        found.parent.node.entries.delete(found.name);
        return Errno.SUCCESS;
      },
      poll_oneoff: (inPtr: number, outPtr: number, count: number, neventsPtr: number) => this.poll(inPtr, outPtr, count, neventsPtr),
      proc_exit: (code: number) => {
        throw new GuestExit(code);
      },
      sched_yield: () => Errno.SUCCESS,
      proc_raise: () => Errno.NOTSUP,
      random_get: (ptr: number, length: number) => {
        const target = this.bytes(ptr, length);
        for (let i = 0; i < length; i += 65536) crypto.getRandomValues(target.subarray(i, Math.min(length, i + 65536)));
        return Errno.SUCCESS;
      },
      sock_accept: () => Errno.NOTSUP,
      sock_recv: () => Errno.NOTSUP,
      sock_send: () => Errno.NOTSUP,
      sock_shutdown: () => Errno.NOTSUP,
    }),
  };

  private wrapAll<T extends Record<string, (...args: never[]) => number>>(functions: T): T {
    const wrapped: Record<string, (...args: never[]) => number> = {};
    for (const [name, fn] of Object.entries(functions)) {
      wrapped[name] = (...args: never[]) => {
        try {
          return fn(...args);
        } catch (error) {
          if (error instanceof GuestFault) return Errno.INVAL;
          throw error;
        }
      };
    }
    return wrapped as T;
  }

  private listSizes(list: readonly string[], countPtr: number, sizePtr: number): number {
    this.u32(countPtr, list.length);
    this.u32(sizePtr, list.reduce((sum, item) => sum + new TextEncoder().encode(item).length + 1, 0));
    return Errno.SUCCESS;
  }

  private listGet(list: readonly string[], listPtr: number, bufPtr: number): number {
    let at = bufPtr;
    list.forEach((item, i) => {
      const bytes = new TextEncoder().encode(`${item}\0`);
      this.bytes(at, bytes.length).set(bytes);
      this.u32(listPtr + i * 4, at);
      at += bytes.length;
    });
    return Errno.SUCCESS;
  }

  private resolve(fd: number, pathPtr: number, pathLen: number) {
    const start = this.dirAt(fd);
    if (typeof start === 'number') return start;
    const found = lookup(start, this.string(pathPtr, pathLen));
    return found.ok ? found : found.errno;
  }

  private open(fd: number, path: string, oflags: number, rights: bigint, fdflags: number, outPtr: number): number {
    const start = this.dirAt(fd);
    if (typeof start === 'number') return start;
    const found = lookup(start, path);
    if (!found.ok) return found.errno;
    const fs = this.current.fs;
    const wantsWrite = (rights & RIGHT_FD_WRITE) !== 0n;
    let node = found.node;
    if (!node) {
      if (!(oflags & OpenFlags.CREAT)) return Errno.NOENT;
      if (oflags & OpenFlags.DIRECTORY) return Errno.INVAL;
      if (found.parent.node.readonly) return Errno.ROFS;
      const inode = fs.takeInode();
      if (inode !== Errno.SUCCESS) return inode;
      node = fs.newFile();
      found.parent.node.entries.set(found.name, node);
    } else if (oflags & OpenFlags.CREAT && oflags & OpenFlags.EXCL) {
      return Errno.EXIST;
    }
    let descriptor: Descriptor;
    if (node.kind === 'dir') {
      if (wantsWrite || oflags & OpenFlags.TRUNC) return Errno.ISDIR;
      descriptor = { kind: 'dir', place: placeOf(found.parent, node) };
    } else {
      if (oflags & OpenFlags.DIRECTORY) return Errno.NOTDIR;
      if ((wantsWrite || oflags & OpenFlags.TRUNC) && node.readonly) return Errno.ROFS;
      if (oflags & OpenFlags.TRUNC) {
        node.bytes.fill(0, 0, node.size);
        node.size = 0;
      }
      descriptor = { kind: 'file', node, pos: 0, read: (rights & RIGHT_FD_READ) !== 0n, write: wantsWrite, append: (fdflags & FdFlags.APPEND) !== 0 };
    }
    const opened = this.allocate(descriptor);
    if (opened < 0) return Errno.MFILE;
    this.u32(outPtr, opened);
    return Errno.SUCCESS;
  }

  private readInto(node: FileNode, offset: number, iovs: number, count: number): number {
    let at = offset;
    for (const { buf, len } of this.iovecs(iovs, count)) {
      if (at >= node.size) break;
      const n = Math.min(len, node.size - at);
      if (node.backing) node.backing.readAt(this.bytes(buf, n), at);
      else this.bytes(buf, n).set(node.bytes.subarray(at, at + n));
      at += n;
      if (n < len) break;
    }
    return at - offset;
  }

  /** Bytes written, or a negated errno. */
  private writeFrom(node: FileNode, offset: number, iovs: number, count: number): number {
    const vectors = this.iovecs(iovs, count);
    const total = vectors.reduce((sum, v) => sum + v.len, 0);
    if (total > MAX_IO_BYTES) return -Errno.FBIG;
    const end = offset + total;
    const reserved = this.current.fs.reserve(node, end);
    if (reserved !== Errno.SUCCESS) return -reserved;
    let at = offset;
    for (const { buf, len } of vectors) {
      node.bytes.set(this.bytes(buf, len), at);
      at += len;
    }
    node.size = Math.max(node.size, end);
    node.mtimeNs = clockNow(Clock.REALTIME)!;
    return total;
  }

  private resize(node: FileNode, size: number): number {
    if (node.readonly) return Errno.ROFS;
    if (size < node.size) node.bytes.fill(0, size, node.size);
    else {
      const reserved = this.current.fs.reserve(node, size);
      if (reserved !== Errno.SUCCESS) return reserved;
    }
    node.size = size;
    return Errno.SUCCESS;
  }

  /**
   * Clock subscriptions sleep on the deadline flag (a raised flag wakes the sleep at once, and the next
   * loop check in the guest traps); descriptor subscriptions are always ready (everything is in memory).
   */
  private poll(inPtr: number, outPtr: number, count: number, neventsPtr: number): number {
    if (count === 0 || count > 64) return Errno.INVAL;
    const subscriptions = this.view(inPtr, count * SUBSCRIPTION_SIZE);
    const ready: { userdata: bigint; type: number }[] = [];
    let soonest = Infinity;
    const clocks: { userdata: bigint; at: number }[] = [];
    for (let i = 0; i < count; i++) {
      const base = i * SUBSCRIPTION_SIZE;
      const userdata = subscriptions.getBigUint64(base, true);
      const type = subscriptions.getUint8(base + 8);
      if (type === 0) {
        const id = subscriptions.getUint32(base + 16, true);
        const timeout = subscriptions.getBigUint64(base + 24, true);
        const absolute = (subscriptions.getUint16(base + 40, true) & 1) !== 0;
        const now = clockNow(id);
        if (now === undefined) return Errno.INVAL;
        const waitNs = absolute ? timeout - now : timeout;
        const at = performance.now() + Math.max(0, Number(waitNs) / 1e6);
        clocks.push({ userdata, at });
        soonest = Math.min(soonest, at);
      } else {
        ready.push({ userdata, type });
      }
    }
    if (ready.length === 0) {
      // Tell the engine this worker waits without using a core (its pool may grow for queued jobs).
      Atomics.add(this.deadlineFlag, INTERRUPT_BLOCKED_WORD, 1);
      try {
        for (;;) {
          const left = soonest - performance.now();
          if (left <= 0 || Atomics.load(this.deadlineFlag, 0) !== 0) break;
          Atomics.wait(this.deadlineFlag, 0, 0, Math.min(left, 1000));
        }
      } finally {
        Atomics.sub(this.deadlineFlag, INTERRUPT_BLOCKED_WORD, 1);
      }
      const now = performance.now();
      for (const clock of clocks) if (clock.at <= now || Atomics.load(this.deadlineFlag, 0) !== 0) ready.push({ userdata: clock.userdata, type: 0 });
      if (ready.length === 0) ready.push({ userdata: clocks[0]!.userdata, type: 0 });
    }
    const events = this.view(outPtr, ready.length * EVENT_SIZE);
    ready.forEach((event, i) => {
      const base = i * EVENT_SIZE;
      for (let b = 0; b < EVENT_SIZE; b++) events.setUint8(base + b, 0);
      events.setBigUint64(base, event.userdata, true);
      events.setUint8(base + 10, event.type);
    });
    this.u32(neventsPtr, ready.length);
    return Errno.SUCCESS;
  }
}

function clockNow(id: number): bigint | undefined {
  switch (id) {
    case Clock.REALTIME:
      return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    case Clock.MONOTONIC:
    case Clock.PROCESS_CPUTIME:
    case Clock.THREAD_CPUTIME:
      return BigInt(Math.round(performance.now() * 1e6));
    default:
      return undefined;
  }
}
