/**
 * The wasi lane's driver: every execution runs in a fresh instance (fresh-instance.ts), so nothing a
 * guest does can reach the next one, and there is no image to restore. What a worker keeps between
 * executions is only code: the guarded, compiled modules (a user's module by its text or blob id, Ruby's once).
 * Portable: the Node edge (worker-entry.ts) hands it Ruby's bytes and runtime files.
 */
import { WasmFormatError } from '../../wasm/bytes.js';
import { guardModule } from '../../wasm/guard-module.js';
import { base64ToBytes } from '../base64.js';
import type { DriverHost, GuestJob, GuestResult, LaneDriver } from '../lane.js';
import { isWasmComponent } from '../../contract/wasm-module.js';
import { runComponent, type PreparedComponent } from './component-run.js';
import { runFreshInstance, type GuardedProgram } from './fresh-instance.js';
import { mapInstanceRun } from './outcome.js';
import type { RubyRunner } from './ruby-run.js';

/** The guard's hard ceiling of linear memory; each execution's own limit is set below it. */
const MAXIMUM_PAGES = 65536;
/** Compiled user modules a worker keeps (code nodes run the same module again and again). */
const MAX_MODULES = 16;
const encoder = new TextEncoder();

export interface WasiLanePlatform {
  /** Ruby, prepared on the first Ruby job of a worker (the Node edge reads and guards ruby+stdlib.wasm). */
  ruby?(): Promise<RubyRunner>;
  /**
   * Boot Ruby when the worker starts instead of in its first Ruby job (operator option `preloadRuby`):
   * that job then does not spend its deadline on ~1 s of start-up, at the cost of ~65 MB per worker.
   */
  preloadRuby?: boolean;
  /** The bytes of an uploaded module (`module: { id }`) at the path the engine found it (the Node edge reads the file). */
  readModule?(path: string): Promise<Uint8Array>;
  /** A WASI 0.2 component, transpiled by jco and prepared to run (the Node edge caches the transpile on disk). */
  prepareComponent?(bytes: Uint8Array): Promise<PreparedComponent | { message: string }>;
}

type UserProgram = GuardedProgram | PreparedComponent;

/** Guards and compiles a user's module for fresh instances: a deadline check in every loop and function. */
export async function compileUserModule(bytes: Uint8Array): Promise<GuardedProgram> {
  const guarded = guardModule(bytes, { maximumPages: MAXIMUM_PAGES, instances: 'fresh', entryChecks: true });
  return { module: await WebAssembly.compile(guarded.bytes as Uint8Array<ArrayBuffer>), initialPages: guarded.initialPages };
}

