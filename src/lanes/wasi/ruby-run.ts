/**
 * Ruby in the wasi lane: CRuby's WASI build (npm `@ruby/4.0-wasm-wasi`, `ruby+stdlib.wasm`: the standard
 * library is packed inside the module by wasi-vfs), run in a fresh instance per execution like a user's
 * module, over the same WASI host and guard. The module is a reactor with a component-style interface:
 * `_initialize`, `ruby-init(args)`, `ruby-init-loadpath`, `rb-eval-string-protect(code)`, arguments
 * lowered by hand (canonical ABI: a string is ptr+len in guest memory from `cabi_realloc`).
 *
 * A worker boots Ruby once (start-up and the lane's runner, runtimes/ruby/isola_runner.rb, loaded) and
 * keeps that instance's image; every execution is a fresh instance with the image copied in and one eval,
 * `IsolaRunner.run` with the user's code as base64. The runner writes its result to
 * /tmp/.isola-result.json, read back here as untrusted data (user code shares the interpreter and may
 * write it too). Its JS-interop imports (`require "js"`) are refused: there is
 * no JavaScript realm to reach. Portable.
 */
import { memoryFailure } from '../failures.js';
import type { EntryMode, GuestFailure, GuestJob, GuestResult } from '../lane.js';
import { bytesToBase64 } from '../base64.js';
import { captureImage, runFreshInstance, type GuardedProgram, type InstanceImage, type InstanceRun } from './fresh-instance.js';
import { mapInstanceRun } from './outcome.js';

const encoder = new TextEncoder();
const RESULT_DIR = 'tmp';
const RESULT_FILE = '.isola-result.json';
/** What ruby.wasm's own JS host passes; without RubyGems start-up is ~100 ms shorter. */
const RUBY_ARGS = ['ruby', '--disable-gems', '-EUTF-8', '-e_=0'];
const FAILURES = new Set(['exception', 'invalid_output', 'output_limit', 'memory_limit']);

interface RubyExports {
  _initialize(): void;
  cabi_realloc(old: number, oldSize: number, align: number, size: number): number;
  rubyInit(listPtr: number, count: number): void;
  rubyInitLoadpath(): void;
  rbEvalStringProtect(ptr: number, length: number): number;
}

/** This build's export names carry their WIT signature after ": " (`ruby-init: func(args: ...) -> ()`). */
function rubyExports(exports: WebAssembly.Exports): RubyExports {
  const named = (name: string) => {
    const found = Object.entries(exports).find(([key]) => key === name || key.startsWith(`${name}: `));
    if (typeof found?.[1] !== 'function') throw new WebAssembly.RuntimeError(`ruby.wasm has no export ${name}`);
    return found[1] as (...args: number[]) => number;
  };
  return {
    _initialize: named('_initialize'),
    cabi_realloc: named('cabi_realloc'),
    rubyInit: named('ruby-init'),
    rubyInitLoadpath: named('ruby-init-loadpath'),
    rbEvalStringProtect: named('rb-eval-string-protect'),
  };
}

export type RubyRun = Omit<GuestResult, 'cache' | 'setupMs' | 'runMs'>;

/** Executions one boot image serves before a new boot (a new string-hash seed; the image is per worker). */
const REBOOT_EVERY = 1000;
/** The boot's own memory limit: Ruby's start-up is the lane's, not any execution's. */
const BOOT_MEMORY_BYTES = 256 * 2 ** 20;

interface Boot {
  image: InstanceImage;
  /** The last execution's memory, if it did not grow: the next one overwrites it with the image. */
  spare?: WebAssembly.Memory | undefined;
  /** The resource table as the boot left it (the values its evals returned). */
  handles: readonly number[];
  runs: number;
}

/**
 * A runner that boots Ruby once per worker (start-up, `require "json"`, the runner's definitions: ~250-
 * 600 ms here) and starts every execution from that image in a fresh instance (a copy of ~65 MB).
 */
export interface RubyRunner {
  run(job: GuestJob, control: WebAssembly.Memory): RubyRun;
  /** Boots now, outside any job (a worker told to preload Ruby); throws if Ruby cannot start. */
  boot(control: WebAssembly.Memory): void;
}

