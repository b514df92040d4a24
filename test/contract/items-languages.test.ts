// Items call execute(args, ctx) per item, which only JavaScript, TypeScript and Python guests have: a
// batch for Ruby (or a WASI module whose code is valid) is refused naming `items`, not run as one request.
import { describe, expect, it } from 'vitest';
import { acceptExecuteRequest, IsolaError } from '../../src/contract/index.js';

describe('items by language', () => {
  it.each(['ruby'])('refuses items for %s, naming the field', (language) => {
    let caught: unknown;
    try {
      acceptExecuteRequest({ language, code: 'def main; end', items: [{ json: {} }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IsolaError);
    expect((caught as IsolaError).code).toBe('invalid_request');
    expect((caught as IsolaError).issues?.[0]?.field).toBe('items');
  });

  it('accepts them for Python', () => {
    expect(acceptExecuteRequest({ language: 'python', code: 'def execute(args, ctx):\n    return 1', items: [{ json: {} }] }).batch?.itemJsons).toHaveLength(1);
  });
});
