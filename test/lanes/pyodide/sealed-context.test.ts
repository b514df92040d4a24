/**
 * The Node facts the seal rests on (worker-entry.ts): why dynamic import() must not exist in the realm,
 * and that the realm refuses code generation from strings.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { nodePlatform, toClassicScript } from '../../../src/lanes/pyodide/worker-entry.js';

describe('a plain vm context', () => {
  it("rejects import() with an error of the host realm, whose constructor chain leads to the host's Function", async () => {
    const context = vm.createContext({});
    const error = await (vm.runInContext('import("node:fs").catch((e) => e)', context) as Promise<Error>);
    expect(error.constructor.constructor).toBe(Function);
    // ...so code in the context could build a host function from it:
    const hostFunction = error.constructor.constructor as FunctionConstructor;
    expect(hostFunction('return typeof process')()).toBe('object');
  });
});

describe("the lane's sealed context", () => {
  const platform = nodePlatform();

  it('holds nothing but the language built-ins', () => {
    const names = platform.newContext().evaluate('Object.getOwnPropertyNames(globalThis).join(" ")', 'probe.js') as string;
    for (const hostish of ['process', 'require', 'module', 'Buffer', 'setImmediate', 'fetch', 'structuredClone', 'global']) {
      expect(names.split(' ')).not.toContain(hostish);
    }
  });

  it('refuses eval, new Function and the other function constructors with its own EvalError', () => {
    const context = platform.newContext();
    const verdicts = context.evaluate(
      `[() => eval("1"), () => new Function("return 1"), () => (async function () {}).constructor("return 1"), () => (function* () {}).constructor("return 1")]
        .map((attempt) => { try { attempt(); return "ran"; } catch (e) { return e instanceof EvalError ? "EvalError" : String(e); } })`,
      'probe.js',
    ) as string[];
    expect([...verdicts]).toEqual(['EvalError', 'EvalError', 'EvalError', 'EvalError']);
  });

  it('runs a Pyodide whose dynamic imports were all replaced', () => {
    const script = platform.assets.moduleScript;
    expect(/(?<![\w$.])import\s*\(/.test(script)).toBe(false);
    expect(script.includes('import.meta')).toBe(false);
    expect(() => toClassicScript('const x = 1;\nexport default _createPyodideModule;\nimport("x")'.replace('import("x")', 'import.meta.foo'))).toThrow(/module syntax/);
  });
});
