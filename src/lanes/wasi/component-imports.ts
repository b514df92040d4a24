/**
 * What a WASI 0.2 component sees, built per execution from @bytecodealliance/preview2-shim's browser
 * implementation (its factories `createCli` and `createFilesystem` make instances that share no state):
 * the same world as a preview1 module's in this lane. An in-memory root `/` holding `inputs.json`, from
 * which `output.json` is read back; stdin (the request's, else the inputs as JSON); stdout and stderr into
 * the lane's capped captures; argv `["main.wasm"]`; an empty environment; clocks and random. Nothing
 * else: no sockets and no HTTP are provided, so a component that imports them does not instantiate.
 *
 * The file system's bytes are charged to the execution's memory limit, as a preview1 module's are, and
 * its entries are capped in number: every call that grows a file or makes an entry is checked before the
 * shim acts (it allocates a write's whole buffer first), a refused one is recorded, and a component that
 * then fails ends as memory_limit. Removing a file gives nothing back (a conservative count).
 */
import { INTERRUPT_BLOCKED_WORD } from '../lane.js';
import { StreamCapture } from '../stream-capture.js';

/** The parts of the shim this file uses (it ships JavaScript with loose types; these are what we rely on). */
export interface Preview2Shim {
  cli: { createCli(config: Record<string, unknown>): Record<string, unknown> & { exit: unknown; environment: unknown; stdin: unknown; stdout: unknown; stderr: unknown } };
  filesystem: {
    createFilesystem(config: { adapter: unknown; preopens: Record<string, FileTree> }): { types: unknown; preopens: unknown; dispose(): void };
    InMemoryFilesystemAdapter: new () => unknown;
  };
  io: { error: unknown; streams: unknown; poll: { Pollable: unknown }; pollableCreate(source?: { ready(): boolean; wait(): Promise<void> }): Pollable };
  clocks: { wallClock: unknown; monotonicClock: { now(): bigint; resolution(): bigint } };
  random: { random: unknown; insecure: unknown; insecureSeed: unknown };
}

/** The shim's pollable, as this file uses it. */
interface Pollable {
  ready(): boolean;
  block?: () => unknown;
}

/** The shim's in-memory tree: a directory maps names to entries, a file holds its bytes in `source`. */
export interface FileTree {
  dir?: Record<string, FileTree>;
  source?: Uint8Array | string;
}

export interface ComponentWorld {
  /** The import object for the transpiled component's `instantiate`. */
  imports: Record<string, unknown>;
  stdout: StreamCapture;
  stderr: StreamCapture;
  /** /output.json when the component wrote one: its text, or its size when that is past `limit`. */
  outputFile(limit: number): { text: string } | { tooLarge: number } | undefined;
  /** Bytes the component's files hold now. */
  fsBytes(): number;
  /** A write was refused because the files would have gone past the room left. */
  readonly fsFull: boolean;
  dispose(): void;
}

export interface ComponentWorldSetup {
  args: readonly string[];
  files: Map<string, Uint8Array>;
  stdin: Uint8Array;
  stdoutBytes: number;
  stderrBytes: number;
  /** Bytes the file system may hold (the execution's memory limit less its linear memory). */
  roomBytes(): number;
  /** The control memory's words (word 0: the deadline flag the engine raises and notifies). */
  deadline: Int32Array;
}

/** Files and directories a component may create (the preview1 host's inode cap). */
const MAX_ENTRIES = 10_000;

/** A refused file system call, thrown before the shim acts: the guest's call fails, or the run traps. */
class FileSystemFull extends Error {
  override readonly name = 'FileSystemFull';
}

/**
 * The world whose writes are being charged: one execution at a time runs in a worker. The shim's
 * Descriptor allocates a write's whole buffer (or a set-size's) before storing it, so a write is checked
 * against the room left before the shim sees it, here; the proxies below then keep the count exact.
 */
let charging: { grow(bytes: number): void; entry(): void } | undefined;
const guardedClasses = new WeakSet<object>();

type DescriptorLike = { stat(): { size: bigint } };
type StreamLike = { write?(buf: Uint8Array): unknown; blockingWriteAndFlush?(buf: Uint8Array): unknown };
type Method = (this: DescriptorLike, ...args: unknown[]) => unknown;

