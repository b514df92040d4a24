/**
 * One CPython instance, reused for every execution of a worker and returned to the same state after
 * each one: the image (every byte of linear memory and every mutable global, taken after boot) is
 * written back (see memory-image.ts), the memory's grown tail is zeroed, and the WASI session is replaced. Wasm has no other
 * instance state the guest can change: the guard refused any module that mutates tables or segments.
 *
 * What a reset cannot undo is growth of the memory itself (Wasm memories never shrink): past
 * `regrowBytes` the instance and its memory are replaced instead.
 */
import type { BootImage } from './boot-image-file.js';
import { MemoryImage } from './memory-image.js';
import { GuestExit } from '../../wasi/abi.js';
import { WasiHost, type Session } from '../../wasi/wasi-host.js';
import { DIRTY_CHUNK_SHIFT, DIRTY_MAP_PAGES, DIRTY_MEMORY } from '../../wasm/dirty-marking.js';
import { CONTROL_LIMIT_PAGES_WORD, CONTROL_MEMORY, MAIN_MEMORY } from '../../wasm/guard-module.js';

const PAGE = 65536;

export interface GuardedProgram {
  module: WebAssembly.Module;
  initialPages: number;
  maximumPages: number;
  globalExports: string[];
}

interface Exports {
  _initialize(): void;
  turn(ptr: number, length: number): number;
  host_alloc(length: number): number;
}

/** `beforeStart`: the turn's source could not be placed in memory, so no guest code ran (the host's fault). */
export type TurnOutcome = { kind: 'returned'; code: number } | { kind: 'exited'; code: number } | { kind: 'trapped'; message: string; beforeStart?: true };

export class Interpreter {
  private memory!: WebAssembly.Memory;
  private host!: WasiHost;
  private exports!: Exports;
  private globals: WebAssembly.Global[] = [];
  private image: MemoryImage | undefined;
  private globalValues: unknown[] = [];
  /** Chunks written since the image was last restored, marked by the guarded code and the WASI host. */
  private readonly dirtyMemory = new WebAssembly.Memory({ initial: DIRTY_MAP_PAGES, maximum: DIRTY_MAP_PAGES });
  private readonly dirty = new Uint8Array(this.dirtyMemory.buffer);
  /** Tests: a full copy of the image, compared with the whole memory after every reset. */
  private verifyCopy: Uint8Array | undefined;
  /** Bytes the last reset wrote back. */
  lastResetBytes = 0;
  /** Instances made (1 + replacements), for readiness output. */
  instances = 0;

  private constructor(
    private readonly program: GuardedProgram,
    private readonly control: WebAssembly.Memory,
    private readonly args: readonly string[],
    private readonly env: readonly string[],
  ) {}

  /** Instantiates and boots: `_initialize`, then `bootstrap` as a first turn; the image is taken after it. */
  static boot(program: GuardedProgram, control: WebAssembly.Memory, boot: { args: string[]; env: string[]; session: Session; bootstrap: string }): Interpreter {
    const interpreter = new Interpreter(program, control, boot.args, boot.env);
    interpreter.instantiate();
    interpreter.host.session = boot.session;
    interpreter.setLimitPages(program.maximumPages);
    interpreter.exports._initialize();
    const outcome = interpreter.turn(boot.bootstrap);
    if (outcome.kind !== 'returned' || outcome.code !== 0) throw new Error(`cpython: the bootstrap failed (${JSON.stringify(outcome)})`);
    const open = boot.session.descriptors.flatMap((d, fd) => (d && fd > 3 ? [fd] : []));
    if (open.length > 0) throw new Error(`cpython: the bootstrap left descriptors ${open.join(', ')} open; the image would reuse them`);
    interpreter.host.session = undefined;
    interpreter.capture();
    return interpreter;
  }

  /**
   * An interpreter from a boot image another worker or process made (boot-image-file.ts): the same
   * state as boot() leaves, without running CPython's start-up again.
   */
  static restore(program: GuardedProgram, control: WebAssembly.Memory, boot: BootImage): Interpreter {
    const interpreter = new Interpreter(program, control, boot.args, boot.env);
    if (boot.globals.length !== program.globalExports.length) throw new Error(`cpython: the boot image has ${boot.globals.length} globals, the module ${program.globalExports.length}`);
    interpreter.image = boot.image;
    interpreter.globalValues = boot.globals;
    interpreter.createdAt = boot.createdAt;
    interpreter.instantiate();
    boot.image.restoreOntoZero(new Uint8Array(interpreter.memory.buffer));
    interpreter.globals.forEach((global, i) => {
      global.value = boot.globals[i];
    });
    return interpreter;
  }

