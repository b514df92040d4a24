/**
 * Dify's output guards (its code node's CODE_MAX_* settings) as a request option, `output_guards`: a
 * longest string, a deepest nesting, longest arrays and a number range, each reported as
 * `invalid_output` with the JSON pointer of the value and the guard's name as the rule. `"dify"` asks
 * for Dify's own defaults (api/configs/feature: CODE_MAX_STRING_LENGTH 80,000, CODE_MAX_DEPTH 5,
 * CODE_MAX_NUMBER / CODE_MIN_NUMBER ±9,223,372,036,854,775,807, CODE_MAX_STRING_ARRAY_LENGTH 30,
 * CODE_MAX_OBJECT_ARRAY_LENGTH 30, CODE_MAX_NUMBER_ARRAY_LENGTH 1,000). The walk is iterative, so an
 * output of any shape costs one visit per value. Portable.
 */
import * as z from 'zod';
import type { OutputViolation } from './typed-io.js';

const positive = () => z.number().int().min(1);

const ArrayLengths = z
  .object({
    strings: positive().optional().describe('Arrays whose items are all strings.'),
    numbers: positive().optional().describe('Arrays whose items are all numbers.'),
    objects: positive().optional().describe('Any other array (objects, arrays, mixed).'),
  })
  .strict();

export const OutputGuardsSchema = z
  .union([
    z.literal('dify'),
    z
      .object({
        max_string_length: positive().optional().describe('Longest string, in characters (code points), keys included.'),
        max_depth: positive().optional().describe('Deepest nesting of objects and arrays; the output itself is level 1.'),
        max_array_length: z.union([positive(), ArrayLengths]).optional().describe('Longest array: one bound, or one per kind as Dify has.'),
        number_range: z.object({ min: z.number().optional(), max: z.number().optional() }).strict().optional().describe('Smallest and largest number.'),
      })
      .strict(),
  ])
  .optional()
  .describe('Limits on the output, as Dify applies to a code node\'s result; "dify" is Dify\'s defaults. A value past one is the result error invalid_output naming its pointer and the guard.');

export type OutputGuards = Exclude<z.infer<typeof OutputGuardsSchema>, undefined>;

/** Dify's defaults (langgenius/dify api/configs/feature/__init__.py, CodeExecutionSandboxConfig). */
export const DIFY_OUTPUT_GUARDS = Object.freeze({
  max_string_length: 80_000,
  max_depth: 5,
  max_array_length: Object.freeze({ strings: 30, objects: 30, numbers: 1_000 }),
  // Dify's ±9,223,372,036,854,775,807 (2^63 - 1): the nearest double, which is what JSON numbers are here, is 2^63.
  number_range: Object.freeze({ min: -(2 ** 63), max: 2 ** 63 }),
});

interface Resolved {
  maxString: number;
  maxDepth: number;
  arrays: { strings: number; numbers: number; objects: number };
  min: number;
  max: number;
}

function resolve(guards: OutputGuards): Resolved {
  const chosen = guards === 'dify' ? DIFY_OUTPUT_GUARDS : guards;
  const arrays = chosen.max_array_length;
  const bound = (value: number | undefined) => value ?? Number.POSITIVE_INFINITY;
  return {
    maxString: bound(chosen.max_string_length),
    maxDepth: bound(chosen.max_depth),
    arrays:
      typeof arrays === 'number'
        ? { strings: arrays, numbers: arrays, objects: arrays }
        : { strings: bound(arrays?.strings), numbers: bound(arrays?.numbers), objects: bound(arrays?.objects) },
    min: chosen.number_range?.min ?? Number.NEGATIVE_INFINITY,
    max: chosen.number_range?.max ?? Number.POSITIVE_INFINITY,
  };
}

/** Characters as Dify (Python's len) counts them: code points, counted only when UTF-16 units could exceed. */
function longerThan(text: string, limit: number): number | undefined {
  if (text.length <= limit) return undefined;
  let points = 0;
  for (const _ of text) points++;
  return points > limit ? points : undefined;
}

function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A check for the envelope: the first value of the output past a guard, or undefined. */
export function outputGuardCheck(guards: OutputGuards): (output: unknown) => OutputViolation | undefined {
  const limits = resolve(guards);
  return (output) => {
    const stack: { value: unknown; pointer: string; depth: number }[] = [{ value: output, pointer: '', depth: 1 }];
    while (stack.length > 0) {
      const { value, pointer, depth } = stack.pop()!;
      if (typeof value === 'string') {
        const length = longerThan(value, limits.maxString);
        if (length !== undefined) return { pointer, rule: 'max_string_length', message: `a string of ${length} characters; output_guards.max_string_length is ${limits.maxString}` };
        continue;
      }
      if (typeof value === 'number') {
        if (value < limits.min) return { pointer, rule: 'number_range', message: `${value} is below output_guards.number_range.min (${limits.min})` };
        if (value > limits.max) return { pointer, rule: 'number_range', message: `${value} is above output_guards.number_range.max (${limits.max})` };
        continue;
      }
      if (value === null || typeof value !== 'object') continue;
      if (depth > limits.maxDepth) return { pointer, rule: 'max_depth', message: `nested ${depth} levels deep; output_guards.max_depth is ${limits.maxDepth}` };
      if (Array.isArray(value)) {
        const kind = value.every((item) => typeof item === 'string') ? 'strings' : value.every((item) => typeof item === 'number') ? 'numbers' : 'objects';
        const limit = value.length === 0 ? Number.POSITIVE_INFINITY : limits.arrays[kind];
        if (value.length > limit) return { pointer, rule: 'max_array_length', message: `an array of ${value.length} ${kind === 'objects' ? 'items' : kind}; output_guards.max_array_length allows ${limit}` };
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], pointer: `${pointer}/${i}`, depth: depth + 1 });
        continue;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const keyLength = longerThan(key, limits.maxString);
        if (keyLength !== undefined) return { pointer: `${pointer}/${pointerSegment(key)}`, rule: 'max_string_length', message: `a key of ${keyLength} characters; output_guards.max_string_length is ${limits.maxString}` };
        stack.push({ value: child, pointer: `${pointer}/${pointerSegment(key)}`, depth: depth + 1 });
      }
    }
    return undefined;
  };
}
