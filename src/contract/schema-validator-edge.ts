/**
 * The edge build's JSON Schema validator: @cfworker/json-schema, which interprets a schema instead of
 * compiling it to JavaScript (workerd refuses `new Function`, so ajv cannot run there). scripts/build-web.mjs
 * puts this file where schema-validator.ts (ajv) is; the interface is the same, and
 * test/contract/schema-validators.test.ts runs one table over both so they agree on what a schema accepts,
 * the pointer and the rule.
 *
 * What ajv's configuration gives the Node build is rebuilt here: unknown keywords and formats are refused
 * (ajv's strict mode; cfworker would ignore them and validate nothing), patterns are checked by RE2 when
 * the schema is compiled, and the build makes cfworker's own `new RegExp` an RE2 one and its pairwise
 * uniqueItems the linear check of unique-items.ts (scripts/cfworker-hardening.mjs), so neither a pattern
 * nor a long array can stall the host. What cfworker lacks is refused
 * with the reason: `$dynamicRef`/`$dynamicAnchor`, and formats only ajv-formats knows.
 */
import { format, Validator, type OutputUnit } from '@cfworker/json-schema';
import { RE2JS } from 're2js';
import type { SchemaViolation } from './json-schema.js';

/** Which validator this build runs. */
export const SCHEMA_VALIDATOR = 'cfworker';

/** Checks one value: its first violation, or undefined when it matches. */
export type ValidateValue = (value: unknown) => SchemaViolation | undefined;

// As in the Node build: a declared file (coerce-inputs.ts) is any string; password and binary are
// annotations in ajv-formats too.
format['file'] = () => true;
format['password'] = () => true;
format['binary'] = () => true;

const ANNOTATIONS = ['$schema', '$id', '$anchor', '$comment', '$vocabulary', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'contentEncoding', 'contentMediaType'];
const ASSERTIONS = ['type', 'const', 'enum', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required', 'dependentRequired', 'format', '$ref'];
/** Keywords whose value is one schema, a list of schemas, or a map of names to schemas. */
const ONE_SCHEMA = ['items', 'contains', 'additionalProperties', 'propertyNames', 'if', 'then', 'else', 'not', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const KNOWN = new Set([...ANNOTATIONS, ...ASSERTIONS, ...ONE_SCHEMA, ...SCHEMA_LISTS, ...SCHEMA_MAPS]);
const NOT_HERE = new Set(['$dynamicRef', '$dynamicAnchor']);
/** Keywords whose failure is only a summary of a subschema's (the next output unit says what failed). */
const APPLICATORS = new Set([...ONE_SCHEMA, ...SCHEMA_LISTS, ...SCHEMA_MAPS, '$ref']);

export function compileValidator(schema: object | boolean): ValidateValue {
  refuseWhatAjvWould(schema);
  // shortCircuit: stop at the first failure, as ajv with allErrors: false does.
  const validator = new Validator(schema as object, '2020-12', true);
  return (value) => {
    const result = validator.validate(value);
    return result.valid ? undefined : violationOf(result.errors);
  };
}

/** Walk every subschema: unknown keywords and formats, and patterns RE2 cannot compile, throw. */
function refuseWhatAjvWould(root: unknown): void {
  const stack: { schema: unknown; at: string }[] = [{ schema: root, at: '#' }];
  while (stack.length > 0) {
    const { schema, at } = stack.pop()!;
    if (typeof schema === 'boolean') continue;
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`schema ${at} must be an object or a boolean`);
    for (const [keyword, value] of Object.entries(schema)) {
      const here = `${at}/${keyword}`;
      if (NOT_HERE.has(keyword)) throw new Error(`${keyword} (at ${here}) is not supported by this build's validator`);
      if (!KNOWN.has(keyword)) throw new Error(`strict mode: unknown keyword: "${keyword}"`);
      if (keyword === 'format' && (typeof value !== 'string' || !(value in format))) throw new Error(`unknown format "${String(value)}" ignored in schema at path "${at}"`);
      if (keyword === 'pattern' && typeof value === 'string') RE2JS.compile(value);
      if (ONE_SCHEMA.includes(keyword)) stack.push({ schema: value, at: here });
      else if (SCHEMA_LISTS.includes(keyword) && Array.isArray(value)) {
        for (const [i, each] of value.entries()) stack.push({ schema: each, at: `${here}/${i}` });
      }
      else if (SCHEMA_MAPS.includes(keyword) && value !== null && typeof value === 'object') {
        for (const [name, each] of Object.entries(value)) {
          if (keyword === 'patternProperties') RE2JS.compile(name);
          stack.push({ schema: each, at: `${here}/${name}` });
        }
      }
    }
  }
}

/**
 * The failure ajv would name: cfworker lists a failing applicator before what failed inside it, so
 * follow the first unit down to its leaf. A missing or extra property is named by its own pointer.
 */
function violationOf(errors: readonly OutputUnit[]): SchemaViolation {
  let i = 0;
  while (i + 1 < errors.length && APPLICATORS.has(errors[i]!.keyword) && !refusesByFalse(errors[i]!, errors[i + 1])) i++;
  const unit = errors[i];
  if (!unit) return { pointer: '', rule: 'schema', schemaPath: '#', message: 'does not match the schema' };
  let pointer = pointerOf(unit.instanceLocation);
  const next = errors[i + 1];
  if (unit.keyword === 'required') {
    const missing = /required property "(.*)"\.$/s.exec(unit.error)?.[1];
    if (missing !== undefined) pointer += `/${escapeToken(missing)}`;
  } else if (next && refusesByFalse(unit, next) && unit.keyword !== 'items' && unit.keyword !== 'unevaluatedItems') {
    pointer = pointerOf(next.instanceLocation);
  }
  return { pointer, rule: unit.keyword === 'false' ? 'false schema' : unit.keyword, schemaPath: unit.keywordLocation, message: unit.error };
}

/**
 * A `false` reached through these is reported by ajv as the keyword itself: an extra property at its own
 * pointer (additionalProperties, unevaluatedProperties), too many items at the array (items, unevaluatedItems).
 */
function refusesByFalse(unit: OutputUnit, next: OutputUnit | undefined): boolean {
  return next?.keyword === 'false' && ['additionalProperties', 'unevaluatedProperties', 'items', 'unevaluatedItems'].includes(unit.keyword);
}

/** cfworker's locations are URI fragments ("#/a%20b"); the contract's pointers are plain RFC 6901. */
function pointerOf(location: string): string {
  return decodeURIComponent(location.startsWith('#') ? location.slice(1) : location);
}

function escapeToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
