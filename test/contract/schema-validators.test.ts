/**
 * One table over both JSON Schema validators: ajv (the Node build, schema-validator.ts) and
 * @cfworker/json-schema (the edge build, schema-validator-edge.ts, which workerd can run). They must agree
 * on which schemas are refused, which values match, and, for a value that does not, the pointer and the
 * rule a user is told. Messages are each library's own and are not compared.
 */
import { describe, expect, it } from 'vitest';
import * as ajv from '../../src/contract/schema-validator.js';
import * as edge from '../../src/contract/schema-validator-edge.js';

const VALIDATORS = [ajv, edge];

const ORDER = {
  type: 'object',
  properties: {
    count: { type: 'integer', minimum: 1 },
    tags: { type: 'array', items: { type: 'string', maxLength: 3 }, uniqueItems: true },
    meta: { type: 'object', properties: { 'a/b~c': { type: 'boolean' } }, additionalProperties: false },
    kind: { enum: ['a', 'b'] },
    at: { type: 'string', format: 'date-time' },
    mail: { type: 'string', format: 'email' },
    code: { type: 'string', pattern: '^[A-Z]{3}$' },
    file: { format: 'file' },
    price: { $ref: '#/$defs/price' },
  },
  required: ['count'],
  $defs: { price: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 } },
};