/** The bytes a write reaching `end` adds to a file of `size`. */
const growth = (end: number, size: number) => Math.max(0, end - size);

function chargeFileSystemCalls(types: unknown): void {
  const Descriptor = (types as { Descriptor?: { prototype: object } }).Descriptor;
  if (!Descriptor || guardedClasses.has(Descriptor)) return;
  guardedClasses.add(Descriptor);
  const proto = Descriptor.prototype as Record<string, Method>;
  const size = (descriptor: DescriptorLike) => Number(descriptor.stat().size);
  const wrap = (name: string, before: (self: DescriptorLike, args: unknown[]) => void, after?: (self: DescriptorLike, args: unknown[], result: unknown) => unknown) => {
    const original = proto[name];
    if (typeof original !== 'function') return;
    proto[name] = function (this: DescriptorLike, ...args: unknown[]) {
      before(this, args);
      const result = original.apply(this, args);
      return after ? after(this, args, result) : result;
    };
  };
  wrap('setSize', (self, [length]) => charging?.grow(growth(Number(length), size(self))));
  wrap('write', (self, [buffer, offset]) => charging?.grow(growth(Number(offset) + (buffer as Uint8Array).byteLength, size(self))));
  const positioned = (descriptor: DescriptorLike, stream: StreamLike, start: () => number): StreamLike => {
    let at: number | undefined;
    for (const method of ['write', 'blockingWriteAndFlush'] as const) {
      const write = stream[method];
      if (typeof write !== 'function') continue;
      stream[method] = function (this: unknown, buf: Uint8Array) {
        at ??= start();
        charging?.grow(growth(at + buf.byteLength, size(descriptor)));
        const result = write.call(this, buf);
        at += buf.byteLength;
        return result;
      };
    }
    return stream;
  };
  wrap('writeViaStream', () => undefined, (self, [offset], stream) => positioned(self, stream as StreamLike, () => Number(offset)));
  wrap('appendViaStream', () => undefined, (self, _args, stream) => positioned(self, stream as StreamLike, () => size(self)));
  // Every call that may make an entry counts one (opening an existing file with `create` too: conservative).
  wrap('openAt', (_self, [, , openFlags]) => {
    if ((openFlags as { create?: boolean } | undefined)?.create) charging?.entry();
  });
  for (const name of ['createDirectoryAt', 'symlinkAt', 'linkAt']) wrap(name, () => charging?.entry());
}

