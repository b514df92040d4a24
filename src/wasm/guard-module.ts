/**
 * The module guard: rewrites CPython's WebAssembly module once per worker so that one instance can be
 * reused for every execution and still give each one a fresh interpreter, a deadline and a memory cap.
 *
 * - Its memory becomes an import (`isola.memory`), so the host owns it, sets its hard maximum and copies
 *   the interpreter's image back into it after each execution. A module that imports its memory
 *   already (Emscripten's QuickJS) keeps that import.
 * - A second, shared, one-page memory is imported (`isola.control`, memory 1). Word 0 is the deadline
 *   flag the engine raises from another thread; word 1 is the running execution's memory limit in
 *   pages. No instruction of the original module can address memory 1: only the guard's own code does.
 * - Every `loop` starts (unless `deadlineChecks: false`) with a check of the deadline flag that traps (`unreachable`) once it is raised,
 *   so a guest stuck in any loop, Python or C, stops within one iteration. A trap leaves the instance
 *   usable: the image reset puts back every byte and global it may have left half-done.
 * - Every `memory.grow` calls an added function that refuses growth past word 1 (malloc then fails and
 *   CPython raises MemoryError), so the cap is per execution without a new instance.
 * - Every mutable global is exported, so the reset can restore the stack pointer and friends.
 * - Every write to memory 0 first marks its 4 KiB chunk in a third memory (`isola.dirty`, memory 2),
 *   so the reset restores only what an execution wrote (see dirty-marking.ts).
 *
 * Fails closed: a module with something the reset could not restore (table or segment mutation, more
 * than one memory, a 64-bit or shared memory) or an instruction the walker does not know is refused.
 */
import { concat, nameBytes, Reader, section, u32Bytes, WasmFormatError } from './bytes.js';
import { DIRTY_MAP_PAGES, DIRTY_MEMORY, MARK_BODY, MARK_TYPE, markingPrefix, SCRATCH_LOCAL_GROUPS } from './dirty-marking.js';
import { walkInstructions } from './instructions.js';

export const CONTROL_MEMORY = { module: 'isola', name: 'control' } as const;
export const MAIN_MEMORY = { module: 'isola', name: 'memory' } as const;
export const GLOBAL_EXPORT_PREFIX = 'isola:global:';
/** A custom section of the guarded module with what its host needs to know (GuardFacts, JSON). */
export const GUARD_SECTION = 'isola-guard';

export interface GuardFacts {
  initialPages: number;
  globalExports: string[];
  /**
   * End of the highest active data segment (memory the module writes at instantiation, with no store
   * to mark it), or undefined when a segment's place is not a constant.
   */
  dataEnd?: number;
  /** Present (false) when the control memory is declared unshared (GuardOptions.sharedControl). */
  sharedControl?: false;
}

/** The facts a guarded module carries (undefined for a module the guard did not write). */
export function guardFacts(module: WebAssembly.Module): GuardFacts | undefined {
  const [section] = WebAssembly.Module.customSections(module, GUARD_SECTION);
  return section ? (JSON.parse(new TextDecoder().decode(section)) as GuardFacts) : undefined;
}
/** Word offsets in the control memory. */
export const CONTROL_DEADLINE_WORD = 0;
export const CONTROL_LIMIT_PAGES_WORD = 1;
/** Set to 1 by the grow function when it refuses growth (word 2 is the engine's, INTERRUPT_BLOCKED_WORD). */
export const CONTROL_REFUSED_WORD = 3;

export interface GuardedModule {
  bytes: Uint8Array;
  /** The original memory's initial size in pages. */
  initialPages: number;
  /** Export names of the mutable globals, in index order. */
  globalExports: string[];
  loops: number;
  grows: number;
  /** Writing instructions given a dirty mark. */
  writes: number;
}

interface RawSection {
  id: number;
  start: number;
  end: number;
}

const MAX_PAGES = 65536;

