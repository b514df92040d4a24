/**
 * TypeScript to JavaScript by type stripping (esbuild), keeping ES module syntax for the entry detector.
 * Host-side: runs before a job is queued. A syntax error is reported with line and column, like tsc would.
 */
import { transform } from 'esbuild';

export type TranspileResult = { ok: true; code: string } | { ok: false; message: string };

const cache = new Map<string, TranspileResult>();
const CACHE_ENTRIES = 256;

export async function transpileTypeScript(code: string, filename: string): Promise<TranspileResult> {
  const cached = cache.get(code);
  if (cached) return cached;
  let result: TranspileResult;
  try {
    const output = await transform(code, { loader: 'ts', format: undefined, target: 'es2023', sourcefile: filename, logLevel: 'silent' });
    result = { ok: true, code: output.code };
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { line: number; column: number } | null }[] };
    const first = failure.errors?.[0];
    const where = first?.location ? ` (${filename}:${first.location.line}:${first.location.column + 1})` : '';
    result = { ok: false, message: `SyntaxError: ${first?.text ?? String(error)}${where}` };
  }
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(code, result);
  return result;
}
