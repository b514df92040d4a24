/**
 * One CPython instance, reused for every execution of a worker and returned to the same state after
 * each one: the image (every byte of linear memory and every mutable global, taken after boot) is
 * copied back, the memory's grown tail is zeroed, and the WASI session is replaced. Wasm has no other
 * instance state the guest can change: the guard refused any module that mutates tables or segments.
 *
 * What a reset cannot undo is growth of the memory itself (Wasm memories never shrink): past
 * `regrowBytes` the instance and its memory are replaced instead.
 */
import { GuestExit } from './wasi/abi.js';
import { WasiHost, type Session } from './wasi/wasi-host.js';
import { CONTROL_LIMIT_PAGES_WORD, CONTROL_MEMORY, MAIN_MEMORY } from './wasm/guard-module.js';

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
  private image: Uint8Array | undefined;
  private globalValues: unknown[] = [];
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

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  get imageBytes(): number {
    return this.image?.length ?? 0;
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

  /** Puts the image back. Off the request path: called between executions. */
  reset(regrowBytes: number): void {
    const image = this.image!;
    if (this.memory.buffer.byteLength > image.length + regrowBytes) {
      this.instantiate();
    }
    const bytes = new Uint8Array(this.memory.buffer);
    bytes.set(image);
    if (bytes.length > image.length) bytes.fill(0, image.length);
    this.globals.forEach((global, i) => {
      global.value = this.globalValues[i];
    });
  }

  private instantiate(): void {
    const initial = this.image ? this.image.length / PAGE : this.program.initialPages;
    this.memory = new WebAssembly.Memory({ initial, maximum: this.program.maximumPages });
    this.host = new WasiHost(this.memory, new Int32Array(this.control.buffer), this.args, this.env);
    const instance = new WebAssembly.Instance(this.program.module, {
      ...this.host.imports,
      [MAIN_MEMORY.module]: { [MAIN_MEMORY.name]: this.memory, [CONTROL_MEMORY.name]: this.control },
    } as WebAssembly.Imports);
    this.exports = instance.exports as unknown as Exports;
    this.host.attach(this.exports);
    this.globals = this.program.globalExports.map((name) => instance.exports[name] as WebAssembly.Global);
    this.instances++;
  }

  private capture(): void {
    this.image = new Uint8Array(this.memory.buffer).slice();
    this.globalValues = this.globals.map((global) => global.value);
  }

  private turn(code: string): TurnOutcome {
    try {
      const source = new TextEncoder().encode(code);
      const ptr = this.exports.host_alloc(source.length);
      if (!ptr) return { kind: 'trapped', message: 'out of memory before the turn started', beforeStart: true };
      new Uint8Array(this.memory.buffer, ptr, source.length).set(source);
      return { kind: 'returned', code: this.exports.turn(ptr, source.length) };
    } catch (error) {
      if (error instanceof GuestExit) return { kind: 'exited', code: error.code };
      if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return { kind: 'trapped', message: error.message };
      throw error;
    }
  }
}
