/**
 * Checks of JSON values and texts that cross the contract: nesting depth, lone surrogates and numbers
 * JSON cannot carry. Every walk here is iterative (an explicit stack), so a hostile value nested a
 * million levels deep costs time proportional to its size and never the host's call stack. Portable.
 */
import { LIMITS } from './limits.js';

/** A UTF-16 surrogate without its other half: not valid Unicode, and UTF-8 encoders in the guests refuse it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Offset of the first lone surrogate in `text`, or -1. */
export function loneSurrogateAt(text: string): number {
  const match = LONE_SURROGATE.exec(text);
  return match ? match.index : -1;
}

export function loneSurrogateMessage(text: string, at: number): string {
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  return `contains a lone surrogate (U+${unit} at offset ${at}); text must be valid Unicode`;
}

/** Segments of a path shown in a message; deeper paths are elided (a path can be 1,000 levels long). */
const SHOWN_SEGMENTS = 12;

function pathText(base: string, segments: readonly (string | number)[]): string {
  const shown = segments.length > SHOWN_SEGMENTS ? [...segments.slice(0, SHOWN_SEGMENTS), '…'] : segments;
  return [base, ...shown.map(String)].join('.');
}

export interface JsonValueIssue {
  /** Dotted path of the offending value, starting with `base` (e.g. "inputs.user.name"). */
  field: string;
  message: string;
}

interface Frame {
  value: object;
  parent: Frame | undefined;
  key: string | number | undefined;
  depth: number;
}

function pathOf(frame: Frame | undefined, key?: string | number): (string | number)[] {
  const path: (string | number)[] = key === undefined ? [] : [key];
  for (let at = frame; at && at.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/** Why a leaf value cannot travel as JSON, or undefined when it can. Objects are the walk's business. */
function leafIssue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': {
      const at = loneSurrogateAt(value);
      return at >= 0 ? loneSurrogateMessage(value, at) : undefined;
    }
    case 'number':
      return Number.isFinite(value) ? undefined : `number ${String(value)} cannot be represented in JSON (out of the range of a 64-bit float)`;
    case 'bigint':
      return 'a BigInt has no JSON form';
    default:
      // Objects are walked by the caller; undefined, functions and symbols are dropped by JSON.stringify.
      return undefined;
  }
}

/**
 * The first reason `value` cannot be handed to a guest as JSON: nested deeper than `maxDepth` containers
 * (the value itself is depth 1), a string or key holding a lone surrogate, a number JSON cannot carry
 * (NaN, ±Infinity: `1e400` or a 5,000-digit integer parses to Infinity and would silently become null),
 * or a BigInt (which JSON.stringify throws on; library callers can pass one).
 * Paths are built only for the answer, so a large valid value costs one visit per element.
 */
export function findJsonValueIssue(value: unknown, base: string, maxDepth: number = LIMITS.jsonDepth): JsonValueIssue | undefined {
  const issue = (frame: Frame | undefined, key: string | number | undefined, message: string): JsonValueIssue => ({
    field: pathText(base, pathOf(frame, key)),
    message,
  });
  const rootIssue = leafIssue(value);
  if (rootIssue) return issue(undefined, undefined, rootIssue);
  if (value === null || typeof value !== 'object') return undefined;
  if (maxDepth < 1) return issue(undefined, undefined, `nested more than ${maxDepth} levels deep; the limit is ${maxDepth}`);
  const stack: Frame[] = [{ value, parent: undefined, key: undefined, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const visit = (key: string | number, child: unknown): JsonValueIssue | undefined => {
      const leaf = leafIssue(child);
      if (leaf) return issue(frame, key, leaf);
      if (child === null || typeof child !== 'object') return undefined;
      if (frame.depth + 1 > maxDepth) return issue(frame, key, `nested more than ${maxDepth} levels deep; the limit is ${maxDepth}`);
      stack.push({ value: child, parent: frame, key, depth: frame.depth + 1 });
      return undefined;
    };
    if (Array.isArray(frame.value)) {
      const array = frame.value as unknown[];
      for (let i = 0; i < array.length; i++) {
        const found = visit(i, array[i]);
        if (found) return found;
      }
    } else {
      const record = frame.value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const at = loneSurrogateAt(key);
        if (at >= 0) return issue(frame, key, `key ${loneSurrogateMessage(key, at)}`);
        const found = visit(key, record[key]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * Whether JSON text nests deeper than `maxDepth` arrays/objects. One linear pass that skips string
 * contents; it assumes well-formed JSON (malformed text is JSON.parse's to reject).
 */
export function jsonTextExceedsDepth(text: string, maxDepth: number = LIMITS.jsonDepth): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
