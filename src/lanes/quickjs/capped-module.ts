/**
 * A QuickJS WebAssembly module whose linear memory cannot grow past the running job's memory cap.
 *
 * QuickJS's own limit (JS_SetMemoryLimit) is not enough: it bounds single allocations rather than the
 * runtime's total for strings and typed arrays (quickjs-emscripten #271), so a guest can grow the Wasm
 * heap to its 2 GB maximum. We therefore wrap Emscripten's heap-resize import: growth beyond
 * `baseline + cap` is refused, malloc returns NULL, and QuickJS raises "out of memory" at once.
 * Memory never shrinks, so a module that grew larger than the next job's cap is replaced.
 */
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

export interface CappedModule {
  module: QuickJSWASMModule;
  /** Bytes of linear memory right after start-up: the interpreter itself, before any job. */
  baselineBytes: number;
  currentBytes(): number;
  /** Cap for the next allocations, counted on top of the baseline. */
  setCap(bytes: number): void;
  /** Whether growth was refused since the last call (the job hit its cap). */
  takeRefusal(): boolean;
}

type ImportObject = Record<string, Record<string, unknown>>;

export async function newCappedModule(base: QuickJSSyncVariant, wasm: WebAssembly.Module): Promise<CappedModule> {
  let capBytes = Number.POSITIVE_INFINITY;
  let baselineBytes = 0;
  let refused = false;
  // The build imports its memory (16 MiB initial, 2 GiB maximum); creating it here gives us a handle on it.
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 32768 });

  const variant = newVariant(base, {
    emscriptenModule: {
      wasmMemory: memory,
      instantiateWasm(imports: ImportObject, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        wrapResize(imports, (requestedBytes) => {
          if (requestedBytes > baselineBytes + capBytes) {
            refused = true;
            return false;
          }
          return true;
        });
        void WebAssembly.instantiate(wasm, imports as WebAssembly.Imports).then((instance) => receive(instance, wasm));
        return {};
      },
    } as never,
  });
  const module = await newQuickJSWASMModuleFromVariant(variant);
  baselineBytes = memory.buffer.byteLength;
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
  };
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