/**
 * `imageModule`: the same module with its data segments passive (src/wasm/passive-data.ts), for the
 * instances that start from the image: they skip copying segments the image overwrites anyway.
 */
export function createRubyRunner(program: GuardedProgram, runnerSource: string, imageModule?: WebAssembly.Module): RubyRunner {
  let boot: Boot | undefined;
  const onImage: GuardedProgram = imageModule ? { ...program, module: imageModule } : program;
  return {
    run(job, control) {
      if (!boot || boot.runs >= REBOOT_EVERY) {
        boot = undefined;
        const made = bootRuby(program, runnerSource, control, job);
        if ('failed' in made) return made.failed;
        boot = made;
      }
      boot.runs++;
      return runOnImage(onImage, boot, job, control);
    },
    boot(control) {
      const made = bootRuby(program, runnerSource, control);
      if ('failed' in made) throw new Error(made.failed.failure?.message ?? 'Ruby could not be started');
      boot = made;
    },
  };
}

function bootRuby(program: GuardedProgram, runnerSource: string, control: WebAssembly.Memory, job?: GuestJob): Boot | { failed: RubyRun } {
  const handles: number[] = [];
  let image: InstanceImage | undefined;
  const run = runFreshInstance(
    program,
    control,
    { args: RUBY_ARGS, files: new Map(), directories: { [RESULT_DIR]: new Map() }, stdin: new Uint8Array(0), memoryBytes: BOOT_MEMORY_BYTES, stdoutBytes: 65536, stderrBytes: 65536, extraImports: interop(handles) },
    (exports, memory) => {
      const ruby = rubyExports(exports);
      ruby._initialize();
      const args = RUBY_ARGS.map((arg) => lowerString(ruby, memory, arg));
      const list = ruby.cabi_realloc(0, 0, 4, args.length * 8);
      const view = new DataView(memory.buffer);
      args.forEach(([ptr, length], i) => {
        view.setUint32(list + i * 8, ptr, true);
        view.setUint32(list + i * 8 + 4, length, true);
      });
      ruby.rubyInit(list, args.length);
      ruby.rubyInitLoadpath();
      const state = evalString(ruby, memory, runnerSource);
      if (state !== 0) return state;
      image = captureImage(exports, memory, program);
      return 0;
    },
  );
  const fallbackMode: EntryMode = job?.mode === 'main' ? 'main' : 'script';
  if (job && run.deadlineRaised) return { failed: mapInstanceRun(job, run, fallbackMode, 'Ruby interpreter') };
  const open = run.session.descriptors.flatMap((d, fd) => (d && fd > 3 ? [fd] : []));
  if (!image || open.length > 0) {
    const why = !image ? `its start-up ended as ${JSON.stringify(run.end)}: ${run.session.stderr.text().slice(0, 500)}` : `its start-up left descriptors ${open.join(', ')} open`;
    return { failed: { exitCode: 1, mode: fallbackMode, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, failure: { type: 'internal', message: `Ruby could not be started: ${why}` } } };
  }
  return { image, handles: [...handles], runs: 0 };
}

function runOnImage(program: GuardedProgram, boot: Boot, job: GuestJob, control: WebAssembly.Memory): RubyRun {
  const mode = job.mode === 'main' || job.mode === 'script' ? job.mode : 'auto';
  const source = `IsolaRunner.run("${bytesToBase64(encoder.encode(job.code))}".unpack1("m0").force_encoding("UTF-8"), "${mode}", ${job.limits.outputBytes})`;
  const run = runFreshInstance(
    program,
    control,
    {
      args: RUBY_ARGS,
      files: new Map([['inputs.json', encoder.encode(job.inputsJson)]]),
      directories: { [RESULT_DIR]: new Map() },
      stdin: encoder.encode(job.stdin ?? job.inputsJson),
      memoryBytes: job.memoryBytes,
      stdoutBytes: job.limits.stdoutBytes,
      stderrBytes: job.limits.stderrBytes,
      extraImports: interop([...boot.handles]),
      image: boot.image,
      ...(boot.spare ? { memory: boot.spare } : {}),
    },
    (exports, memory) => evalString(rubyExports(exports), memory, source),
  );
  // A memory that grew would tell the next execution how far this one went (and cost a tail to zero).
  boot.spare = run.memory?.buffer.byteLength === boot.image.memory.length ? run.memory : undefined;
  return readRun(job, run);
}

