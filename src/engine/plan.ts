/**
 * Planning: which lane runs a request and what job it gets. JavaScript's entry mode is decided here on
 * the host (acorn); Python decides in the guest with `ast`. TypeScript is type-stripped first. Portable,
 * except for the transpiler, which the edge passes in.
 */
import type { ExecuteRequest } from '../contract/request.js';
import type { LaneName } from '../contract/response.js';
import type { EntryMode, GuestFailure } from '../lanes/lane.js';
import { LIMITS } from '../contract/limits.js';
import { analyzeEntry, type EntryAnalysis } from '../languages/javascript/entry-detection.js';
import { nestingPastLimit } from '../languages/javascript/source-nesting.js';
import { defaultLane } from '../lanes/registry.js';

/** Name under which planning exports a module's unexported main; the guest looks for it too. */
export const PRIVATE_MAIN_EXPORT = '__isolaMain';
/** The same for a batch's execute(args, ctx). */
export const PRIVATE_EXECUTE_EXPORT = '__isolaExecute';

export type Transpile = (code: string, filename: string) => Promise<{ ok: true; code: string } | { ok: false; message: string }>;

export type Plan =
  | { kind: 'run'; lane: LaneName; code: string; filename: string; mode: EntryMode | 'auto'; sourceType?: 'script' | 'module' }
  /** Nothing to run: the code was rejected before reaching a lane (e.g. a TypeScript syntax error). */
  | { kind: 'rejected'; lane: LaneName; mode: EntryMode; failure: GuestFailure };

/** Code nodes run the same code again and again: parse each distinct code once (bounded LRU). */
const analyses = new Map<string, EntryAnalysis>();
const MAX_ANALYSES = 512;

function analyzeCached(code: string, entry: 'main' | 'execute'): EntryAnalysis {
  const key = `${entry}\0${code}`;
  let analysis = analyses.get(key);
  if (analysis) {
    analyses.delete(key);
  } else {
    analysis = analyzeEntry(code, entry);
    if (analyses.size >= MAX_ANALYSES) analyses.delete(analyses.keys().next().value as string);
  }
  analyses.set(key, analysis);
  return analysis;
}

export async function planExecution(request: ExecuteRequest, transpile: Transpile): Promise<Plan> {
  // A batch calls execute(args, ctx) once per item: function mode, whatever `entrypoint` says.
  const items = request.items !== undefined;
  if (request.language === 'python') {
    return { kind: 'run', lane: defaultLane('python'), code: request.code, filename: 'main.py', mode: items ? 'main' : request.entrypoint };
  }
  // The wasi lane tells its guests apart by the file name: a module runs its _start (script mode);
  // Ruby decides main vs script in the guest, as Python does.
  if (request.language === 'wasm') return { kind: 'run', lane: defaultLane('wasm'), code: request.code, filename: 'main.wasm', mode: 'script' };
  if (request.language === 'ruby') return { kind: 'run', lane: defaultLane('ruby'), code: request.code, filename: 'main.rb', mode: request.entrypoint };
  let code = request.code;
  const filename = request.language === 'typescript' ? 'main.ts' : 'main.js';
  const rejected = (message: string): Plan => ({
    kind: 'rejected',
    lane: defaultLane(request.language),
    mode: request.entrypoint === 'main' ? 'main' : 'script',
    failure: { type: 'exception', message, traceback: message },
  });
  // Before any parser: esbuild, acorn and QuickJS all recurse once per bracket level.
  const tooDeep = nestingPastLimit(code);
  if (tooDeep) {
    return rejected(`SyntaxError: brackets nested more than ${LIMITS.sourceNesting} levels deep (${filename}:${tooDeep.line}:${tooDeep.column}); the limit is ${LIMITS.sourceNesting}`);
  }
  if (request.language === 'typescript') {
    const stripped = await transpile(code, filename);
    if (!stripped.ok) return rejected(stripped.message);
    code = stripped.code;
  }
  const entry = analyzeCached(code, items ? 'execute' : 'main');
  const mode: EntryMode = items ? 'main' : request.entrypoint === 'auto' ? (entry.definesMain && !entry.callsMain ? 'main' : 'script') : request.entrypoint;
  // In a module, a top-level main that is not exported is invisible from outside: export it under a
  // private name (appended, so line numbers in stack traces do not move).
  if (mode === 'main' && entry.sourceType === 'module' && entry.definesMain && !entry.exportsMain) {
    code += items ? `\nexport { execute as ${PRIVATE_EXECUTE_EXPORT} };` : `\nexport { main as ${PRIVATE_MAIN_EXPORT} };`;
  }
  return { kind: 'run', lane: defaultLane(request.language), code, filename, mode, sourceType: entry.sourceType };
}
