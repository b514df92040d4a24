/**
 * A cheap guard before a parser sees JavaScript/TypeScript source: the deepest bracket nesting, counted
 * over the raw text in one pass. Parsers (esbuild, acorn, QuickJS) recurse once per level; esbuild's
 * service process dies of it past ~100,000 levels and takes every later TypeScript request with it.
 * Brackets inside strings and comments count too, so this is an upper bound: it may only err towards
 * refusing code that nests over LIMITS.sourceNesting, which nothing real does. Portable.
 */
import { LIMITS } from '../../contract/limits.js';

/** Where the nesting first went past `max` levels (1-based line and column), or undefined. */
export function nestingPastLimit(code: string, max: number = LIMITS.sourceNesting): { line: number; column: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x28 /* ( */ || c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return { line, column: i - lineStart + 1 };
    } else if (c === 0x29 /* ) */ || c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
    } else if (c === 0x0a /* \n */) {
      line++;
      lineStart = i + 1;
    }
  }
  return undefined;
}
