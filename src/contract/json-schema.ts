/**
 * JSON Schema (2020-12) for `input_schema` and `output_schema`, compiled with ajv. A schema comes from a
 * request, so it is treated as hostile code: it is capped in size and depth before ajv sees it, `pattern`s
 * run on RE2 (linear time, no catastrophic backtracking), `uniqueItems` is checked by hashing instead of
 * ajv's pairwise comparison, `$data` is off, and a nested `$id` (which ajv would register on the shared
 * instance, where one tenant's schema could shadow another's) is refused. Compiled validators are kept in
 * a bounded cache keyed by the schema's canonical text, so a workflow that sends the same schema on every
 * call compiles it once. Portable: ajv and re2js import nothing from `node:`.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { RE2JS } from 're2js';
import { findJsonValueIssue } from './json-checks.js';
import { utf8Length } from './limits.js';

/** Largest schema, serialized: generous for hand-written schemas, small enough to compile in milliseconds. */
export const SCHEMA_MAX_BYTES = 64 * 1024;
/** Deepest nesting of a schema's JSON (objects and arrays): compile time and code size grow with it. */
export const SCHEMA_MAX_DEPTH = 32;
/** Compiled schemas kept (least recently used dropped first). */
const CACHE_ENTRIES = 256;
/**
 * Compilations before the ajv instance is replaced: ajv keeps every compiled pattern and helper in its
 * instance scope forever, so a stream of distinct schemas would otherwise grow it without bound.
 */
const COMPILES_PER_INSTANCE = 200;

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

// ajv-formats is CommonJS whose default export is the plugin; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as unknown as FormatsPlugin;

/**
 * ajv's RegExpEngine over RE2: the same `test` (a match anywhere), in time linear in the input.
 * `toString` must name the pattern: ajv keys its per-instance pattern cache by it, and "[object Object]"
 * would make every schema on the instance test the first pattern it ever compiled.
 */
const re2Engine = Object.assign(
  (pattern: string) => {
    const compiled = RE2JS.compile(pattern);
    return { test: (text: string) => compiled.test(text), toString: () => `re2:${JSON.stringify(pattern)}` };
  },
  { code: 're2js' },
);

let instance: Ajv2020 | undefined;
let compiledOnInstance = 0;

function ajv(): Ajv2020 {
  if (instance && compiledOnInstance < COMPILES_PER_INSTANCE) return instance;
  compiledOnInstance = 0;
  instance = new Ajv2020({
    // Unknown keywords and formats are mistakes in a schema (a typo would silently validate nothing).
    strict: true,
    // ...but a schema need not repeat `type` next to `properties`, or list tuple bounds, to be valid.
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: false,
    $data: false,
    // Do not register a schema's $id on the shared instance: it would outlive the request.
    addUsedSchema: false,
    ownProperties: true,
    // Long `required` / `enum` lists become loops, not unrolled code.
    loopRequired: 32,
    loopEnum: 32,
    code: { regExp: re2Engine },
  });
  addFormats(instance, { mode: 'fast' });
  // A declared file (see coerce-inputs.ts): any string names one, coercion turns it into an object.
  instance.addFormat('file', { type: 'string', validate: () => true });
  instance.removeKeyword('uniqueItems');
  instance.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: validateUniqueItems });
  return instance;
}

/**
 * uniqueItems in linear time: ajv compares object items pairwise (a 100,000-item array of objects is
 * 5e9 deep comparisons). Items are keyed by a canonical JSON text (keys sorted), which is equality in
 * JSON's data model.
 */
function validateUniqueItems(this: unknown, unique: boolean, data: unknown[]): boolean {
  const self = validateUniqueItems as typeof validateUniqueItems & { errors?: Partial<ErrorObject>[] };
  self.errors = [];
  if (!unique) return true;
  const seen = new Map<string, number>();
  for (let i = 0; i < data.length; i++) {
    const key = canonicalJson(data[i]);
    const first = seen.get(key);
    if (first !== undefined) {
      self.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ${first} and ${i} are identical)`, params: { i, j: first } }];
      return false;
    }
    seen.set(key, i);
  }
  return true;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
  const engine = ajv();
  let validate: ValidateFunction;
  try {
    compiledOnInstance++;
    validate = engine.compile(copy as object);
  } catch (error) {
    throw new SchemaError(schemaErrorMessage(error));
  } finally {
    // ajv caches every compiled schema by object; ours is the bounded cache below.
    if (typeof copy === 'object' && copy !== null) engine.removeSchema(copy);
  }
  const compiled: CompiledSchema = Object.freeze({
    schema: copy,
    check(value: unknown): SchemaViolation | undefined {
      if (validate(value)) return undefined;
      const first = validate.errors?.[0];
      return first ? violationOf(first) : { pointer: '', rule: 'schema', schemaPath: '#', message: 'does not match the schema' };
    },
  });
  cache.set(text, compiled);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return compiled;
}

function violationOf(error: ErrorObject): SchemaViolation {
  let pointer = error.instancePath;
  // A missing or extra property is reported at its parent; the pointer names the property itself.
  const params = error.params as Record<string, unknown>;
  const property = error.keyword === 'required' ? params['missingProperty'] : error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties' ? params['additionalProperty'] ?? params['unevaluatedProperty'] : undefined;
  if (typeof property === 'string') pointer += `/${property.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  return { pointer, rule: error.keyword, schemaPath: error.schemaPath, message: error.message ?? `fails ${error.keyword}` };
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