/** One eval; its state (0: the code did not raise out of it). */
function evalString(ruby: RubyExports, memory: WebAssembly.Memory, source: string): number {
  const [ptr, length] = lowerString(ruby, memory, source);
  const returned = ruby.rbEvalStringProtect(ptr, length);
  // A (value handle, state) pair in guest memory.
  return new DataView(memory.buffer).getInt32(returned + 4, true);
}

function readRun(job: GuestJob, run: InstanceRun): RubyRun {
  const fallbackMode: EntryMode = job.mode === 'main' ? 'main' : 'script';
  const mapped = mapInstanceRun(job, run, fallbackMode, 'Ruby interpreter');
  if (mapped.failure) return mapped;
  const dir = run.session.fs.root.entries.get(RESULT_DIR);
  const file = dir?.kind === 'dir' ? dir.entries.get(RESULT_FILE) : undefined;
  const reply = file?.kind === 'file' ? parseReply(file.bytes.subarray(0, file.size)) : undefined;
  if (!reply) {
    // `exit!` (proc_exit) skips the runner's report; so does code that broke the runner.
    if (run.end.kind === 'exited') return mapped;
    return { ...mapped, exitCode: 1, failure: { type: 'exception', message: 'the Ruby interpreter stopped without a result (did the code replace what the runner uses?)' } };
  }
  const replyMode = reply['mode'] === 'main' ? 'main' : 'script';
  const rawExit = reply['exit_code'];
  const exitCode = typeof rawExit === 'number' && Number.isInteger(rawExit) && rawExit >= 0 && rawExit <= 255 ? rawExit : 1;
  const failure = readFailure(reply['failure']);
  if (failure?.type === 'memory_limit') return { ...mapped, mode: replyMode, ...memoryFailure(job.memoryBytes, failure.traceback) };
  const returnJson = typeof reply['return_json'] === 'string' ? reply['return_json'] : undefined;
  return { ...mapped, mode: replyMode, exitCode, ...(returnJson !== undefined ? { returnJson } : {}), ...(failure ? { failure } : {}) };
}

/** A string in guest memory: ptr and length, with a NUL after it (ruby-init hands the bytes to C as argv). */
function lowerString(ruby: RubyExports, memory: WebAssembly.Memory, text: string): [number, number] {
  const bytes = encoder.encode(text);
  const ptr = ruby.cabi_realloc(0, 0, 1, bytes.length + 1);
  const target = new Uint8Array(memory.buffer, ptr, bytes.length + 1);
  target.set(bytes);
  target[bytes.length] = 0;
  return [ptr, bytes.length];
}

function parseReply(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readFailure(raw: unknown): GuestFailure | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { type, message, traceback } = raw as Record<string, unknown>;
  return {
    type: typeof type === 'string' && FAILURES.has(type) ? (type as GuestFailure['type']) : 'exception',
    message: typeof message === 'string' ? message : 'unknown error',
    ...(typeof traceback === 'string' && traceback ? { traceback } : {}),
  };
}

/**
 * ruby.wasm's imports for its `js` library and the component resource table. Every JS-interop call
 * traps (there is no realm); the resource table is a plain per-instance map of handles.
 */
function interop(handles: number[]): WebAssembly.Imports {
  const refuse = () => {
    throw new WebAssembly.RuntimeError('the js library is not available in the wasi lane: Ruby has no JavaScript realm here');
  };
  // This build's import names carry their WIT signature after ": ": answer every name.
  return {
    'rb-js-abi-host': new Proxy({}, { get: () => refuse }),
    canonical_abi: {
      'resource_drop_js-abi-value': () => {},
      'resource_new_rb-abi-value': (rep: number) => handles.push(rep) - 1,
      'resource_get_rb-abi-value': (handle: number) => handles[handle] ?? 0,
    },
  };
}
