/**
 * TypeScript to JavaScript by type stripping (esbuild), keeping ES module syntax for the entry detector.
 * Host-side: runs before a job is queued. A syntax error is reported with line and column, like tsc would.
 *
 * esbuild runs as one long-lived service process. If it dies (a crash on hostile input, an OOM kill),
 * every later call would fail with "the service is no longer running"; instead the dead service is
 * stopped, so the next call starts a fresh one, and the call that met the dead service is retried once.
 */
import { stop, transform } from 'esbuild';

export type TranspileResult = { ok: true; code: string } | { ok: false; message: string };

const cache = new Map<string, TranspileResult>();
const CACHE_ENTRIES = 256;

interface EsbuildFailure {
  errors?: { text: string; location?: { line: number; column: number } | null }[];
}

/** esbuild rejects source with a non-empty `errors` list; anything else is the service failing. */
function compileErrors(error: unknown): EsbuildFailure['errors'] {
  const errors = (error as EsbuildFailure | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors : undefined;
}

/** Bumped each time a dead service is replaced, so callers that met the same death replace it once. */
let generation = 0;
/** How often the esbuild service was found dead and replaced. */
export function transpilerRestarts(): number {
  return generation;
}

/** Stop the service `seen` calls ran on, unless a concurrent caller already replaced it. */
async function replaceService(seen: number): Promise<void> {
  if (generation !== seen) return;
  generation++;
  await stop();
}

async function strip(code: string, filename: string): Promise<string> {
  const options = { loader: 'ts', format: undefined, target: 'es2023', sourcefile: filename, logLevel: 'silent' } as const;
  const first = generation;
  try {
    return (await transform(code, options)).code;
  } catch (error) {
    if (compileErrors(error)) throw error;
    // The service died (now or earlier): replace it and try once more on a fresh one.
    await replaceService(first);
    const second = generation;
    try {
      return (await transform(code, options)).code;
    } catch (again) {
      // This very code may be what kills the service: leave a fresh one for the next caller.
      if (!compileErrors(again)) await replaceService(second);
      throw again;
    }
  }
}

export async function transpileTypeScript(code: string, filename: string): Promise<TranspileResult> {
  const cached = cache.get(code);
  if (cached) return cached;
  let result: TranspileResult;
  try {
    result = { ok: true, code: await strip(code, filename) };
  } catch (error) {
    const first = compileErrors(error)?.[0];
    if (!first) {
      // Not the code's syntax: do not cache, the next attempt gets a fresh service.
      return { ok: false, message: `SyntaxError: the TypeScript compiler failed on this code (${filename})` };
    }
    const where = first.location ? ` (${filename}:${first.location.line}:${first.location.column + 1})` : '';
    result = { ok: false, message: `SyntaxError: ${first.text}${where}` };
  }
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(code, result);
  return result;
}