export async function createWasiDriver(host: DriverHost, platform: WasiLanePlatform): Promise<LaneDriver> {
  const control = host.interruptMemory ?? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const deadline = new Int32Array(control.buffer);
  const modules = new Map<string, UserProgram>();
  let ruby: Promise<RubyRunner> | undefined;
  let jobs = 0;
  let rubyReady = false;
  if (platform.preloadRuby && platform.ruby) {
    const runner = await platform.ruby();
    runner.boot(control);
    ruby = Promise.resolve(runner);
    rubyReady = true;
  }

  /** The job's module, compiled: kept by its text (base64 in `code`) or by its blob id (`module: { id }`). */
  const userModule = async (job: GuestJob): Promise<{ program: UserProgram; cache: GuestResult['cache'] } | { message: string }> => {
    const key = job.wasmModule ? `blob:${job.wasmModule.id}` : job.code;
    const known = modules.get(key);
    if (known) {
      modules.delete(key);
      modules.set(key, known);
      return { program: known, cache: 'hit' };
    }
    const blob = job.wasmModule;
    let bytes: Uint8Array;
    if (blob) {
      if (!platform.readModule) return { message: 'this engine cannot read uploaded modules' };
      try {
        bytes = await platform.readModule(blob.path);
      } catch (error) {
        return { message: `the uploaded module ${blob.id} could not be read: ${error instanceof Error ? error.message : String(error)}` };
      }
    } else {
      bytes = base64ToBytes(job.code.trim());
    }
    try {
      let program: UserProgram;
      if (isWasmComponent(bytes)) {
        if (!platform.prepareComponent) return { message: 'this engine does not run WebAssembly components' };
        const prepared = await platform.prepareComponent(bytes);
        if ('message' in prepared) return prepared;
        program = prepared;
      } else {
        program = await compileUserModule(bytes);
      }
      modules.set(key, program);
      while (modules.size > MAX_MODULES) modules.delete(modules.keys().next().value as string);
      return { program, cache: 'miss' };
    } catch (error) {
      // The contract validated the module; what is left is what the guard cannot make safe (GC types,
      // an instruction it does not know), or V8's own refusal.
      if (error instanceof WasmFormatError || error instanceof WebAssembly.CompileError) return { message: `the module cannot be run here: ${error.message}` };
      throw error;
    }
  };

  return {
    lane: 'wasi',
    async run(job: GuestJob): Promise<GuestResult> {
      const setupStart = performance.now();
      // Never erase a deadline that passed already: the engine raised the flag then.
      Atomics.store(deadline, 0, Date.now() >= job.deadline ? 2 : 0);
      jobs++;
      if (job.filename.endsWith('.rb')) {
        let cache: GuestResult['cache'] = 'hit';
        if (!rubyReady) {
          if (!platform.ruby) return internal(job, 'this engine has no Ruby runtime', setupStart);
          cache = 'miss';
          ruby ??= platform.ruby();
        }
        let runner: RubyRunner;
        try {
          runner = await ruby!;
          rubyReady = true;
        } catch (error) {
          ruby = undefined;
          return internal(job, `Ruby could not be loaded: ${error instanceof Error ? error.message : String(error)}`, setupStart);
        }
        const runStart = performance.now();
        const result = runner.run(job, control);
        return { ...result, cache, setupMs: runStart - setupStart, runMs: performance.now() - runStart };
      }
      const compiled = await userModule(job);
      const runStart = performance.now();
      if ('message' in compiled) {
        return { exitCode: 1, mode: 'script', stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, failure: { type: 'exception', message: compiled.message }, cache: 'miss', setupMs: runStart - setupStart, runMs: 0 };
      }
      const program = compiled.program;
      const setup = {
        args: ['main.wasm'],
        files: new Map([['inputs.json', encoder.encode(job.inputsJson)]]),
        stdin: encoder.encode(job.stdin ?? job.inputsJson),
        memoryBytes: job.memoryBytes,
        stdoutBytes: job.limits.stdoutBytes,
        stderrBytes: job.limits.stderrBytes,
      };
      if ('kind' in program) {
        const mapped = mapInstanceRun(job, runComponent(program, control, setup), 'script', 'component');
        return { ...mapped, cache: compiled.cache, setupMs: runStart - setupStart, runMs: performance.now() - runStart };
      }
      const run = runFreshInstance(
        program,
        control,
        setup,
        (exports) => (exports['_start'] as () => void)(),
      );
      const mapped = mapInstanceRun(job, run, 'script', 'module');
      return { ...mapped, cache: compiled.cache, setupMs: runStart - setupStart, runMs: performance.now() - runStart };
    },
    describe() {
      return { engine: 'wasi-preview1', rings: { wasm: true, js_realm: false, instance: 'fresh per execution' }, modules: modules.size, ruby: rubyReady, jobs };
    },
    async dispose() {
      modules.clear();
    },
  };
}

function internal(job: GuestJob, message: string, setupStart: number): GuestResult {
  return {
    exitCode: 1,
    mode: job.mode === 'main' ? 'main' : 'script',
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    failure: { type: 'internal', message },
    cache: 'miss',
    setupMs: performance.now() - setupStart,
    runMs: 0,
  };
}
