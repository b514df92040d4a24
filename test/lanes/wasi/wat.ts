/**
 * WebAssembly text to module bytes for the tests (wabt's wat2wasm, compiled to JS), and the request
 * field that carries a module: `code` as base64.
 */
import wabt from 'wabt';

let loaded: ReturnType<typeof wabt> | undefined;

export async function wat(text: string): Promise<Uint8Array> {
  loaded ??= wabt();
  const module = (await loaded).parseWat('test.wat', text, { tail_call: true, bulk_memory: true, multi_value: true, exceptions: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

export async function watBase64(text: string): Promise<string> {
  return Buffer.from(await wat(text)).toString('base64');
}

/** WASI imports the test modules use, by name. */
export const WASI = {
  fd_write: '(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))',
  fd_read: '(import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))',
  path_open: '(import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))',
  fd_close: '(import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))',
  proc_exit: '(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))',
};

/** A command that writes `text` to stdout (fd 1) and returns. */
export function helloWat(text: string): string {
  const bytes = Buffer.from(text);
  return `(module ${WASI.fd_write}
  (memory (export "memory") 1)
  (data (i32.const 64) "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const ${bytes.length}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;
}
