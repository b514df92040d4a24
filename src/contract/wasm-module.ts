/**
 * What a `language: "wasm"` request's `code` must be before any lane sees it: the base64 of a
 * WebAssembly core module that WebAssembly.validate accepts, that imports nothing but
 * wasi_snapshot_preview1 functions, defines its one 32-bit unshared memory and exports it as `memory`,
 * and exports `_start` (a WASI command); or of a WASI 0.2 component (its header says so), which only the
 * lane's transpiler can read. Anything else is a 400 naming `code` (or `module.id` for an uploaded
 * module), not a run that fails.
 *
 * Portable: the sections are read with the guard's own reader (src/wasm/bytes.ts), not WebAssembly.Module,
 * so checking costs no compilation and works where compiling from bytes is refused (workerd).
 */
import { base64ToBytes } from '../lanes/base64.js';
import { WASI_PREVIEW1_FUNCTIONS, WASI_PREVIEW1_MODULE } from '../wasi/abi.js';
import { Reader, WasmFormatError } from '../wasm/bytes.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KNOWN_FUNCTIONS = new Set(WASI_PREVIEW1_FUNCTIONS);
const KIND_NAMES = ['function', 'table', 'memory', 'global', 'tag'];

/** Why `code` is not a runnable WASI module (a message for the `code` field), or undefined when it is. */
export function wasmModuleIssue(code: string): string | undefined {
  const text = code.trim();
  if (text.length === 0) return 'must be a base64-encoded WebAssembly module, got an empty string';
  if (text.length % 4 !== 0 || !BASE64.test(text)) return 'must be a base64-encoded WebAssembly module (standard alphabet, padded, no line breaks)';
  return wasmBytesIssue(base64ToBytes(text));
}

/**
 * Why these bytes are not a runnable WASI module, or undefined when they are: the check of `code` after
 * base64, and of an uploaded module (`module.id`) as the blob store holds it.
 */
export function wasmBytesIssue(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return 'is not a WebAssembly module (no \\0asm header)';
  // A component (WASI 0.2) is jco's to read when the lane transpiles it: one that does not transpile fails its run.
  if (isWasmComponent(bytes)) return undefined;
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) return 'is a future WebAssembly format version; core modules (version 1) and components (version 0x0d, layer 1) run here';
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return 'is not a valid WebAssembly module (WebAssembly.validate refused it)';
  try {
    return shapeIssue(bytes);
  } catch (error) {
    // validate() accepted it, so only a section this reader does not know gets here.
    if (error instanceof WasmFormatError) return `could not be read: ${error.message}`;
    throw error;
  }
}

/** The component model's header: `\0asm`, version 0x0d, layer 1 (what WASI 0.2 components are). */
export function isWasmComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d && bytes[4] === 0x0d && bytes[5] === 0 && bytes[6] === 1 && bytes[7] === 0;
}

function shapeIssue(bytes: Uint8Array): string | undefined {
  const r = new Reader(bytes, 8);
  let memories = 0;
  let memoryFlags = 0;
  const exports = new Map<string, number>();
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    const body = new Reader(bytes, r.pos, end);
    if (id === 2) {
      const count = body.u32();
      for (let i = 0; i < count; i++) {
        const module = body.name();
        const name = body.name();
        const kind = body.u8();
        if (module !== WASI_PREVIEW1_MODULE || kind !== 0) {
          return `imports ${KIND_NAMES[kind] ?? `kind ${kind}`} "${module}"."${name}": a wasm module may import only ${WASI_PREVIEW1_MODULE} functions`;
        }
        if (!KNOWN_FUNCTIONS.has(name)) return `imports "${module}"."${name}", which is not a ${WASI_PREVIEW1_MODULE} function`;
        body.u32();
      }
    } else if (id === 5) {
      memories += body.u32();
      if (memories > 0) memoryFlags = body.u8();
    } else if (id === 7) {
      const count = body.u32();
      for (let i = 0; i < count; i++) {
        const name = body.name();
        const kind = body.u8();
        body.u32();
        exports.set(name, kind);
      }
    }
    r.skip(size);
  }
  if (memories !== 1) return `defines ${memories} memories; a WASI module defines exactly one`;
  if (memoryFlags & ~1) return 'has a shared or 64-bit memory, which this lane does not run';
  if (exports.get('memory') !== 2) return 'does not export its memory as "memory"';
  if (exports.get('_start') !== 0) return 'does not export a "_start" function (a WASI command module); reactors are not run';
  return undefined;
}