export interface GuardOptions {
  maximumPages: number;
  /**
   * Whether every loop checks the deadline flag (default true). A lane whose interpreter has its own
   * interrupt hook (QuickJS) turns it off: its loops then cost nothing extra.
   */
  deadlineChecks?: boolean;
  /**
   * Whether the control memory is declared shared (default true), so another thread can raise its
   * deadline flag. A host where nothing is shared (a browser page that is not cross-origin isolated,
   * for QuickJS, which needs no flag in its loops) turns it off: shared memory cannot be made there.
   */
  sharedControl?: boolean;
  /**
   * 'reused' (the default, CPython): one instance serves every execution, so writes are marked for the
   * image reset and instructions that change state the reset cannot restore are refused. 'fresh' (the
   * wasi lane): every execution gets a new instance, so there is nothing to restore: no marking, and
   * tables and segments may change. Either way every loop checks the deadline flag (unless
   * `deadlineChecks: false`) and memory.grow asks the limit word.
   */
  instances?: 'reused' | 'fresh';
  /**
   * Also check the deadline flag at every function's entry: a guest can run forever without a loop
   * through tail calls (return_call), which grow no stack. Untrusted modules need it; CPython's build
   * has no tail calls in its hot paths and does not pay for it.
   */
  entryChecks?: boolean;
  /**
   * Whether the "name" custom section (function names for wasm stack frames; 14 MB of CPython's
   * build) is kept (default true). V8 keeps a module's bytes resident for the module's life, so a lane
   * whose envelopes never show wasm frames drops it.
   */
  keepNames?: boolean;
}

export function guardModule(bytes: Uint8Array, options: GuardOptions): GuardedModule {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d || bytes[4] !== 1) {
    throw new WasmFormatError('not a WebAssembly module (version 1)');
  }
  const sections = splitSections(bytes);
  const find = (id: number) => sections.find((s) => s.id === id);
  const refuse = (why: string): never => {
    throw new WasmFormatError(`the module cannot be reused safely: ${why}`);
  };

  const typeParams = readTypeParams(bytes, find(1));
  const types = typeParams.length;
  const imports = readImports(bytes, find(2), refuse);
  // A module that imports its memory (Emscripten's QuickJS) keeps that import as memory 0: its host
  // already owns the memory. One that defines it (CPython) gets it turned into \`isola.memory\`.
  const memory = readMemory(bytes, find(5), imports.memory, refuse);
  const maximumPages = Math.min(MAX_PAGES, Math.max(memory.initialPages, options.maximumPages));
  const functionTypes = readFunctionTypes(bytes, find(3));
  const growFunction = imports.functions + functionTypes.length;
  const params = functionTypes.map((type) => typeParams[type] ?? refuse(`a function of unknown type ${type}`));
  const mutableGlobals = readMutableGlobals(bytes, find(6), imports.globals);
  const globalExports = mutableGlobals.map((index) => `${GLOBAL_EXPORT_PREFIX}${index}`);

  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let loops = 0;
  let grows = 0;
  let writes = 0;
  const addedImports = [
    ...(memory.imported ? [] : importEntry(MAIN_MEMORY, [0x01, ...u32Bytes(memory.initialPages), ...u32Bytes(maximumPages)])),
    ...importEntry(CONTROL_MEMORY, [options.sharedControl === false ? 0x01 : 0x03, 1, 1]),
    ...importEntry(DIRTY_MEMORY, [0x01, ...u32Bytes(DIRTY_MAP_PAGES), ...u32Bytes(DIRTY_MAP_PAGES)]),
  ];
  const addedImportCount = memory.imported ? 2 : 3;
  // A module that imports nothing gets an import section for the memories, where the order of
  // sections puts it: after the type section, before any later one.
  let importsWritten = find(2) !== undefined;
  for (const s of sections) {
    const raw = bytes.subarray(s.start, s.end);
    if (!importsWritten && s.id > 2) {
      out.push(section(2, concat([Uint8Array.from(u32Bytes(addedImportCount)), Uint8Array.from(addedImports)])));
      importsWritten = true;
    }
    switch (s.id) {
      case 1:
        out.push(section(1, appendToVector(raw, [0x60, 1, 0x7f, 1, 0x7f, ...MARK_TYPE], 2)));
        break;
      case 2:
        out.push(section(2, appendToVector(raw, addedImports, addedImportCount)));
        break;
      case 3:
        out.push(section(3, appendToVector(raw, [...u32Bytes(types), ...u32Bytes(types + 1)], 2)));
        break;
      case 5:
        break; // now imported
      case 7:
        out.push(section(7, appendToVector(raw, globalExports.flatMap((name, i) => [...nameBytes(name), 0x03, ...u32Bytes(mutableGlobals[i]!)]), globalExports.length)));
        break;
      case 10: {
        const code = rewriteCode(
          bytes,
          s,
          { growFunction, markFunction: growFunction + 1, params, deadlineChecks: options.deadlineChecks ?? true, marking: options.instances !== 'fresh', entryChecks: options.entryChecks === true },
          refuse,
        );
        loops = code.loops;
        grows = code.grows;
        writes = code.writes;
        out.push(section(10, code.body));
        break;
      }
      case 0:
        if (options.keepNames === false && customSectionName(bytes, s) === 'name') break;
        out.push(bytes.subarray(headerStart(s), s.end));
        break;
      default:
        out.push(bytes.subarray(headerStart(s), s.end));
    }
  }
  const dataEnd = readDataEnd(bytes, find(11));
  const facts: GuardFacts = {
    initialPages: memory.initialPages,
    globalExports,
    ...(dataEnd !== undefined ? { dataEnd } : {}),
    ...(options.sharedControl === false ? { sharedControl: false as const } : {}),
  };
  out.push(section(0, concat([nameBytes(GUARD_SECTION), new TextEncoder().encode(JSON.stringify(facts))])));
  if (!find(10)) refuse('it has no code');
  return { bytes: concat(out), initialPages: memory.initialPages, globalExports, loops, grows, writes };
}

