import { describe, expect, it } from 'vitest';
import { findJsonValueIssue, jsonTextExceedsDepth, loneSurrogateAt } from '../../src/contract/json-checks.js';
import { utf8Length } from '../../src/contract/limits.js';

const nest = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('JSON checks of the contract', () => {
  it('counts depth with the value itself as level 1, without recursing', () => {
    expect(findJsonValueIssue(nest(10), 'inputs', 10)).toBeUndefined();
    expect(findJsonValueIssue(nest(11), 'inputs', 10)).toEqual({ field: 'inputs.0.0.0.0.0.0.0.0.0.0', message: 'nested more than 10 levels deep; the limit is 10' });
    // A million levels: a recursive walk would overflow the stack long before.
    expect(findJsonValueIssue(nest(1_000_000), 'inputs')?.message).toContain('the limit is 1000');
  });

  it('elides long paths', () => {
    expect(findJsonValueIssue(nest(20, Number.NaN), 'inputs', 100)?.field).toBe('inputs.0.0.0.0.0.0.0.0.0.0.0.0.…');
  });

  it('names lone surrogates, non-finite numbers and values without a JSON form', () => {
    expect(findJsonValueIssue({ a: { b: ['x', '\ud800'] } }, 'inputs')?.field).toBe('inputs.a.b.1');
    expect(findJsonValueIssue({ ['\udc00']: 1 }, 'inputs')?.message).toMatch(/^key contains a lone surrogate \(U\+DC00 at offset 0\)/);
    expect(findJsonValueIssue({ n: Infinity }, 'inputs')?.field).toBe('inputs.n');
    expect(findJsonValueIssue({ n: 10n }, 'inputs')?.message).toBe('a BigInt has no JSON form');
    expect(findJsonValueIssue({ ok: ['😀', 1.5, null, true, { deep: [] }] }, 'inputs')).toBeUndefined();
  });

  it('finds lone surrogates but not pairs', () => {
    expect(loneSurrogateAt('a😀b')).toBe(-1);
    expect(loneSurrogateAt('ab\ud83d')).toBe(2);
    expect(loneSurrogateAt('\ude00x')).toBe(0);
  });

  it('measures the depth of JSON text, skipping strings', () => {
    expect(jsonTextExceedsDepth('[[1]]', 2)).toBe(false);
    expect(jsonTextExceedsDepth('[[[1]]]', 2)).toBe(true);
    expect(jsonTextExceedsDepth('["[[[[\\"[[[", {"a": "{{{{"}]', 2)).toBe(false);
    expect(jsonTextExceedsDepth(`${'['.repeat(1_000_001)}${']'.repeat(1_000_001)}`)).toBe(true);
  });

  it('counts UTF-8 bytes like Buffer.byteLength, lone surrogates as U+FFFD', () => {
    for (const text of ['', 'ascii', 'é', '€', '😀', 'a😀é€', '\ud800', 'x\udc00y', '\ud83d\ud83d']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});
