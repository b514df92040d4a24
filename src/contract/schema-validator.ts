/**
 * The Node build's JSON Schema validator: ajv (2020-12), which compiles a schema to JavaScript. A schema
 * comes from a request, so `pattern`s run on RE2 (linear time, no catastrophic backtracking),
 * `uniqueItems` is checked by hashing instead of ajv's pairwise comparison, `$data` is off, strict mode
 * refuses unknown keywords and formats, and ajv keeps no schema it compiled. The edge build swaps this
 * file for schema-validator-edge.ts (scripts/build-web.mjs): workerd forbids the `new Function` ajv
 * compiles with. test/contract/schema-validators.test.ts holds the two to the same answers.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { RE2JS } from 're2js';
import type { SchemaViolation } from './json-schema.js';
import { firstDuplicate } from './unique-items.js';

/** Which validator this build runs (the edge build's is "cfworker"). */
export const SCHEMA_VALIDATOR = 'ajv';

/** Checks one value: its first violation, or undefined when it matches. */
export type ValidateValue = (value: unknown) => SchemaViolation | undefined;

/**
 * Compilations before the ajv instance is replaced: ajv keeps every compiled pattern and helper in its
 * instance scope forever, so a stream of distinct schemas would otherwise grow it without bound.
 */
const COMPILES_PER_INSTANCE = 200;

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

/** uniqueItems in linear time (unique-items.ts), in ajv's error shape. */
function validateUniqueItems(this: unknown, unique: boolean, data: unknown[]): boolean {
  const self = validateUniqueItems as typeof validateUniqueItems & { errors?: Partial<ErrorObject>[] };
  self.errors = [];
  const duplicate = unique ? firstDuplicate(data) : undefined;
  if (!duplicate) return true;
  const [first, i] = duplicate;
  self.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ${first} and ${i} are identical)`, params: { i, j: first } }];
  return false;
}

/**
 * Compile a schema (a private copy, already within the caps and free of nested $id). Throws ajv's or
 * RE2's error when it cannot be one; json-schema.ts words it.
 */
export function compileValidator(schema: object | boolean): ValidateValue {
  const engine = ajv();
  let validate: ValidateFunction;
  try {
    compiledOnInstance++;
    validate = engine.compile(schema as object);
  } finally {
    // ajv caches every compiled schema by object; json-schema.ts keeps its own bounded cache.
    if (typeof schema === 'object' && schema !== null) engine.removeSchema(schema);
  }
  return (value) => {
    if (validate(value)) return undefined;
    const first = validate.errors?.[0];
    return first ? violationOf(first) : { pointer: '', rule: 'schema', schemaPath: '#', message: 'does not match the schema' };
  };
}

function violationOf(error: ErrorObject): SchemaViolation {
  let pointer = error.instancePath;
  // A missing or extra property is reported at its parent; the pointer names the property itself.
  const params = error.params as Record<string, unknown>;
  const property = error.keyword === 'required' ? params['missingProperty'] : error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties' ? params['additionalProperty'] ?? params['unevaluatedProperty'] : undefined;
  if (typeof property === 'string') pointer += `/${property.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  return { pointer, rule: error.keyword, schemaPath: error.schemaPath, message: error.message ?? `fails ${error.keyword}` };
}
