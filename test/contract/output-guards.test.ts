// output_guards: Dify's code-node output limits, as a request option. Each guard names the pointer of
// the first value past it and itself as the rule; "dify" is Dify's defaults.
import { describe, expect, it } from 'vitest';
import { IsolaError } from '../../src/contract/errors.js';
import { acceptExecuteRequest } from '../../src/contract/request.js';

const checkOf = (output_guards: unknown, output_schema?: unknown) => {
  const parsed = acceptExecuteRequest({ language: 'python', code: '1', output_guards, ...(output_schema ? { output_schema } : {}) });
  if (!parsed.outputCheck) throw new Error('no output check');
  return parsed.outputCheck;
};

describe('output_guards', () => {
  it.each([
    ['a long string', { max_string_length: 5 }, { a: ['ok', 'too long'] }, { pointer: '/a/1', rule: 'max_string_length' }],
    ['a long key', { max_string_length: 3 }, { abcd: 1 }, { pointer: '/abcd', rule: 'max_string_length' }],
    ['deep nesting (the output is level 1)', { max_depth: 2 }, { a: { b: { c: 1 } } }, { pointer: '/a/b', rule: 'max_depth' }],
    ['a long array', { max_array_length: 2 }, { rows: [1, 2, 3] }, { pointer: '/rows', rule: 'max_array_length' }],
    ['a number past the maximum', { number_range: { max: 10 } }, { n: [10, 11] }, { pointer: '/n/1', rule: 'number_range' }],
    ['a number under the minimum', { number_range: { min: 0 } }, -1, { pointer: '', rule: 'number_range' }],
    ['a pointer with ~ and / escaped', { max_string_length: 2 }, { 'a/b~': 'xyz' }, { pointer: '/a~1b~0', rule: 'max_string_length' }],
  ])('%s', (_name, guards, output, expected) => {
    expect(checkOf(guards)(output)).toMatchObject(expected);
  });

  it('counts characters as code points, as Python does', () => {
    const check = checkOf({ max_string_length: 3 });
    expect(check({ s: '😀😀😀' })).toBeUndefined();
    expect(check({ s: '😀😀😀😀' })).toMatchObject({ rule: 'max_string_length' });
  });

  it('"dify" is Dify\'s defaults: 30 strings, 30 objects, 1,000 numbers, depth 5, 80,000 characters', () => {
    const check = checkOf('dify');
    expect(check({ tags: Array.from({ length: 30 }, String), numbers: Array.from({ length: 1_000 }, Number), text: 'x'.repeat(80_000) })).toBeUndefined();
    expect(check({ tags: Array.from({ length: 31 }, String) })).toMatchObject({ pointer: '/tags', rule: 'max_array_length' });
    expect(check({ rows: Array.from({ length: 31 }, () => ({})) })).toMatchObject({ pointer: '/rows', rule: 'max_array_length' });
    expect(check({ numbers: Array.from({ length: 1_001 }, Number) })).toMatchObject({ pointer: '/numbers', rule: 'max_array_length' });
    expect(check({ text: 'x'.repeat(80_001) })).toMatchObject({ pointer: '/text', rule: 'max_string_length' });
    expect(check({ a: { b: { c: { d: { e: 1 } } } } })).toBeUndefined();
    expect(check({ a: { b: { c: { d: { e: {} } } } } })).toMatchObject({ pointer: '/a/b/c/d/e', rule: 'max_depth' });
  });

  it('per-kind array bounds leave the other kinds alone', () => {
    const check = checkOf({ max_array_length: { strings: 1 } });
    expect(check({ n: [1, 2, 3], o: [{}, {}] })).toBeUndefined();
    expect(check({ s: ['a', 'b'] })).toMatchObject({ pointer: '/s' });
  });

  it('the guards and output_schema both apply, guards first', () => {
    const check = checkOf({ max_string_length: 4 }, { type: 'object', required: ['id'] });
    expect(check({ name: 'longer' })).toMatchObject({ pointer: '/name', rule: 'max_string_length' });
    expect(check({ name: 'ok' })).toMatchObject({ pointer: '/id', rule: 'required' });
    expect(check({ id: 1 })).toBeUndefined();
  });

  it('a bad guard is a 400 naming it', () => {
    try {
      acceptExecuteRequest({ language: 'python', code: '1', output_guards: { max_depth: 0, max_lenght: 3 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IsolaError);
      expect((error as IsolaError).issues?.map((issue) => issue.field).join(' ')).toMatch(/output_guards/);
    }
  });
});
