/**
 * One execution of a guarded module (src/wasm/guard-module.ts, `instances: 'fresh'`) in an instance of
 * its own: a new linear memory capped at the execution's limit, a new WASI host over a new session, and
 * nothing kept afterwards. The guard's rewrites give the deadline (every loop and function entry checks
 * word 0 of the control memory, which the engine raises) and the memory cap (every memory.grow asks
 * word 1, lowered as the execution's files grow). Portable.
 */
import { GuestExit } from '../../wasi/abi.js';
import { WasiHost } from '../../wasi/wasi-host.js';
import { DIRTY_MAP_PAGES, DIRTY_MEMORY } from '../../wasm/dirty-marking.js';
import { CONTROL_LIMIT_PAGES_WORD, CONTROL_MEMORY, CONTROL_REFUSED_WORD, MAIN_MEMORY } from '../../wasm/guard-module.js';
import { newLaneSession, type LaneSession } from './session.js';

export const PAGE = 65536;
export const MAX_PAGES = 65536;

export interface GuardedProgram {
  module: WebAssembly.Module;
  initialPages: number;
  /** Export names of the module's mutable globals (the guard exports them), for images. */
  globalExports?: readonly string[];
}

/**
 * An instance's state after a boot (Ruby's interpreter after start-up): all of linear memory and every
 * mutable global. A module the guard accepts for reuse (no table or segment mutation) has no other state,
 * so a fresh instance with this copied in is the booted instance, again, for every execution.
 */
export interface InstanceImage {
  memory: Uint8Array;
  globals: readonly (number | bigint)[];
}

export interface InstanceSetup {
  args: readonly string[];
  files: Map<string, Uint8Array>;
  directories?: Record<string, Map<string, Uint8Array>>;
  stdin: Uint8Array;
  layer?: LaneSession['fs']['root'];
  memoryBytes: number;
  stdoutBytes: number;
  stderrBytes: number;
  /** Imports besides WASI and the guard's (Ruby's JS-interop functions, stubbed). */
  extraImports?: WebAssembly.Imports;
  /** Start from this image instead of the module's initial memory. */
  image?: InstanceImage;
  /**
   * With `image`: a memory of exactly the image's size to reuse (the last execution's, which did not
   * grow). Every byte is overwritten with the image, so it is the image again; reusing it saves mapping
   * and faulting in ~65 MB. Its maximum must not be below the execution's limit (use MAX_PAGES).
   */
  memory?: WebAssembly.Memory;
}

/** How the run ended, before it is read as a result. */
export type InstanceEnd =
  | { kind: 'returned'; value: unknown }
  | { kind: 'exited'; code: number }
  | { kind: 'trapped'; message: string; stack: boolean }
  /** The module's own initial memory is larger than the execution's limit: nothing ran. */
  | { kind: 'too_large'; initialBytes: number };

export interface InstanceRun {
  end: InstanceEnd;
  session: LaneSession;
  deadlineRaised: boolean;
  /** A memory.grow was refused at the limit (or memory and files are within two pages of it). */
  memoryFull: boolean;
  /** The instance's memory (undefined when it never started). */
  memory: WebAssembly.Memory | undefined;
}

/** WebAssembly.Exception (exception handling), which TypeScript's DOM/ES libs do not declare yet. */
const WasmException = (WebAssembly as unknown as { Exception?: abstract new (...args: never[]) => object }).Exception;

/** Unused by fresh instances (nothing is reset), but the guarded module imports it: one per worker. */
let dirtyMemory: WebAssembly.Memory | undefined;

/**
 * `start` receives the instance's exports and memory and runs the guest (a command's `_start`, Ruby's
 * init and eval); its return value is reported as `returned`.
 */
