/**
 * Small WASI command modules, in WebAssembly text, that the wasi lane's tests run: each does one thing a
 * user's module would (print, copy a file, exit with a code) or one thing an attacker's would. A module
 * that cannot report otherwise exits with the errno it got, so a test reads WASI's answer as return_code.
 */
import { WASI } from './wat.js';

const IMPORTS = Object.values(WASI).join('\n  ');
const RIGHT_READ = 2;
const RIGHT_WRITE = 64;
const O_CREAT_TRUNC = 9;

/** Bytes of a string as a WAT data string. */
function data(text: string): string {
  return [...Buffer.from(text)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * A command with the imports, one page of memory per `pages`, `text` at address 256 and helper
 * functions: $open(path_ptr, len, oflags, rights) -> fd (exits with the errno on failure),
 * $read(fd, buf, len) -> n, $write(fd, buf, len).
 */
export function command(body: string, options: { pages?: number; strings?: Record<number, string>; extra?: string } = {}): string {
  const strings = Object.entries(options.strings ?? {}).map(([at, text]) => `(data (i32.const ${at}) "${data(text)}")`).join('\n  ');
  return `(module
  ${IMPORTS}
  (memory (export "memory") ${options.pages ?? 2})
  ${strings}
  (func $open (param $ptr i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
    (local $err i32)
    (local.set $err (call $path_open (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len) (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $err) (then (call $proc_exit (local.get $err))))
    (i32.load (i32.const 32)))
  (func $read (param $fd i32) (param $buf i32) (param $len i32) (result i32)
    (i32.store (i32.const 40) (local.get $buf))
    (i32.store (i32.const 44) (local.get $len))
    (drop (call $fd_read (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 36)))
    (i32.load (i32.const 36)))
  (func $write (param $fd i32) (param $buf i32) (param $len i32) (result i32)
    (i32.store (i32.const 40) (local.get $buf))
    (i32.store (i32.const 44) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 36)))
  ${options.extra ?? ''}
  (func (export "_start") ${body}))`;
}

/** Prints `text` on stdout. */
export const hello = (text: string) => command(`(drop (call $write (i32.const 1) (i32.const 256) (i32.const ${Buffer.byteLength(text)})))`, { strings: { 256: text } });

/** Copies the file at `from` (or stdin, fd 0, when from is undefined) to `to` (or stdout). */
export function copy(from: string | undefined, to: string | undefined): string {
  const open = (path: string | undefined, at: number, oflags: number, rights: number, fd: number) =>
    path === undefined ? `(i32.const ${fd})` : `(call $open (i32.const ${at}) (i32.const ${Buffer.byteLength(path)}) (i32.const ${oflags}) (i64.const ${rights}))`;
  return command(
    `(local $n i32)
    (local.set $n (call $read ${open(from, 256, 0, RIGHT_READ, 0)} (i32.const 4096) (i32.const 60000)))
    (drop (call $write ${open(to, 512, O_CREAT_TRUNC, RIGHT_WRITE, 1)} (i32.const 4096) (local.get $n)))`,
    { strings: Object.fromEntries([...(from ? [[256, from]] : []), ...(to ? [[512, to]] : [])]) },
  );
}

/** Exits with `code` after printing "bye\n". */
export const exitWith = (code: number) => command(`(drop (call $write (i32.const 1) (i32.const 256) (i32.const 4))) (call $proc_exit (i32.const ${code}))`, { strings: { 256: 'bye\n' } });

/** Opens `path` for reading from the preopened root: exits 0 if it opened, else with the errno. */
export const openPath = (path: string) => command(`(drop (call $open (i32.const 256) (i32.const ${Buffer.byteLength(path)}) (i32.const 0) (i64.const ${RIGHT_READ})))`, { strings: { 256: path } });

/** Prints "fresh" or "seen" whether left.txt exists, then creates it. */
export const leaveAFile = command(
  `(local $err i32)
    (local.set $err (call $path_open (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 8) (i32.const 0) (i64.const ${RIGHT_READ}) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $err)
      (then (drop (call $write (i32.const 1) (i32.const 512) (i32.const 6))))
      (else (drop (call $write (i32.const 1) (i32.const 520) (i32.const 5)))))
    (drop (call $write (call $open (i32.const 256) (i32.const 8) (i32.const ${O_CREAT_TRUNC}) (i64.const ${RIGHT_WRITE})) (i32.const 256) (i32.const 8)))`,
  { strings: { 256: 'left.txt', 512: 'fresh\n', 520: 'seen\n' } },
);

/** Loops forever. */
export const spin = command('(loop $forever (br $forever))');

/** Grows memory 1 MiB at a time until refused, then traps as an allocator's abort would. */
export const growBomb = command('(loop $more (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable');

/** Writes 64 KiB to stdout `times` times. */
export const flood = (times: number) => command(`(local $i i32) (loop $again (drop (call $write (i32.const 1) (i32.const 0) (i32.const 65536))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $again (i32.lt_u (local.get $i) (i32.const ${times}))))`);

/** Sums every decimal number in inputs.json and writes {"total":N} to output.json. */
export const sumInputs = command(
  `(local $n i32) (local $i i32) (local $c i32) (local $cur i32) (local $total i32) (local $p i32) (local $fd i32)
    (local.set $n (call $read (call $open (i32.const 256) (i32.const 11) (i32.const 0) (i64.const ${RIGHT_READ})) (i32.const 4096) (i32.const 60000)))
    (block $done (loop $scan
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (i32.load8_u offset=4096 (local.get $i)))
      (if (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
        (then (local.set $cur (i32.add (i32.mul (local.get $cur) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48)))))
        (else (local.set $total (i32.add (local.get $total) (local.get $cur))) (local.set $cur (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scan)))
    (local.set $total (i32.add (local.get $total) (local.get $cur)))
    (local.set $p (i32.const 1100))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $total) (i32.const 10))))
      (local.set $total (i32.div_u (local.get $total) (i32.const 10)))
      (br_if $digit (local.get $total)))
    (local.set $fd (call $open (i32.const 272) (i32.const 11) (i32.const ${O_CREAT_TRUNC}) (i64.const ${RIGHT_WRITE})))
    (drop (call $write (local.get $fd) (i32.const 512) (i32.const 9)))
    (drop (call $write (local.get $fd) (local.get $p) (i32.sub (i32.const 1100) (local.get $p))))
    (drop (call $write (local.get $fd) (i32.const 521) (i32.const 1)))`,
  { strings: { 256: 'inputs.json', 272: 'output.json', 512: '{"total":', 521: '}' } },
);

/** Copies stdin to stdout in upper case (ASCII). */
export const upperStdin = command(
  `(local $n i32) (local $i i32) (local $c i32)
    (local.set $n (call $read (i32.const 0) (i32.const 4096) (i32.const 60000)))
    (block $done (loop $up
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $c (i32.load8_u offset=4096 (local.get $i)))
      (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 26))
        (then (i32.store8 offset=4096 (local.get $i) (i32.sub (local.get $c) (i32.const 32)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $up)))
    (drop (call $write (i32.const 1) (i32.const 4096) (local.get $n)))`,
);

/** Sleeps `seconds` in poll_oneoff on the monotonic clock, then returns. */
export const sleepFor = (seconds: number) => `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const ${seconds * 1e9}))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))`;
