import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

const { run } = useEngine();

// The same programs, as JavaScript and as TypeScript (type annotations stripped before running).
const languages = [
  { language: 'javascript' as const, ann: (_type: string) => '' },
  { language: 'typescript' as const, ann: (type: string) => `: ${type}` },
];

describe.each(languages)('entry conventions ($language)', ({ language, ann }) => {
  it('function mode: async main({ text, count }) returns an object', async () => {
    const response = await run({
      language,
      code: `async function main({ text, count }${ann('{ text: string; count: number }')}) {\n  await new Promise((r) => setTimeout(r, 5));\n  return { repeated: text.repeat(count), length: text.length * count };\n}`,
      inputs: { text: 'ab', count: 3 },
    });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(0);
    expect(response.output).toEqual({ repeated: 'ababab', length: 6 });
    expect(response.environment).toMatchObject({ lane: 'quickjs', mode: 'main' });
  });

  it('script mode: an async main that reads inputs.json with fs and writes output.json', async () => {
    const response = await run({
      language,
      code: `const fs = require('fs');\nasync function main()${ann('Promise<void>')} {\n  const inputs = JSON.parse(fs.readFileSync('inputs.json', 'utf8'));\n  await fs.promises.writeFile('output.json', JSON.stringify({ total: inputs.values.reduce((a${ann('number')}, b${ann('number')}) => a + b, 0) }));\n  console.log('done');\n}\nmain().catch((error) => { console.error(error); process.exit(1); });`,
      inputs: { values: [1, 2, 3, 4] },
    });
    expect(response.environment.mode).toBe('script');
    expect(response.return_code).toBe(0);
    expect(response.output).toEqual({ total: 10 });
    expect(response.stdout).toBe('done\n');
  });

  it('script mode: stdin carries the inputs and printed JSON becomes the output', async () => {
    const response = await run({
      language,
      code: `let data = '';\nprocess.stdin.setEncoding('utf8');\nprocess.stdin.on('data', (chunk${ann('string')}) => { data += chunk; });\nprocess.stdin.on('end', () => {\n  const { name } = JSON.parse(data);\n  console.log(JSON.stringify({ greeting: 'hello ' + name }));\n});`,
      inputs: { name: 'isola' },
    });
    expect(response.return_code).toBe(0);
    expect(response.output).toEqual({ greeting: 'hello isola' });
    expect(response.stdout_json).toEqual({ greeting: 'hello isola' });
  });
});

describe('entry detection', () => {
  it('a module exporting main runs in function mode', async () => {
    const response = await run({ code: `export async function main(input) { return input.n * 2 }`, inputs: { n: 21 } });
    expect(response.output).toBe(42);
    expect(response.environment.mode).toBe('main');
  });

  it('a module whose main is not exported still runs in function mode (TypeScript `export {}`)', async () => {
    const response = await run({ language: 'typescript', code: `export {};\nimport path from 'path';\nfunction main({ file }: { file: string }) { return path.extname(file) }`, inputs: { file: 'a/b.json' } });
    expect(response.error).toBeNull();
    expect(response.output).toBe('.json');
  });

  it('CommonJS module.exports = { main } runs in function mode', async () => {
    const response = await run({ code: `function main({ a, b }) { return a + b }\nmodule.exports = { main };`, inputs: { a: 2, b: 3 } });
    expect(response.output).toBe(5);
  });

  it('const main = arrow function runs in function mode', async () => {
    const response = await run({ code: `const main = async (inputs) => ({ keys: Object.keys(inputs) });`, inputs: { x: 1 } });
    expect(response.output).toEqual({ keys: ['x'] });
  });

  it('code that calls its own main is a script (main runs once, not twice)', async () => {
    const response = await run({ code: `let calls = 0;\nfunction main() { calls++; console.log(JSON.stringify({ calls })); }\nmain();` });
    expect(response.environment.mode).toBe('script');
    expect(response.output).toEqual({ calls: 1 });
  });

  it('a string that merely mentions main() does not fool the parser', async () => {
    const response = await run({ code: `function main() { return 'called main() here' }\nconst note = "main()";` });
    expect(response.environment.mode).toBe('main');
    expect(response.output).toBe('called main() here');
  });

  it('entrypoint "script" forces a script even when main is defined', async () => {
    const response = await run({ code: `function main() { return 1 }\nconsole.log('top');`, entrypoint: 'script' });
    expect(response.environment.mode).toBe('script');
    expect(response.stdout).toBe('top\n');
    expect(response.output).toBeNull();
  });

  it('entrypoint "main" without a main function is a clear exception', async () => {
    const response = await run({ code: `console.log(1)`, entrypoint: 'main' });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toMatch(/no main function/);
  });

  it('top-level await in a script-style module works', async () => {
    const response = await run({ code: `const value = await Promise.resolve(7);\nconsole.log(JSON.stringify({ value }));` });
    expect(response.output).toEqual({ value: 7 });
  });

  it('sloppy-mode scripts keep working (undeclared assignment)', async () => {
    const response = await run({ code: `total = 0; for (i = 0; i < 4; i++) total += i; console.log(total);` });
    expect(response.return_code).toBe(0);
    expect(response.output).toBe(6);
  });

  it('output precedence: main return beats output.json and stdout', async () => {
    const response = await run({ code: `const fs = require('fs');\nfunction main() { fs.writeFileSync('output.json', '{"from":"file"}'); console.log('{"from":"stdout"}'); return { from: 'main' }; }` });
    expect(response.output).toEqual({ from: 'main' });
    expect(response.stdout_json).toEqual({ from: 'stdout' });
  });

  it('output.json beats stdout in script mode; non-JSON stdout has no stdout_json', async () => {
    const response = await run({ code: `require('fs').writeFileSync('output.json', JSON.stringify([1, 2]));\nconsole.log('not json');` });
    expect(response.output).toEqual([1, 2]);
    expect(response).not.toHaveProperty('stdout_json');
  });
});
