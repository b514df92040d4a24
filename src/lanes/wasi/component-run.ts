/**
 * WASI 0.2 components: what jco made of one (its glue's `instantiate` and its core modules, guarded and
 * compiled once per worker) and one execution of it in a world of its own (component-imports.ts).
 *
 * The guard (src/wasm/guard-module.ts, `instances: 'fresh'`) rewrites every core module that has a
 * memory, its own or imported (the user's code and the preview1 adapter): a deadline check in every loop
 * and function entry, and memory.grow asking the execution's limit; a module that defines its memory gets
 * it from here, capped at `memory_mb`. The component's small memoryless modules (wit-component's shims,
 * which only forward calls through a table) are not guarded: the worker's termination past the deadline
 * is what bounds them. A component whose modules define more than one memory is not run: the cap would
 * apply once per memory. Portable.
 */
import { DIRTY_MAP_PAGES, DIRTY_MEMORY } from '../../wasm/dirty-marking.js';
import { CONTROL_LIMIT_PAGES_WORD, CONTROL_MEMORY, CONTROL_REFUSED_WORD, guardModule, MAIN_MEMORY } from '../../wasm/guard-module.js';
import { WasmFormatError } from '../../wasm/bytes.js';
import { newComponentWorld, type ComponentWorld, type ComponentWorldSetup, type Preview2Shim } from './component-imports.js';
import { MAX_PAGES, PAGE, type InstanceEnd } from './fresh-instance.js';

type Instantiate = (getCoreModule: (name: string) => WebAssembly.Module, imports: Record<string, unknown>, instantiateCore: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => WebAssembly.Instance) => Record<string, unknown>;

/** What jco's transpile produced: the glue (an ES module's text) and the core modules by file name. */
export interface TranspiledComponent {
  glue: string;
  cores: Map<string, Uint8Array>;
}

export interface PreparedComponent {
  kind: 'component';
  shim: Preview2Shim;
  instantiate: Instantiate;
  modules: Map<string, WebAssembly.Module>;
  /** The core module that defines the memory (gets `isola.memory`), and its initial size. */
  initialPages: number;
}

/** Guard and compile a transpiled component's core modules and load its glue (`load` imports an ES module's text). */
export async function prepareComponent(
  transpiled: TranspiledComponent,
  shim: Preview2Shim,
  load: (source: string) => Promise<{ instantiate: Instantiate }>,
): Promise<PreparedComponent | { message: string }> {
  const modules = new Map<string, WebAssembly.Module>();
  let memories = 0;
  let initialPages = 0;
  for (const [name, bytes] of transpiled.cores) {
    const probe = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    const definesMemory = countDefinedMemories(bytes) > 0;
    const importsMemory = WebAssembly.Module.imports(probe).some((entry) => entry.kind === 'memory');
    if (definesMemory) memories += countDefinedMemories(bytes);
    if (memories > 1) return { message: 'the component defines more than one linear memory, which this lane does not run yet' };
    if (!definesMemory && !importsMemory) {
      modules.set(name, probe);
      continue;
    }
    try {
      const guarded = guardModule(bytes, { maximumPages: MAX_PAGES, instances: 'fresh', entryChecks: true });
      if (definesMemory) initialPages = guarded.initialPages;
      modules.set(name, await WebAssembly.compile(guarded.bytes as Uint8Array<ArrayBuffer>));
    } catch (error) {
      if (error instanceof WasmFormatError || error instanceof WebAssembly.CompileError) return { message: `the component cannot be run here: ${error.message}` };
      throw error;
    }
  }
  const { instantiate } = await load(transpiled.glue);
  return { kind: 'component', shim, instantiate, modules, initialPages };
}

export interface ComponentRun {
  end: InstanceEnd;
  /** The world's captures and files (named as a fresh instance's session, for outcome.ts). */
  session: ComponentWorld;
  deadlineRaised: boolean;
  memoryFull: boolean;
}