function splitSections(bytes: Uint8Array): RawSection[] {
  const r = new Reader(bytes, 8);
  const out: RawSection[] = [];
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    out.push({ id, start, end: r.pos });
  }
  return out;
}

function customSectionName(bytes: Uint8Array, s: RawSection): string {
  const r = new Reader(bytes.subarray(s.start, s.end));
  const length = r.u32();
  return new TextDecoder().decode(bytes.subarray(s.start + r.pos, s.start + r.pos + length));
}

/** Where a section's id byte is, from its body's start (ids are one byte, sizes a LEB). */
function headerStart(s: RawSection): number {
  return s.start - 1 - u32Bytes(s.end - s.start).length;
}

/** A vector section's body with entries appended (the count is re-encoded). */
function appendToVector(raw: Uint8Array, entries: readonly number[], added = 1): Uint8Array {
  const r = new Reader(raw);
  const count = r.u32();
  return concat([u32Bytes(count + added), raw.subarray(r.pos), entries]);
}

function importEntry(what: { module: string; name: string }, memoryType: number[]): number[] {
  return [...nameBytes(what.module), ...nameBytes(what.name), 0x02, ...memoryType];
}

/** Parameter counts of the type section's function types, by type index. */
function readTypeParams(bytes: Uint8Array, s: RawSection | undefined): number[] {
  if (!s) throw new WasmFormatError('the module has no type section');
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  const params: number[] = [];
  for (let i = 0; i < count; i++) {
    if (r.u8() !== 0x60) throw new WasmFormatError('the module uses GC type definitions, which the guard does not read');
    for (let vector = 0; vector < 2; vector++) {
      const n = r.u32();
      if (vector === 0) params.push(n);
      for (let j = 0; j < n; j++) skipValueType(r);
    }
  }
  return params;
}

