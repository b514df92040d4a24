/**
 * The writes into QuickJS's linear memory that JavaScript makes, marked in the dirty map like the
 * module's own stores (which the guard marks inside the Wasm), so that a heap-image reset restores them.
 *
 * Emscripten's glue and quickjs-emscripten write memory from JavaScript in exactly three ways (read from
 * @jitl/quickjs-wasmfile-release-sync's emscripten-module.mjs and quickjs-emscripten-core's memory.ts;
 * test/lanes/quickjs/heap-image.test.ts fails if the list of string-taking exports changes):
 * 1. into buffers from `_malloc` (strings, argument arrays, out-pointers): the whole buffer is marked
 *    when it is handed out;
 * 2. `ccall` string arguments, copied onto the Wasm stack before the export is called: the export is
 *    looked up on the module object at each call, so a wrapper marks its string arguments;
 * 3. imports that fill a struct the C code passed (localtime, tzset, environ_get, fd_write's count):
 *    each import is wrapped, and every argument that is an address in memory has its chunk marked. The
 *    reset also restores the chunk after each marked one, so a write of up to 4 KiB from that address
 *    is covered; these imports write at most a few hundred bytes.
 */

export type WriteMarker = (from: number, length: number) => void;

/** Exports that take C strings through ccall, and the argument positions of those strings (ffi.mjs). */
export const STRING_ARGUMENT_EXPORTS: Readonly<Record<string, readonly number[]>> = {
  QTS_Eval: [3],
  QTS_NewFunction: [1],
  QTS_TestStringArg: [0],
};

type Fn = (...args: unknown[]) => unknown;

export function markImportWrites(imports: Record<string, Record<string, unknown>>, memory: WebAssembly.Memory, mark: WriteMarker): void {
  for (const namespace of Object.values(imports)) {
    for (const [name, value] of Object.entries(namespace)) {
      if (typeof value !== 'function') continue;
      const inner = value as Fn;
      namespace[name] = function marked(this: unknown, ...args: unknown[]) {
        try {
          return inner.apply(this, args);
        } finally {
          const size = memory.buffer.byteLength;
          for (const arg of args) if (typeof arg === 'number' && arg > 0 && arg < size) mark(arg, 1);
        }
      };
    }
  }
}

export function markGlueWrites(emscripten: Record<string, unknown>, memory: WebAssembly.Memory, mark: WriteMarker): void {
  const malloc = emscripten['_malloc'] as ((size: number) => number) | undefined;
  if (typeof malloc !== 'function') throw new Error('quickjs: the Emscripten module has no _malloc to mark');
  emscripten['_malloc'] = (size: number) => {
    const pointer = malloc(size);
    if (pointer) mark(pointer, size);
    return pointer;
  };
  for (const [name, positions] of Object.entries(STRING_ARGUMENT_EXPORTS)) {
    const inner = emscripten[`_${name}`] as Fn | undefined;
    if (typeof inner !== 'function') throw new Error(`quickjs: the Emscripten module has no _${name} to mark`);
    emscripten[`_${name}`] = (...args: unknown[]) => {
      const bytes = new Uint8Array(memory.buffer);
      for (const position of positions) {
        const pointer = args[position];
        if (typeof pointer === 'number' && pointer > 0 && pointer < bytes.length) {
          const end = bytes.indexOf(0, pointer);
          mark(pointer, (end < 0 ? bytes.length : end + 1) - pointer);
        }
      }
      return inner(...args);
    };
  }
}