export function runFreshInstance(
  program: GuardedProgram,
  control: WebAssembly.Memory,
  setup: InstanceSetup,
  start: (exports: WebAssembly.Exports, memory: WebAssembly.Memory) => unknown,
): InstanceRun {
  const limitBytes = setup.memoryBytes;
  const limitPages = Math.min(MAX_PAGES, Math.floor(limitBytes / PAGE));
  const words = new Uint32Array(control.buffer);
  const deadline = new Int32Array(control.buffer);
  let memory: WebAssembly.Memory | undefined;
  const session = newLaneSession({
    ...(setup.layer ? { layer: setup.layer } : {}),
    files: setup.files,
    ...(setup.directories ? { directories: setup.directories } : {}),
    stdin: setup.stdin,
    stdoutBytes: setup.stdoutBytes,
    stderrBytes: setup.stderrBytes,
    roomBytes: (fsBytes) => limitBytes - fsBytes - (memory?.buffer.byteLength ?? 0),
    onCharge: (fsBytes) => {
      words[CONTROL_LIMIT_PAGES_WORD] = Math.max(0, Math.floor((limitBytes - fsBytes) / PAGE));
    },
  });
  const finish = (end: InstanceEnd): InstanceRun => ({
    end,
    session,
    deadlineRaised: Atomics.load(deadline, 0) !== 0,
    memoryFull: words[CONTROL_REFUSED_WORD] !== 0 || (memory?.buffer.byteLength ?? 0) + session.fsBytes() + 2 * PAGE > limitBytes,
    memory,
  });
  const initialPages = setup.image ? setup.image.memory.length / PAGE : program.initialPages;
  if (initialPages > limitPages) return finish({ kind: 'too_large', initialBytes: initialPages * PAGE });
  words[CONTROL_LIMIT_PAGES_WORD] = limitPages;
  words[CONTROL_REFUSED_WORD] = 0;
  const reusable = setup.image && setup.memory?.buffer.byteLength === setup.image.memory.length ? setup.memory : undefined;
  memory = reusable ?? new WebAssembly.Memory({ initial: initialPages, maximum: setup.image ? MAX_PAGES : Math.max(initialPages, limitPages) });
  dirtyMemory ??= new WebAssembly.Memory({ initial: DIRTY_MAP_PAGES, maximum: DIRTY_MAP_PAGES });
  // An empty environment; marks of guest ranges (for image resets) have nowhere to go and are not needed.
  const host = new WasiHost(memory, deadline, setup.args, [], new Uint8Array(0));
  host.session = session;
  try {
    const instance = new WebAssembly.Instance(program.module, {
      ...setup.extraImports,
      wasi_snapshot_preview1: host.imports.wasi_snapshot_preview1,
      [MAIN_MEMORY.module]: { [MAIN_MEMORY.name]: memory, [CONTROL_MEMORY.name]: control, [DIRTY_MEMORY.name]: dirtyMemory },
    } as WebAssembly.Imports);
    if (setup.image) restoreImage(instance, memory, program, setup.image);
    return finish({ kind: 'returned', value: start(instance.exports, memory) });
  } catch (error) {
    if (error instanceof GuestExit) return finish({ kind: 'exited', code: error.code });
    if (error instanceof RangeError) return finish({ kind: 'trapped', message: error.message, stack: /call stack/i.test(error.message) });
    if (error instanceof WebAssembly.RuntimeError) return finish({ kind: 'trapped', message: error.message, stack: false });
    // A Wasm exception (exception handling's `throw`) that no guest frame caught: the module's own end.
    if (WasmException && error instanceof WasmException) return finish({ kind: 'trapped', message: 'an uncaught WebAssembly exception', stack: false });
    throw error;
  } finally {
    host.session = undefined;
  }
}

function restoreImage(instance: WebAssembly.Instance, memory: WebAssembly.Memory, program: GuardedProgram, image: InstanceImage): void {
  // After instantiation: its active data segments were just written over the memory the image replaces.
  new Uint8Array(memory.buffer).set(image.memory);
  const names = program.globalExports ?? [];
  if (names.length !== image.globals.length) throw new Error(`wasi: the image has ${image.globals.length} globals, the module ${names.length}`);
  names.forEach((name, i) => {
    (instance.exports[name] as WebAssembly.Global).value = image.globals[i];
  });
}

/** The image of an instance now: a copy of its memory and its mutable globals' values. */
export function captureImage(exports: WebAssembly.Exports, memory: WebAssembly.Memory, program: GuardedProgram): InstanceImage {
  return {
    memory: new Uint8Array(memory.buffer).slice(),
    globals: (program.globalExports ?? []).map((name) => (exports[name] as WebAssembly.Global).value as number | bigint),
  };
}
