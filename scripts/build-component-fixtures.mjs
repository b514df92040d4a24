#!/usr/bin/env node
// Rebuilds the WASI 0.2 components the wasi lane's tests run (test/lanes/wasi/components/*.wasm), from
// the same WebAssembly text as the preview1 tests (test/lanes/wasi/programs.ts): each core module is
// wrapped with the WASI preview1 command adapter by `jco new --wasi-command` (jco pinned below), which
// is how a preview1 program becomes a component. The outputs are committed; run this after changing
// programs.ts or the jco version:   node scripts/build-component-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const JCO = '@bytecodealliance/jco@1.35.0';
const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test/lanes/wasi/components');

// programs.ts and wat.ts are TypeScript: bundled for this run, wabt left to node_modules.
const bundled = await build({
  stdin: { contents: "export * from './programs.ts';\nexport { wat } from './wat.ts';\n", resolveDir: join(root, 'test/lanes/wasi'), loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  external: ['wabt'],
});
/** A command that opens (creating) the file "big" as $fd, with an iovec of 64 KB at 16, then runs `body`. */
function fileWriter(body) {
  return `(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "big")
  (func (export "_start") (local $fd i32)
    (i32.store (i32.const 16) (i32.const 65536))
    (i32.store (i32.const 20) (i32.const 65536))
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8)) (then (call $proc_exit (i32.const 8))))
    (local.set $fd (i32.load (i32.const 8)))
    ${body}))`;
}

const work = await mkdtemp(join(tmpdir(), 'isola-components-'));
try {
  const modulePath = join(root, 'node_modules/.isola-programs.mjs');
  await writeFile(modulePath, bundled.outputFiles[0].text);
  const { copy, exitWith, growBomb, hello, sleepFor, spin, wat } = await import(modulePath);
  await rm(modulePath);
  const components = {
    hello: hello('hello from a component\n'),
    copy: copy('inputs.json', 'output.json'),
    echo: copy(undefined, undefined),
    exit3: exitWith(3),
    spin,
    nap: sleepFor(0.2),
    sleep: sleepFor(30),
    grow: growBomb,
    // Files count against memory_mb: 64 MB written 64 KB at a time, and one byte written 2 GB in.
    'file-bomb': fileWriter('(loop $more (br_if $more (i32.eqz (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))) (call $proc_exit (i32.const 9))'),
    'far-write': fileWriter('(call $proc_exit (call $fd_pwrite (local.get $fd) (i32.const 16) (i32.const 1) (i64.const 2000000000) (i32.const 24)))'),
  };
  for (const [name, text] of Object.entries(components)) {
    const core = join(work, `${name}.core.wasm`);
    await writeFile(core, await wat(text));
    execFileSync('npx', ['--yes', JCO, 'new', core, '--wasi-command', '-o', join(out, `${name}.wasm`)], { stdio: 'inherit', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` } });
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
