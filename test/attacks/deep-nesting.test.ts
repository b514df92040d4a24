// Hostile request bodies through the real HTTP face (app.inject, real engine): inputs nested thousands of
// levels deep and numbers JSON cannot carry get a 400 naming the field, never a 500, and the lane keeps
// answering. Outputs nested too deep are in deep-output.test.ts.
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/contract/limits.js';
import { ADD, post, useApp } from '../server/helpers.js';

/** `{"language":…,"code":…,"inputs":{"x":[[[…1…]]]}}` as text, `depth` arrays deep. */
function deepBody(depth: number, open = '[', close = ']'): string {
  const head = JSON.stringify({ language: 'javascript', code: ADD }).slice(0, -1);
  return `${head},"inputs":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
}

describe('request JSON built to break the host', () => {
  const app = useApp();

  async function expectStillServing(): Promise<void> {
    const res = await post(app(), { language: 'javascript', code: ADD, inputs: { a: 1, b: 2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().output).toEqual({ sum: 3 });
  }

  it.each([5_000, 100_000, 1_000_000])('inputs nested %i deep: 400 naming inputs', async (depth) => {
    const res = await post(app(), deepBody(depth));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('invalid_request');
    expect(error.issues[0].field).toMatch(/^inputs\.x(\.0)*/);
    expect(error.issues[0].message).toContain(`the limit is ${LIMITS.jsonDepth}`);
    await expectStillServing();
  });

  it('objects nested deep are refused like arrays', async () => {
    const res = await post(app(), deepBody(5_000, '{"k":', '}'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].field).toMatch(/^inputs\.x\.k\.k/);
  });

  it('inputs exactly at the depth limit still run', async () => {
    // inputs is level 1, x's arrays are levels 2..limit.
    const res = await post(app(), { language: 'javascript', code: 'function main(i) { let d = 0, v = i.x; while (Array.isArray(v)) { d++; v = v[0]; } return d; }', inputs: JSON.parse(`{"x":${'['.repeat(LIMITS.jsonDepth - 1)}1${']'.repeat(LIMITS.jsonDepth - 1)}}`) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json().output).toBe(LIMITS.jsonDepth - 1);
  });

  it.each([
    ['1e400', '1e400', 'inputs.big'],
    ['-1e400', '-1e400', 'inputs.big'],
    ['a 5,001-digit integer', `1${'0'.repeat(5000)}`, 'inputs.big'],
  ])('a number JSON cannot carry (%s) is a 400, not a silent null', async (_name, literal, field) => {
    const res = await post(app(), `{"language":"javascript","code":${JSON.stringify(ADD)},"inputs":{"big":${literal}}}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([expect.objectContaining({ field, message: expect.stringContaining('cannot be represented in JSON') })]);
    await expectStillServing();
  });

  it('a huge number in a contract field names that field', async () => {
    const res = await post(app(), `{"language":"javascript","code":"1","timeout_ms":1e400}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((issue: { field: string }) => issue.field)).toEqual(['timeout_ms']);
  });

  it('deep nesting outside inputs is a 400 on that field', async () => {
    const res = await post(app(), `{"language":"javascript","code":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((issue: { field: string }) => issue.field)).toEqual(['code']);
  });
});