  /**
   * Runs `code` (an environment's imports) on this freshly obtained interpreter and takes its image
   * again after it, so resets go back to that state. Refused (throws) unless the turn returned 0 and
   * left no descriptor open: the image would reuse them.
   */
  extendImage(session: Session, code: string): void {
    const outcome = this.run(session, code);
    if (outcome.kind !== 'returned' || outcome.code !== 0) throw new Error(`cpython: the image's last turn failed (${JSON.stringify(outcome)})`);
    const open = session.descriptors.flatMap((d, fd) => (d && fd > 3 ? [fd] : []));
    if (open.length > 0) throw new Error(`cpython: the image's last turn left descriptors ${open.join(', ')} open`);
    this.capture();
    if (this.verifyCopy) this.verifyResets();
  }

  /** When the image was taken (ms since the epoch). */
  createdAt = 0;

  /** This interpreter's image, to be written where other workers and processes can restore it. */
  bootImage(): BootImage {
    return { image: this.image!, globals: this.globalValues as (number | bigint)[], args: [...this.args], env: [...this.env], createdAt: this.createdAt };
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The length of linear memory the image was taken of. */
  get imageBytes(): number {
    return this.image?.length ?? 0;
  }

  /** What the image itself holds in this worker's memory (its non-zero extents). */
  get imageStoredBytes(): number {
    return this.image?.storedBytes ?? 0;
  }

  /** The most pages the execution may grow linear memory to (checked by the guard's grow function). */
  setLimitPages(pages: number): void {
    new Uint32Array(this.control.buffer)[CONTROL_LIMIT_PAGES_WORD] = Math.max(0, Math.min(pages, this.program.maximumPages));
  }

  /** Runs `code` as one turn of the interpreter with `session` as its world. */
  run(session: Session, code: string): TurnOutcome {
    this.host.session = session;
    try {
      return this.turn(code);
    } finally {
      this.host.session = undefined;
    }
  }

  /**
   * Puts the image back. Off the request path: called between executions. Only marked chunks are
   * written (each with the chunk after it, which a store starting near its end may reach).
   */
  reset(regrowBytes: number): void {
    const image = this.image!;
    if (this.memory.buffer.byteLength > image.length + regrowBytes) {
      this.instantiate();
      image.restoreOntoZero(new Uint8Array(this.memory.buffer));
      this.lastResetBytes = image.length;
    } else {
      this.lastResetBytes = this.restoreDirty(image);
    }
    this.dirty.fill(0);
    this.globals.forEach((global, i) => {
      global.value = this.globalValues[i];
    });
    if (this.verifyCopy) this.verify();
  }

  /** Keep a full copy of the image and check every reset against it (tests only: it doubles the memory). */
  verifyResets(): void {
    const copy = new Uint8Array(this.image!.length);
    this.image!.restore(copy);
    this.verifyCopy = copy;
  }

  private restoreDirty(image: MemoryImage): number {
    return image.restoreDirty(new Uint8Array(this.memory.buffer), this.dirty);
  }

  private verify(): void {
    const memory = new Uint32Array(this.memory.buffer);
    const copy = new Uint32Array(this.verifyCopy!.buffer);
    for (let i = 0; i < memory.length; i++) {
      if (memory[i] !== (i < copy.length ? copy[i] : 0)) throw new Error(`cpython: the reset left byte ${i * 4} (chunk ${(i * 4) >>> DIRTY_CHUNK_SHIFT}) different from the image`);
    }
  }

  private instantiate(): void {
    const initial = this.image ? this.image.length / PAGE : this.program.initialPages;
    this.memory = new WebAssembly.Memory({ initial, maximum: this.program.maximumPages });
    this.host = new WasiHost(this.memory, new Int32Array(this.control.buffer), this.args, this.env, this.dirty);
    const instance = new WebAssembly.Instance(this.program.module, {
      ...this.host.imports,
      [MAIN_MEMORY.module]: { [MAIN_MEMORY.name]: this.memory, [CONTROL_MEMORY.name]: this.control, [DIRTY_MEMORY.name]: this.dirtyMemory },
    } as WebAssembly.Imports);
    this.exports = instance.exports as unknown as Exports;
    this.host.attach(this.exports);
    this.globals = this.program.globalExports.map((name) => instance.exports[name] as WebAssembly.Global);
    this.instances++;
  }

  private capture(): void {
    this.image = MemoryImage.capture(new Uint8Array(this.memory.buffer));
    this.createdAt = Date.now();
    this.dirty.fill(0);
    this.globalValues = this.globals.map((global) => global.value);
  }

  private turn(code: string): TurnOutcome {
    try {
      const source = new TextEncoder().encode(code);
      const ptr = this.exports.host_alloc(source.length);
      if (!ptr) return { kind: 'trapped', message: 'out of memory before the turn started', beforeStart: true };
      new Uint8Array(this.memory.buffer, ptr, source.length).set(source);
      if (source.length > 0) this.dirty.fill(1, ptr >>> DIRTY_CHUNK_SHIFT, ((ptr + source.length - 1) >>> DIRTY_CHUNK_SHIFT) + 1);
      return { kind: 'returned', code: this.exports.turn(ptr, source.length) };
    } catch (error) {
      if (error instanceof GuestExit) return { kind: 'exited', code: error.code };
      if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return { kind: 'trapped', message: error.message };
      throw error;
    }
  }
}
