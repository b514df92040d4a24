/**
 * JSON Schema (2020-12) for `input_schema` and `output_schema`. A schema comes from a request, so it is
 * treated as hostile code: it is capped in size and depth before a validator sees it, and a nested `$id`
 * (which ajv would register on the shared instance, where one tenant's schema could shadow another's) is
 * refused. The validator is schema-validator.ts (ajv) in Node and schema-validator-edge.ts
 * (@cfworker/json-schema, no eval) in the edge build; both run patterns on RE2. Compiled validators are
 * kept in a bounded cache keyed by the schema's canonical text, so a workflow that sends the same schema
 * on every call compiles it once. Portable.
 */
import { findJsonValueIssue } from './json-checks.js';
import { utf8Length } from './limits.js';
import { compileValidator, type ValidateValue } from './schema-validator.js';

/** Largest schema, serialized: generous for hand-written schemas, small enough to compile in milliseconds. */
export const SCHEMA_MAX_BYTES = 64 * 1024;
/** Deepest nesting of a schema's JSON (objects and arrays): compile time and code size grow with it. */
export const SCHEMA_MAX_DEPTH = 32;
/** Compiled schemas kept (least recently used dropped first). */
const CACHE_ENTRIES = 256;

/** Why a value does not match a schema: where (JSON pointer into the value), which rule, and what. */
export interface SchemaViolation {
  /** RFC 6901 pointer into the validated value; "" is the value itself. */
  pointer: string;
  /** The schema keyword that failed, e.g. "type", "required", "maximum". */
  rule: string;
  /** Where in the schema the rule sits, e.g. "#/properties/count/type". */
  schemaPath: string;
  message: string;
}

/** A compiled schema: `check` answers the first violation, or undefined when the value matches. */
export interface CompiledSchema {
  readonly schema: unknown;
  check(value: unknown): SchemaViolation | undefined;
}

/** A schema ajv or our caps refuse, with the reason (the caller names the request field). */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

const cache = new Map<string, CompiledSchema>();

/**
 * Compile a request's schema, or throw SchemaError saying why it cannot be one. `schema` is any value
 * the contract let through (an object or a boolean); it is copied first, so a caller changing it later
 * changes nothing here.
 */
export function compileSchema(schema: unknown): CompiledSchema {
  const shapeIssue = findJsonValueIssue(schema, 'schema', SCHEMA_MAX_DEPTH);
  if (shapeIssue) throw new SchemaError(shapeIssue.message.startsWith('nested') ? `nested more than ${SCHEMA_MAX_DEPTH} levels deep; the limit is ${SCHEMA_MAX_DEPTH}` : `${shapeIssue.field}: ${shapeIssue.message}`);
  const text = JSON.stringify(schema);
  if (text === undefined) throw new SchemaError('must be a JSON Schema object or boolean');
  const bytes = utf8Length(text);
  if (bytes > SCHEMA_MAX_BYTES) throw new SchemaError(`is ${bytes} bytes serialized; the limit is ${SCHEMA_MAX_BYTES}`);
  const hit = cache.get(text);
  if (hit) {
    // Refresh its place: the map's order is the eviction order.
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const copy = JSON.parse(text) as unknown;
  const nestedId = nestedIdPointer(copy);
  if (nestedId !== undefined) throw new SchemaError(`$id is allowed only at the root (found at ${nestedId}); use $defs with $anchor for local references`);
  let validate: ValidateValue;
  try {
    validate = compileValidator(copy as object | boolean);
  } catch (error) {
    throw new SchemaError(schemaErrorMessage(error));
  }
  const compiled: CompiledSchema = Object.freeze({ schema: copy, check: validate });
  cache.set(text, compiled);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return compiled;
}

const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose value maps names to schemas: its keys are names, not keywords. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Pointer of the first `$id` below the root, walking every object of the schema (iteratively). */
function nestedIdPointer(schema: unknown): string | undefined {
  const stack: { value: unknown; pointer: string; map: boolean }[] = [{ value: schema, pointer: '', map: false }];
  while (stack.length > 0) {
    const { value, pointer, map } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (pointer !== '' && !map && !Array.isArray(value) && typeof (value as Record<string, unknown>)['$id'] === 'string') return `#${pointer}`;
    for (const [key, child] of Object.entries(value)) {
      // Values, not schemas: an "$id" inside them is data (unless the key is a property's name).
      if (!map && !Array.isArray(value) && DATA_KEYWORDS.has(key)) continue;
      const childIsMap = !map && !Array.isArray(value) && SCHEMA_MAPS.has(key);
      stack.push({ value: child, pointer: `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, map: childIsMap });
    }
  }
  return undefined;
}

function schemaErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // re2js names its refusals by class; say in JSON Schema's terms what was wrong.
  if (error instanceof Error && error.name.startsWith('RE2JS')) return `a pattern is not supported (patterns use RE2 syntax: no lookaround or backreferences): ${message}`;
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