/** The type index of every defined function. */
function readFunctionTypes(bytes: Uint8Array, s: RawSection | undefined): number[] {
  if (!s) return [];
  const r = new Reader(bytes, s.start, s.end);
  return Array.from({ length: r.u32() }, () => r.u32());
}

function skipValueType(r: Reader): void {
  const first = r.u8();
  if (first === 0x63 || first === 0x64) r.skipSigned(33);
}

function readImports(bytes: Uint8Array, s: RawSection | undefined, refuse: (why: string) => never) {
  let functions = 0;
  let globals = 0;
  let memory: { initialPages: number } | undefined;
  if (!s) return { functions, globals, memory };
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.u8();
    if (kind === 0) {
      functions++;
      r.u32();
    } else if (kind === 1) {
      refuse('it imports a table');
    } else if (kind === 2) {
      if (memory) refuse('it imports more than one memory');
      const flags = r.u8();
      if (flags & ~1) refuse(`its memory has flags 0x${flags.toString(16)} (shared or 64-bit)`);
      memory = { initialPages: r.u32() };
      if (flags & 1) r.u32();
    } else if (kind === 3) {
      globals++;
      skipValueType(r);
      r.u8();
    } else if (kind === 4) {
      r.u8();
      r.u32();
    } else {
      throw new WasmFormatError(`unknown import kind ${kind}`);
    }
  }
  return { functions, globals, memory };
}

function readMemory(bytes: Uint8Array, s: RawSection | undefined, imported: { initialPages: number } | undefined, refuse: (why: string) => never) {
  if (imported) {
    if (s) refuse('it imports a memory and defines another');
    return { initialPages: imported.initialPages, imported: true };
  }
  if (!s) return refuse('it defines no memory');
  const r = new Reader(bytes, s.start, s.end);
  if (r.u32() !== 1) refuse('it defines more than one memory');
  const flags = r.u8();
  if (flags & ~1) refuse(`its memory has flags 0x${flags.toString(16)} (shared or 64-bit)`);
  const initialPages = r.u32();
  return { initialPages, imported: false };
}

/** The highest end of the active data segments, when every one sits at an i32.const offset. */
function readDataEnd(bytes: Uint8Array, s: RawSection | undefined): number | undefined {
  if (!s) return 0;
  const r = new Reader(bytes, s.start, s.end);
  let end = 0;
  for (let count = r.u32(), i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags === 1) {
      r.skip(r.u32());
      continue;
    }
    if (flags === 2) r.u32();
    else if (flags !== 0) return undefined;
    if (r.u8() !== 0x41) return undefined;
    const offset = readS32(r);
    if (r.u8() !== 0x0b) return undefined;
    const size = r.u32();
    r.skip(size);
    end = Math.max(end, (offset >>> 0) + size);
  }
  return end;
}

function readS32(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = r.u8();
    result |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) === 0) return shift < 32 && byte & 0x40 ? result | (-1 << shift) : result;
    if (shift >= 35) throw new WasmFormatError('i32.const too long');
  }
}

function readMutableGlobals(bytes: Uint8Array, s: RawSection | undefined, imported: number): number[] {
  if (!s) return [];
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  const mutable: number[] = [];
  for (let i = 0; i < count; i++) {
    skipValueType(r);
    if (r.u8() === 1) mutable.push(imported + i);
    skipConstExpression(r);
  }
  return mutable;
}

/** Skips a constant expression (a global initialiser, a segment offset) up to and including its `end`. */
export function skipConstExpression(r: Reader): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0x41) r.skipSigned(32);
    else if (op === 0x42) r.skipSigned(64);
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0x23 || op === 0xd2) r.u32();
    else if (op === 0xd0) r.skipSigned(33);
    else if (op === 0xfd && r.u32() === 12) r.skip(16);
    else if (![0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e].includes(op)) throw new WasmFormatError(`unknown constant instruction 0x${op.toString(16)}`);
  }
}

