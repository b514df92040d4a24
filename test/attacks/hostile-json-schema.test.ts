// A schema in a request is code the host runs (ajv compiles it to a function and validates on the
// request's thread): one request must not be able to stall the host, or change what another request's
// schema means. Each case here would hang or leak with ajv's defaults.
import { describe, expect, it } from 'vitest';
import { IsolaError } from '../../src/contract/errors.js';
import { acceptExecuteRequest } from '../../src/contract/request.js';

const base = { language: 'javascript', code: 'function main(i) { return i }' } as const;

function outcome(body: Record<string, unknown>): { ok: true } | { ok: false; error: IsolaError } {
  try {
    acceptExecuteRequest({ ...base, ...body });
    return { ok: true };
  } catch (error) {
    if (error instanceof IsolaError) return { ok: false, error };
    throw error;
  }
}

function timed<T>(action: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = action();
  return { value, ms: performance.now() - started };
}

describe('hostile JSON Schemas', () => {
  it('a catastrophic-backtracking pattern runs in linear time (RE2), not for hours', () => {
    // With JavaScript's RegExp, ^(a+)+$ against 30 "a"s and a "!" already takes seconds; 100,000 never ends.
    const { value, ms } = timed(() => outcome({ input_schema: { properties: { s: { type: 'string', pattern: '^(a+)+$' } } }, inputs: { s: `${'a'.repeat(100_000)}!` } }));
    expect(value.ok).toBe(false);
    expect(ms).toBeLessThan(2_000);
  });

  it('patternProperties and propertyNames use the same engine', () => {
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${'a'.repeat(2_000 + i)}!`, i]));
    const { value, ms } = timed(() => outcome({ input_schema: { propertyNames: { pattern: '^(a|a)+$' } }, inputs: keys }));
    expect(value.ok).toBe(false);
    expect(ms).toBeLessThan(2_000);
  });

  it('two schemas on the same validator keep their own patterns', () => {
    // ajv caches compiled patterns per instance under the engine's toString(): a shared key would make
    // the second request's pattern the first one's.
    expect(outcome({ input_schema: { properties: { s: { pattern: '^x+$' } } }, inputs: { s: 'xx' } }).ok).toBe(true);
    expect(outcome({ input_schema: { properties: { s: { pattern: '^y+$' } } }, inputs: { s: 'xx' } }).ok).toBe(false);
    expect(outcome({ input_schema: { properties: { s: { pattern: '^y+$' } } }, inputs: { s: 'yy' } }).ok).toBe(true);
  });

  it('a pattern RE2 cannot run (lookaround, backreferences) is a 400 naming the schema', () => {
    const result = outcome({ input_schema: { properties: { s: { pattern: '^(a)\\1$' } } } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.[0]?.field).toBe('input_schema');
  });

  it('uniqueItems over many objects is linear, not pairwise', () => {
    // ajv compares object items pairwise: 60,000 items are 1.8e9 deep comparisons.
    const items = Array.from({ length: 60_000 }, (_, i) => ({ id: i, tags: ['x', i % 7] }));
    const { value, ms } = timed(() => outcome({ input_schema: { properties: { rows: { type: 'array', uniqueItems: true } } }, inputs: { rows: items } }));
    expect(value.ok).toBe(true);
    expect(ms).toBeLessThan(3_000);
    // And it still finds a duplicate, whatever the key order.
    const dup = outcome({ input_schema: { properties: { rows: { uniqueItems: true } } }, inputs: { rows: [{ a: 1, b: [2] }, { b: [2], a: 1 }] } });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.error.issues?.[0]).toMatchObject({ pointer: '/rows', rule: 'uniqueItems' });
  });

  it('a schema over 64 KiB is refused before ajv compiles it', () => {
    const properties = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`field_${i}`, { type: 'string', minLength: 1 }]));
    const result = outcome({ output_schema: { type: 'object', properties } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.[0]).toMatchObject({ field: 'output_schema', message: expect.stringMatching(/bytes serialized; the limit is 65536/) });
  });

  it('a schema nested deeper than 32 levels is refused', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i++) schema = { properties: { a: schema } };
    const result = outcome({ input_schema: schema });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.[0]).toMatchObject({ field: 'input_schema', message: expect.stringMatching(/nested more than 32 levels/) });
  });

  it("one request's $id never names a schema for the next request", () => {
    expect(outcome({ input_schema: { $id: 'urn:isola:shared', type: 'object' } }).ok).toBe(true);
    // Were the first schema registered on the shared validator, this would resolve to it.
    const later = outcome({ input_schema: { $ref: 'urn:isola:shared' } });
    expect(later.ok).toBe(false);
    if (!later.ok) expect(later.error.issues?.[0]?.field).toBe('input_schema');
    // A nested $id would be registered by ajv whatever the options: refused outright.
    const nested = outcome({ input_schema: { $defs: { x: { $id: 'urn:isola:planted', type: 'integer' } } } });
    expect(nested.ok).toBe(false);
    if (!nested.ok) expect(nested.error.issues?.[0]?.message).toMatch(/\$id is allowed only at the root/);
  });

  it('a stream of distinct schemas keeps validating right across cache evictions and validator renewals', () => {
    // 500 schemas: more than the cache keeps (256) and than one ajv instance compiles (200) before it is
    // replaced, so its per-instance pattern scope cannot grow without bound.
    const started = performance.now();
    for (let i = 0; i < 500; i++) {
      const schema = { properties: { s: { type: 'string', pattern: `^v${i}$` } } };
      expect(outcome({ input_schema: schema, inputs: { s: `v${i}` } }).ok).toBe(true);
      expect(outcome({ input_schema: schema, inputs: { s: `v${i + 1}` } }).ok).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(outcome({ input_schema: { properties: { s: { pattern: '^v0$' } } }, inputs: { s: 'v0' } }).ok).toBe(true);
  });

  it('an "$id" inside const or enum is data, not a schema id', () => {
    expect(outcome({ input_schema: { properties: { a: { const: { $id: 'x' } } } }, inputs: { a: { $id: 'x' } } }).ok).toBe(true);
  });
});
