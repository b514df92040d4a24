// input_schema / output_schema / coerce at the contract: what a library caller and every face meet before
// any lane runs. The output side is exercised over every lane in test/conformance/lanes.test.ts.
import { describe, expect, it } from 'vitest';
import { IsolaError } from '../../src/contract/errors.js';
import { acceptExecuteRequest } from '../../src/contract/request.js';

const base = { language: 'python', code: 'def main(**kw):\n    return kw' } as const;

function refusal(body: Record<string, unknown>): IsolaError {
  try {
    acceptExecuteRequest({ ...base, ...body });
  } catch (error) {
    if (error instanceof IsolaError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const ORDER = {
  type: 'object',
  properties: {
    count: { type: 'integer', minimum: 1 },
    price: { type: 'number' },
    urgent: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    ids: { type: 'array', items: { type: 'integer' } },
    meta: { type: 'object', properties: { level: { type: 'integer' } } },
    note: { type: 'string' },
    attachment: { format: 'file' },
  },
  required: ['count'],
};

describe('input_schema with coerce: Dify-style conversions', () => {
  it.each([
    ['a numeric string to an integer', { count: '42' }, { count: 42 }],
    ['a numeric string to a number', { count: 1, price: ' 9.5 ' }, { count: 1, price: 9.5 }],
    ['"true"/"false" to booleans', { count: 1, urgent: 'FALSE' }, { count: 1, urgent: false }],
    ['a comma list to an array', { count: 1, tags: 'red, green ,blue' }, { count: 1, tags: ['red', 'green', 'blue'] }],
    ['a JSON list to an array, items coerced', { count: 1, ids: '["1", 2]' }, { count: 1, ids: [1, 2] }],
    ['a comma list of numbers to integers', { count: 1, ids: '3,4' }, { count: 1, ids: [3, 4] }],
    ['a JSON object string to an object, nested fields coerced', { count: 1, meta: '{"level": "7"}' }, { count: 1, meta: { level: 7 } }],
    ['a number to a string', { count: 1, note: 12 }, { count: 1, note: '12' }],
    [
      'a URL to a file',
      { count: 1, attachment: 'https://files.example/a/Q3%20report.pdf?sig=x' },
      { count: 1, attachment: { name: 'Q3 report.pdf', url: 'https://files.example/a/Q3%20report.pdf?sig=x', mime_type: 'application/pdf' } },
    ],
    [
      "a Dify file object to a file",
      { count: 1, attachment: { dify_model_identity: '__dify__file__', filename: 'scan.png', remote_url: 'https://f.example/scan', mime_type: 'image/png', size: 10 } },
      { count: 1, attachment: { name: 'scan.png', url: 'https://f.example/scan', mime_type: 'image/png' } },
    ],
  ])('%s', (_name, inputs, expected) => {
    const parsed = acceptExecuteRequest({ ...base, input_schema: ORDER, coerce: true, inputs });
    expect(JSON.parse(parsed.inputsJson)).toEqual(expected);
    expect(parsed.request.inputs).toEqual(expected);
  });

  it('does not coerce without coerce: true, and the schema names the pointer', () => {
    const error = refusal({ input_schema: ORDER, inputs: { count: '42' } });
    expect(error.status).toBe(400);
    expect(error.issues).toEqual([expect.objectContaining({ field: 'inputs.count', pointer: '/count', rule: 'type' })]);
  });

  it('a value that does not convert is refused at its pointer', () => {
    const error = refusal({ input_schema: ORDER, coerce: true, inputs: { count: 1, ids: 'one,2' } });
    expect(error.issues).toEqual([expect.objectContaining({ field: 'inputs.ids.0', pointer: '/ids/0', rule: 'type' })]);
  });

  it('a missing required input is named at its own pointer', () => {
    const error = refusal({ input_schema: ORDER, inputs: {} });
    expect(error.code).toBe('invalid_request');
    expect(error.issues?.[0]).toMatchObject({ field: 'inputs.count', pointer: '/count', rule: 'required' });
  });

  it('a rule past the type is checked after coercion', () => {
    const error = refusal({ input_schema: ORDER, coerce: true, inputs: { count: '0' } });
    expect(error.issues?.[0]).toMatchObject({ pointer: '/count', rule: 'minimum' });
  });

  it('coerce without input_schema is a 400 naming coerce', () => {
    expect(refusal({ coerce: true }).issues?.map((issue) => issue.field)).toEqual(['coerce']);
  });
});

describe('input_schema and output_schema are checked as schemas', () => {
  it.each([
    ['an unknown keyword (strict mode)', { type: 'object', propertis: {} }, /unknown keyword/],
    ['an unknown format', { type: 'string', format: 'colour' }, /unknown format/],
    ['a draft-07 $schema', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, /draft-07/],
    ['a reference to nowhere', { $ref: '#/$defs/missing' }, /can't resolve reference/],
    ['a bad type', { type: 'integr' }, /type/],
    ['$data references', { properties: { a: { const: { $data: '1/b' } }, b: {} }, required: [{ $data: '0/x' }] }, /required/],
  ])('%s is a 400 naming the field', (_name, schema, message) => {
    for (const field of ['input_schema', 'output_schema']) {
      const error = refusal({ [field]: schema });
      expect(error.code).toBe('invalid_request');
      expect(error.issues?.map((issue) => issue.field)).toEqual([field]);
      expect(error.issues?.[0]?.message).toMatch(message);
    }
  });

  it('boolean schemas are schemas: true accepts anything, false nothing', () => {
    expect(() => acceptExecuteRequest({ ...base, input_schema: true, inputs: { x: 1 } })).not.toThrow();
    expect(refusal({ input_schema: false }).issues?.[0]).toMatchObject({ field: 'inputs', pointer: '', rule: 'false schema' });
  });

  it('a valid output_schema is kept for the envelope; without one there is no check', () => {
    const parsed = acceptExecuteRequest({ ...base, output_schema: { type: 'object', required: ['total'] } });
    expect(parsed.outputCheck?.({ total: 1 })).toBeUndefined();
    expect(parsed.outputCheck?.({})).toMatchObject({ pointer: '/total', rule: 'required' });
    expect(acceptExecuteRequest(base).outputCheck).toBeUndefined();
  });
});
