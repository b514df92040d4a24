// Why main()'s return value is not JSON is explained by one source (runtimes/shared/explain-json.js) in
// every JavaScript lane: the QuickJS lane and the native lane's Node give the same words for the same value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

const CASES: [string, string, string][] = [
  ['a BigInt', 'return { user: { id: 10n } }', "output.user.id: BigInt value can't be serialized in JSON"],
  ['a cycle', 'const a = { list: [] }; a.list.push(a); return a', 'output.list[0]: circular reference'],
  ['a throwing toJSON', 'return { "odd key": { toJSON() { throw new Error("nope") } } }', 'output["odd key"]: toJSON() threw Error: nope'],
  ['a throwing getter', 'return { get secret() { throw new TypeError("locked") } }', 'output.secret: getter threw TypeError: locked'],
];

describe('invalid output explained the same in every JavaScript lane', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 1 } });
  }, 120_000);
  afterAll(async () => {
    await engine?.close({ graceMs: 0 });
  });

  it.each(CASES)('%s', async (_name, body, message) => {
    const code = `function main() { ${body} }`;
    const [quickjs, native] = await Promise.all([
      engine.execute({ language: 'javascript', code }),
      engine.execute({ language: 'javascript', runtime: 'native', code }),
    ]);
    expect(quickjs.environment.lane).toBe('quickjs');
    expect(native.environment.lane).toBe('native');
    expect(quickjs.error).toMatchObject({ type: 'invalid_output', message });
    expect(native.error).toMatchObject({ type: 'invalid_output', message });
  });
});