/** [what, schema, value, undefined when it matches, else the pointer and rule]. */
const VALUES: [string, unknown, unknown, { pointer?: string; rule: string } | undefined][] = [
  ['a matching order', ORDER, { count: 2, tags: ['x', 'y'], meta: { 'a/b~c': true }, kind: 'a', at: '2026-01-02T03:04:05Z', mail: 'a@b.example', code: 'ABC', file: 'x', price: 9.99 }, undefined],
  ['a missing required property, named by its own pointer', ORDER, { tags: [] }, { pointer: '/count', rule: 'required' }],
  ['a wrong type', ORDER, { count: 'two' }, { pointer: '/count', rule: 'type' }],
  ['a number under the minimum', ORDER, { count: 0 }, { pointer: '/count', rule: 'minimum' }],
  ['an array item of the wrong type', ORDER, { count: 1, tags: ['x', 2] }, { pointer: '/tags/1', rule: 'type' }],
  ['a string over maxLength', ORDER, { count: 1, tags: ['long'] }, { pointer: '/tags/0', rule: 'maxLength' }],
  ['duplicate items', ORDER, { count: 1, tags: ['x', 'x'] }, { pointer: '/tags', rule: 'uniqueItems' }],
  ['an extra property (escaped in the pointer)', ORDER, { count: 1, meta: { 'x/y': 1 } }, { pointer: '/meta/x~1y', rule: 'additionalProperties' }],
  ['a property whose name needs escaping', ORDER, { count: 1, meta: { 'a/b~c': 'no' } }, { pointer: '/meta/a~1b~0c', rule: 'type' }],
  ['a value outside enum', ORDER, { count: 1, kind: 'c' }, { pointer: '/kind', rule: 'enum' }],
  ['a bad date-time', ORDER, { count: 1, at: 'yesterday' }, { pointer: '/at', rule: 'format' }],
  ['a bad email', ORDER, { count: 1, mail: 'nobody' }, { pointer: '/mail', rule: 'format' }],
  ['a pattern mismatch', ORDER, { count: 1, code: 'abc' }, { pointer: '/code', rule: 'pattern' }],
  ['a failure through $ref', ORDER, { count: 1, price: 0 }, { pointer: '/price', rule: 'exclusiveMinimum' }],
  ['multipleOf on decimals', ORDER, { count: 1, price: 0.3 }, undefined],
  ['a false schema', false, 1, { pointer: '', rule: 'false schema' }],
  ['a true schema', true, { any: 'thing' }, undefined],
  ['const', { const: { a: [1] } }, { a: [1] }, undefined],
  ['not', { not: { type: 'string' } }, 's', { pointer: '', rule: 'not' }],
  ['prefixItems then items false', { prefixItems: [{ type: 'integer' }], items: false }, [1, 2], { pointer: '', rule: 'items' }],
  ['a property whose schema is false', { properties: { a: false } }, { a: 1 }, { pointer: '/a', rule: 'false schema' }],
  ['unevaluatedItems', { prefixItems: [true], unevaluatedItems: false }, [1, 2], { pointer: '', rule: 'unevaluatedItems' }],
  ['unevaluatedProperties', { properties: { a: true }, unevaluatedProperties: false }, { a: 1, b: 2 }, { pointer: '/b', rule: 'unevaluatedProperties' }],
  ['dependentRequired', { dependentRequired: { a: ['b'] } }, { a: 1 }, { pointer: '', rule: 'dependentRequired' }],
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's own keyword, in a schema, never awaited.
  ['if/then', { if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } }, { a: 1 }, { pointer: '/b', rule: 'required' }],
  ['patternProperties', { patternProperties: { '^n_': { type: 'number' } } }, { n_x: 'no', other: 'yes' }, { pointer: '/n_x', rule: 'type' }],
  // On V8's backtracking RegExp each of these runs for hours; on RE2 (both builds) in linear time.
  ['a catastrophic pattern is linear on RE2', { type: 'string', pattern: '^(a+)+$' }, `${'a'.repeat(50_000)}!`, { pointer: '', rule: 'pattern' }],
  ['a catastrophic patternProperties key is linear on RE2', { patternProperties: { '^(a|a)+$': { type: 'integer' } } }, { [`${'a'.repeat(5_000)}`]: 'x' }, { pointer: `/${'a'.repeat(5_000)}`, rule: 'type' }],
  // Pairwise, as both libraries check it by default, this is 2e10 comparisons; hashed, one pass.
  ['uniqueItems over 200,000 items is one pass', { uniqueItems: true }, [...Array.from({ length: 200_000 }, (_, i) => ({ n: i })), { n: 7 }], { pointer: '', rule: 'uniqueItems' }],
  ['uniqueItems is equality in JSON (key order does not matter)', { uniqueItems: true }, [{ a: 1, b: [2] }, { b: [2], a: 1 }], { pointer: '', rule: 'uniqueItems' }],
  ['uniqueItems tells 1 from "1" and [1] from [[1]]', { uniqueItems: true }, [1, '1', [1], [[1]], null, {}], undefined],
  ['a catastrophic propertyNames pattern is linear on RE2', { propertyNames: { pattern: '^(a|a)+$' } }, { [`${'a'.repeat(5_000)}!`]: 1 }, { rule: 'pattern' }],
];

/** [what, schema]: refused when compiled, by both. */
const REFUSED: [string, unknown][] = [
  ['an unknown keyword (a typo that would validate nothing)', { type: 'object', propertys: { a: {} } }],
  ['an unknown keyword in a subschema', { properties: { a: { minimun: 1 } } }],
  ['an unknown format', { type: 'string', format: 'colour' }],
  ['a pattern RE2 cannot run (a backreference)', { type: 'string', pattern: '(a)\\1' }],
  ['a patternProperties key RE2 cannot run (lookahead)', { patternProperties: { '^(?=a)': true } }],
];

describe.each(VALIDATORS.map((validator) => [validator.SCHEMA_VALIDATOR, validator] as const))('JSON Schema validator: %s', (_name, validator) => {
  it.each(VALUES)('%s', (_what, schema, value, expected) => {
    const violation = validator.compileValidator(schema as object | boolean)(value);
    if (expected === undefined) expect(violation).toBeUndefined();
    else expect(violation).toMatchObject(expected);
  });

  it.each(REFUSED)('refuses %s', (_what, schema) => {
    expect(() => validator.compileValidator(schema as object)).toThrow();
  });
});
