// Typed inputs and outputs over real HTTP (app.inject): a failing input is a 400 naming the JSON
// pointer, a bad schema a 400 naming its field, a failing output a 200 envelope with invalid_output.
import { describe, expect, it } from 'vitest';
import { post, useApp } from './helpers.js';

const SCHEMA = { type: 'object', properties: { count: { type: 'integer', minimum: 1 } }, required: ['count'] };

describe('POST /v1/execute with input_schema and output_schema', () => {
  const app = useApp();

  it('an input failing input_schema is a 400 naming the pointer and the rule', async () => {
    const response = await post(app(), { language: 'javascript', code: 'function main({ count }) { return count }', input_schema: SCHEMA, inputs: { count: 0 } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: 'inputs.count', pointer: '/count', rule: 'minimum' }] } });
  });

  it('coerce: true runs the code with the converted inputs', async () => {
    const response = await post(app(), { language: 'javascript', code: 'function main({ count }) { return typeof count }', input_schema: SCHEMA, coerce: true, inputs: { count: '3' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'completed', output: 'number' });
  });

  it('a schema ajv refuses in strict mode is a 400 naming input_schema', async () => {
    const response = await post(app(), { language: 'javascript', code: '1', input_schema: { type: 'object', requird: ['x'] } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: 'input_schema', message: expect.stringMatching(/unknown keyword: "requird"/) }] } });
  });

  it('an output failing output_schema is the envelope error invalid_output', async () => {
    const response = await post(app(), { language: 'javascript', code: 'function main() { return { count: -1 } }', output_schema: SCHEMA });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'completed', return_code: 1, output: null, error: { type: 'invalid_output', pointer: '/count', rule: 'minimum' } });
  });

  it('openapi.json documents the new fields', async () => {
    const document = (await app().inject({ method: 'GET', url: '/openapi.json' })).json() as { components: { schemas: { ExecuteRequest: { properties: Record<string, unknown> } } } };
    expect(Object.keys(document.components.schemas.ExecuteRequest.properties)).toEqual(expect.arrayContaining(['input_schema', 'output_schema', 'coerce']));
  });
});