let dirtyMemory: WebAssembly.Memory | undefined;

/** One execution: a new world, new instances of every core module, `run` of wasi:cli/run. */
export function runComponent(component: PreparedComponent, control: WebAssembly.Memory, setup: Omit<ComponentWorldSetup, 'roomBytes' | 'deadline'> & { memoryBytes: number }): ComponentRun {
  const limitBytes = setup.memoryBytes;
  const limitPages = Math.min(MAX_PAGES, Math.floor(limitBytes / PAGE));
  const words = new Uint32Array(control.buffer);
  const deadline = new Int32Array(control.buffer);
  let memory: WebAssembly.Memory | undefined;
  const world = newComponentWorld(component.shim, { ...setup, deadline, roomBytes: () => limitBytes - (memory?.buffer.byteLength ?? 0) });
  const finish = (end: InstanceEnd): ComponentRun => {
    world.dispose();
    return {
      end,
      session: world,
      deadlineRaised: Atomics.load(deadline, 0) !== 0,
      memoryFull: world.fsFull || words[CONTROL_REFUSED_WORD] !== 0 || (memory?.buffer.byteLength ?? 0) + world.fsBytes() + 2 * PAGE > limitBytes,
    };
  };
  if (component.initialPages > limitPages) return finish({ kind: 'too_large', initialBytes: component.initialPages * PAGE });
  words[CONTROL_LIMIT_PAGES_WORD] = limitPages;
  words[CONTROL_REFUSED_WORD] = 0;
  memory = new WebAssembly.Memory({ initial: component.initialPages, maximum: Math.max(component.initialPages, limitPages) });
  dirtyMemory ??= new WebAssembly.Memory({ initial: DIRTY_MAP_PAGES, maximum: DIRTY_MAP_PAGES });
  const guardImports = { [MAIN_MEMORY.name]: memory, [CONTROL_MEMORY.name]: control, [DIRTY_MEMORY.name]: dirtyMemory };
  try {
    const exports = component.instantiate(
      (name) => {
        const module = component.modules.get(name);
        if (!module) throw new Error(`wasi: the component's glue asked for a core module it did not produce (${name})`);
        return module;
      },
      world.imports,
      (module, imports = {}) => new WebAssembly.Instance(module, { ...imports, [MAIN_MEMORY.module]: guardImports } as WebAssembly.Imports),
    );
    const run = (exports['run'] ?? exports['wasi:cli/run@0.2.0']) as { run?: () => void } | undefined;
    if (typeof run?.run !== 'function') return finish({ kind: 'trapped', message: 'the component exports no wasi:cli/run (a command); reactors are not run', stack: false });
    run.run();
    return finish({ kind: 'returned', value: undefined });
  } catch (error) {
    // wasi:cli/exit: the shim's ComponentExit carries the code (WASI 0.2's exit has only ok and err).
    if (error instanceof Error && (error as { exitError?: boolean }).exitError === true) return finish({ kind: 'exited', code: Number((error as { code?: number }).code ?? 1) });
    if (error instanceof RangeError) return finish({ kind: 'trapped', message: error.message, stack: /call stack/i.test(error.message) });
    if (error instanceof WebAssembly.RuntimeError) return finish({ kind: 'trapped', message: error.message, stack: false });
    if (error instanceof WebAssembly.LinkError) return finish({ kind: 'trapped', message: `it imports what this lane does not provide (${error.message})`, stack: false });
    // What else a host function threw into the guest (a refused file write, a shim's TypeError): the run's end.
    return finish({ kind: 'trapped', message: error instanceof Error ? error.message : String(error), stack: false });
  }
}

/** How many memories a core module's memory section defines (not imports). */
function countDefinedMemories(bytes: Uint8Array): number {
  let pos = 8;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = u32();
    if (id === 5) return u32();
    pos += size;
  }
  return 0;
}