export function newComponentWorld(shim: Preview2Shim, setup: ComponentWorldSetup): ComponentWorld {
  const stdout = new StreamCapture(setup.stdoutBytes);
  const stderr = new StreamCapture(setup.stderrBytes);
  let fsBytes = 0;
  let entries = 0;
  let fsFull = false;
  const refuse = (why: string): never => {
    fsFull = true;
    throw new FileSystemFull(why);
  };
  const initial: Record<string, FileTree> = {};
  for (const [name, bytes] of setup.files) initial[name] = { source: bytes };
  const root: FileTree = { dir: initial };

  let stdinAt = 0;
  const decoder = (capture: StreamCapture) => {
    const text = new TextDecoder('utf-8', { fatal: false });
    return {
      write: (bytes: Uint8Array) => capture.write(text.decode(bytes, { stream: true })),
      blockingFlush: () => undefined,
      flush: () => undefined,
    };
  };
  const cli = shim.cli.createCli({
    environment: {},
    arguments: [...setup.args],
    initialCwd: '/',
    stdin: {
      blockingRead(len: bigint | number): Uint8Array {
        if (stdinAt >= setup.stdin.length) throw { tag: 'closed' };
        const chunk = setup.stdin.subarray(stdinAt, stdinAt + Math.min(Number(len), 65536));
        stdinAt += chunk.length;
        return chunk;
      },
      subscribe: () => shim.io.pollableCreate(),
    },
    stdout: decoder(stdout),
    stderr: decoder(stderr),
  });
  const filesystem = shim.filesystem.createFilesystem({ adapter: new shim.filesystem.InMemoryFilesystemAdapter(), preopens: { '/': root } });
  chargeFileSystemCalls(filesystem.types);
  charging = {
    grow(bytes) {
      if (bytes > 0 && fsBytes + bytes > setup.roomBytes()) refuse('the execution memory limit leaves no room for this file');
      fsBytes += bytes;
    },
    entry() {
      if (++entries > MAX_ENTRIES) refuse(`more than ${MAX_ENTRIES} files and directories`);
    },
  };
  // The shim's clocks and poll answer with Promises (they are made for JSPI); a synchronous guest gets a
  // sleep as the preview1 host's poll_oneoff sleeps: on the deadline flag, so the deadline wakes it.
  const flag = setup.deadline;
  const sleepUntil = (at: number) => {
    Atomics.add(flag, INTERRUPT_BLOCKED_WORD, 1);
    try {
      for (;;) {
        const left = at - performance.now();
        if (left <= 0 || Atomics.load(flag, 0) !== 0) return;
        Atomics.wait(flag, 0, 0, Math.min(left, 1000));
      }
    } finally {
      Atomics.sub(flag, INTERRUPT_BLOCKED_WORD, 1);
    }
  };
  const timers = new WeakMap<Pollable, number>();
  const timer = (at: number): Pollable => {
    const pollable = shim.io.pollableCreate({ ready: () => performance.now() >= at || Atomics.load(flag, 0) !== 0, wait: () => Promise.resolve() });
    pollable.block = () => sleepUntil(at);
    timers.set(pollable, at);
    return pollable;
  };
  const clock = shim.clocks.monotonicClock;
  const monotonicClock = {
    now: () => clock.now(),
    resolution: () => clock.resolution(),
    subscribeDuration: (duration: bigint) => timer(performance.now() + Number(duration) / 1e6),
    subscribeInstant: (instant: bigint) => timer(performance.now() + Math.max(0, Number(instant - clock.now())) / 1e6),
  };
  const poll = {
    Pollable: shim.io.poll.Pollable,
    poll(list: Pollable[]): Uint32Array {
      const ready = () => list.flatMap((pollable, i) => (pollable.ready() ? [i] : []));
      let now = ready();
      if (now.length > 0) return new Uint32Array(now);
      const soonest = Math.min(...list.map((pollable) => timers.get(pollable) ?? Number.POSITIVE_INFINITY));
      // Nothing here can become ready but a timer (every stream of this world is always ready).
      if (soonest === Number.POSITIVE_INFINITY) return new Uint32Array([0]);
      sleepUntil(soonest);
      now = ready();
      return new Uint32Array(now.length > 0 ? now : [0]);
    },
  };
  const imports: Record<string, unknown> = {
    'wasi:cli/environment': cli.environment,
    'wasi:cli/exit': cli.exit,
    'wasi:cli/stdin': cli.stdin,
    'wasi:cli/stdout': cli.stdout,
    'wasi:cli/stderr': cli.stderr,
    'wasi:cli/terminal-input': cli['terminalInput'],
    'wasi:cli/terminal-output': cli['terminalOutput'],
    'wasi:cli/terminal-stdin': cli['terminalStdin'],
    'wasi:cli/terminal-stdout': cli['terminalStdout'],
    'wasi:cli/terminal-stderr': cli['terminalStderr'],
    'wasi:filesystem/preopens': filesystem.preopens,
    'wasi:filesystem/types': filesystem.types,
    'wasi:io/error': shim.io.error,
    'wasi:io/streams': shim.io.streams,
    'wasi:io/poll': poll,
    'wasi:clocks/wall-clock': shim.clocks.wallClock,
    'wasi:clocks/monotonic-clock': monotonicClock,
    'wasi:random/random': shim.random.random,
    'wasi:random/insecure': shim.random.insecure,
    'wasi:random/insecure-seed': shim.random.insecureSeed,
  };
  return {
    imports,
    stdout,
    stderr,
    fsBytes: () => fsBytes,
    get fsFull() {
      return fsFull;
    },
    outputFile(limit) {
      const source = root.dir?.['output.json']?.source;
      if (source === undefined) return undefined;
      const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
      if (bytes.byteLength > limit) return { tooLarge: bytes.byteLength };
      return { text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) };
    },
    dispose: () => {
      charging = undefined;
      filesystem.dispose();
    },
  };
}