/** i32.const 0; i32.atomic.load (memory 1) offset=0; if; unreachable; end */
const DEADLINE_CHECK = Uint8Array.from([0x41, 0x00, 0xfe, 0x10, 0x42, 0x01, CONTROL_DEADLINE_WORD * 4, 0x04, 0x40, 0x00, 0x0b]);

/**
 * (func (param $pages i32) (result i32)
 *   if (u64(pages) + u64(memory.size) > u64(limit word)) { refused word = 1; return -1 }   ;; -1: memory.grow's failure
 *   return memory.grow(pages))
 */
const GROW_BODY = Uint8Array.from([
  0x00, // no locals
  0x20, 0x00, 0xad, // local.get 0; i64.extend_i32_u
  0x3f, 0x00, 0xad, // memory.size 0; i64.extend_i32_u
  0x7c, // i64.add
  0x41, 0x00, 0x35, 0x42, 0x01, CONTROL_LIMIT_PAGES_WORD * 4, // i32.const 0; i64.load32_u (memory 1)
  0x56, // i64.gt_u
  0x04, 0x7f, // if (result i32)
  0x41, 0x00, 0x41, 0x01, 0x36, 0x42, 0x01, CONTROL_REFUSED_WORD * 4, //   i32.store (memory 1) [refused word] = 1
  0x41, 0x7f, // -1
  0x05, 0x20, 0x00, 0x40, 0x00, 0x0b, // else memory.grow(local 0) end
  0x0b,
]);

function rewriteCode(
  bytes: Uint8Array,
  s: RawSection,
  added: { growFunction: number; markFunction: number; params: number[]; deadlineChecks: boolean; marking: boolean; entryChecks: boolean },
  refuse: (why: string) => never,
) {
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  if (count !== added.params.length) refuse(`${count} bodies for ${added.params.length} functions`);
  const callGrow = Uint8Array.from([0x10, ...u32Bytes(added.growFunction)]);
  const bodies: Uint8Array[] = [Uint8Array.from(u32Bytes(count + 2))];
  let loops = 0;
  let grows = 0;
  let writes = 0;
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    r.skip(size);
    const body = new Reader(bytes, start, end);
    const groups = body.u32();
    let declared = 0;
    for (let j = 0; j < groups; j++) {
      declared += body.u32();
      skipValueType(body);
    }
    // The marking's scratch locals come after the function's own (its parameters, then its locals).
    const scratch = added.params[i]! + declared;
    const groupsStart = start + u32Bytes(groups).length;
    const pieces: Uint8Array[] = [Uint8Array.from(u32Bytes(groups + SCRATCH_LOCAL_GROUPS[0]!)), bytes.subarray(groupsStart, body.pos), SCRATCH_LOCAL_GROUPS.subarray(1)];
    if (added.entryChecks) pieces.push(DEADLINE_CHECK);
    let copied = body.pos;
    walkInstructions(body, {
      loop(at) {
        if (!added.deadlineChecks) return;
        pieces.push(bytes.subarray(copied, at), DEADLINE_CHECK);
        copied = at;
        loops++;
      },
      memoryGrow(from, to, memory) {
        if (memory !== 0) refuse(`memory.grow of memory ${memory}`);
        pieces.push(bytes.subarray(copied, from), callGrow);
        copied = to;
        grows++;
      },
      write(from, _to, write) {
        if (!added.marking) return;
        pieces.push(bytes.subarray(copied, from), markingPrefix(write, scratch, added.markFunction));
        copied = from;
        writes++;
      },
      stateful(name) {
        if (added.marking) refuse(`function ${i} uses ${name}`);
      },
    });
    pieces.push(bytes.subarray(copied, end));
    const rewritten = concat(pieces);
    bodies.push(Uint8Array.from(u32Bytes(rewritten.length)), rewritten);
  }
  bodies.push(Uint8Array.from(u32Bytes(GROW_BODY.length)), GROW_BODY);
  bodies.push(Uint8Array.from(u32Bytes(MARK_BODY.length)), MARK_BODY);
  return { body: concat(bodies), loops, grows, writes };
}
