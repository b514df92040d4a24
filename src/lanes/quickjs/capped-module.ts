/**
 * A QuickJS WebAssembly module whose linear memory cannot grow past the running job's memory cap, and
 * whose every write to that memory is recorded in a dirty map, so that a heap image can be put back in
 * place after each execution (heap-image.ts).
 *
 * QuickJS's own limit (JS_SetMemoryLimit) is not enough: it bounds single allocations rather than the
 * runtime's total for strings and typed arrays (quickjs-emscripten #271), so a guest can grow the Wasm
 * heap to its 2 GB maximum. We therefore wrap Emscripten's heap-resize import: growth beyond
 * `baseline + cap` is refused, malloc returns NULL, and QuickJS raises "out of memory" at once.
 * Memory never shrinks, so a module that grew larger than the next job's cap is replaced.
 *
 * The module is the guard's rewrite of the variant's .wasm (quickjs-wasm.ts): Wasm stores mark their
 * 4 KiB chunk themselves; the writes Emscripten's glue and quickjs-emscripten make from JavaScript are
 * marked here (js-write-marks.ts).
 */
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { DIRTY_MAP_PAGES, DIRTY_MEMORY } from '../../wasm/dirty-marking.js';
import { CONTROL_MEMORY, guardFacts } from '../../wasm/guard-module.js';
import { markGlueWrites, markImportWrites, type WriteMarker } from './js-write-marks.js';

export interface CappedModule {
  module: QuickJSWASMModule;
  /** Bytes of linear memory right after start-up: the interpreter itself, before any job. */
  baselineBytes: number;
  currentBytes(): number;
  /** Cap for the next allocations, counted on top of the baseline. */
  setCap(bytes: number): void;
  /** Whether growth was refused since the last call (the job hit its cap). */
  takeRefusal(): boolean;
  memory: WebAssembly.Memory;
  /** One byte per 4 KiB chunk of `memory`: 1 when something wrote the chunk since the map was cleared. */
  dirty: Uint8Array;
  /** End of the data segments the instantiation wrote (unmarked), if the guard could tell. */
  dataEnd: number | undefined;
  /** The module's mutable globals (the stack pointer), in the guard's export order. */
  globals: WebAssembly.Global[];
  /**
   * Whether the Emscripten runtime aborted (a trap, an assertion) or armed one of its own timers: the
   * module must not be used again.
   */
  unusable(): boolean;
}

type ImportObject = Record<string, Record<string, unknown>>;

export async function newCappedModule(base: QuickJSSyncVariant, wasm: WebAssembly.Module, control?: WebAssembly.Memory): Promise<CappedModule> {
  const facts = guardFacts(wasm);
  if (!facts) throw new Error('quickjs: the module was not written by the guard (no dirty marking)');
  let capBytes = Number.POSITIVE_INFINITY;
  let baselineBytes = 0;
  let refused = false;
  let unusable = false;
  let instance: WebAssembly.Instance | undefined;
  // The build imports its memory (16 MiB initial, 2 GiB maximum); creating it here gives us a handle on it.
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 32768 });
  const dirtyMemory = new WebAssembly.Memory({ initial: DIRTY_MAP_PAGES, maximum: DIRTY_MAP_PAGES });
  const dirty = new Uint8Array(dirtyMemory.buffer);
  const mark: WriteMarker = (from, length) => {
    if (length > 0) dirty.fill(1, from >>> 12, ((from + length - 1) >>> 12) + 1);
  };

  const variant = newVariant(base, {
    emscriptenModule: {
      wasmMemory: memory,
      onAbort: () => {
        unusable = true;
      },
      instantiateWasm(imports: ImportObject, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        wrapResize(imports, (requestedBytes) => {
          if (requestedBytes > baselineBytes + capBytes) {
            refused = true;
            return false;
          }
          return true;
        });
        // An Emscripten timer calls back into the Wasm later, possibly after a restore: QuickJS's JS API
        // never arms one (no os module in this build), and if it ever did the module is not reused.
        wrapTimerImports(imports, () => {
          unusable = true;
        });
        markImportWrites(imports, memory, mark);
        imports[CONTROL_MEMORY.module] = {
          // A module guarded with an unshared control memory (isola/edge's, for pages that cannot share
          // memory) gets one of its own: QuickJS's deadline is its interrupt handler, not this flag.
          [CONTROL_MEMORY.name]:
            facts.sharedControl === false ? new WebAssembly.Memory({ initial: 1, maximum: 1 }) : (control ?? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })),
          [DIRTY_MEMORY.name]: dirtyMemory,
        };
        void WebAssembly.instantiate(wasm, imports as WebAssembly.Imports).then((created) => {
          instance = created;
          receive(created, wasm);
        });
        return {};
      },
    } as never,
  });
  const module = await newQuickJSWASMModuleFromVariant(variant);
  // quickjs-emscripten's own writes (strings, argument arrays) go through the Emscripten module object.
  markGlueWrites((module as unknown as { module: Record<string, unknown> }).module, memory, mark);
  baselineBytes = memory.buffer.byteLength;
  const exports = instance!.exports;
  return {
    module,
    baselineBytes,
    currentBytes: () => memory.buffer.byteLength,
    setCap(bytes) {
      capBytes = bytes;
      refused = false;
    },
    takeRefusal() {
      const was = refused;
      refused = false;
      return was;
    },
    memory,
    dirty,
    dataEnd: facts.dataEnd,
    globals: facts.globalExports.map((name) => exports[name] as WebAssembly.Global),
    unusable: () => unusable,
  };
}

function wrapTimerImports(imports: ImportObject, armed: () => void): void {
  for (const namespace of Object.values(imports)) {
    for (const [name, value] of Object.entries(namespace)) {
      if (typeof value === 'function' && /setTimeout\(/.test(Function.prototype.toString.call(value))) {
        const inner = value as (...args: unknown[]) => unknown;
        namespace[name] = (...args: unknown[]) => {
          armed();
          return inner(...args);
        };
      }
    }
  }
}

/**
 * Emscripten's `emscripten_resize_heap` is the only import that grows memory; the build minifies its
 * name, so it is found by what it does. Exactly one candidate must match, or we refuse to start rather
 * than run without a memory cap.
 */
function wrapResize(imports: ImportObject, allow: (requestedBytes: number) => boolean): void {
  const matches: [Record<string, unknown>, string, (size: number) => unknown][] = [];
  for (const namespace of Object.values(imports)) {
    for (const [name, value] of Object.entries(namespace)) {
      if (typeof value === 'function' && /\.grow\(/.test(Function.prototype.toString.call(value))) {
        matches.push([namespace, name, value as (size: number) => unknown]);
      }
    }
  }
  if (matches.length !== 1) throw new Error(`quickjs: expected one heap-resize import, found ${matches.length}`);
  const [namespace, name, resize] = matches[0]!;
  namespace[name] = (requested: number) => (allow(requested >>> 0) ? resize(requested) : false);
}
