import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

const { run } = useEngine();

describe('errors and exit codes (JavaScript)', () => {
  it('an uncaught throw in main: completed, return_code 1, message and stack naming the user frame', async () => {
    const response = await run({ code: `function helper() { throw new TypeError('bad input: ' + 42) }\nfunction main() { return helper() }` });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(1);
    expect(response.error).toMatchObject({ type: 'exception', message: 'TypeError: bad input: 42' });
    expect(response.error?.traceback).toMatch(/at helper \(main\.js:1/);
    expect(response.stderr).toContain('TypeError: bad input: 42');
    expect(response.output).toBeNull();
  });

  it('a throw at the top level of a script', async () => {
    const response = await run({ code: `console.log('before');\nthrow new Error('top-level failure');` });
    expect(response.return_code).toBe(1);
    expect(response.stdout).toBe('before\n');
    expect(response.error?.message).toBe('Error: top-level failure');
  });

  it('a rejected async main', async () => {
    const response = await run({ code: `async function main() { await null; throw new RangeError('late') }` });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toBe('RangeError: late');
  });

  it('throwing a non-Error value', async () => {
    const response = await run({ code: `function main() { throw { code: 7 } }` });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toBe('Uncaught {"code":7}');
  });

  it('an exception thrown from a timer callback ends the run like Node would', async () => {
    const response = await run({ code: `setTimeout(() => { throw new Error('in timer') }, 5);\nsetTimeout(() => console.log('never'), 50);` });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toBe('Error: in timer');
    expect(response.stdout).toBe('');
  });

  it.each([0, 3, 42])('process.exit(%i) sets return_code', async (code) => {
    const response = await run({ code: `console.log('out'); process.exit(${code}); console.log('unreachable');` });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(code);
    expect(response.stdout).toBe('out\n');
    expect(response.error).toBeNull();
  });

  it('process.exit cannot be swallowed by a catch block', async () => {
    const response = await run({ code: `try { process.exit(5) } catch (e) { console.log('caught') }\nconsole.log('after');` });
    expect(response.return_code).toBe(5);
    expect(response.stdout).toBe('');
  });

  it('process.exitCode is honoured when the script ends normally', async () => {
    const response = await run({ code: `process.exitCode = 9;` });
    expect(response.return_code).toBe(9);
  });

  it('a JavaScript syntax error is an exception result', async () => {
    const response = await run({ code: `function main( { return 1 }` });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toMatch(/^SyntaxError/);
  });

  it('a TypeScript syntax error names line and column', async () => {
    const response = await run({ language: 'typescript', code: `const a: number = 1;\nconst b: = 2;` });
    expect(response.return_code).toBe(1);
    expect(response.error?.type).toBe('exception');
    expect(response.error?.message).toMatch(/^SyntaxError: .*\(main\.ts:2:\d+\)$/);
  });

  it('a return value JSON cannot represent is invalid_output naming the path', async () => {
    const response = await run({ code: `function main() { return { user: { id: 10n } } }` });
    expect(response.status).toBe('completed');
    expect(response.return_code).toBe(1);
    expect(response.error?.type).toBe('invalid_output');
    expect(response.error?.message).toContain('output.user.id');
  });

  it('an output.json that is not JSON is invalid_output', async () => {
    const response = await run({ code: `require('fs').writeFileSync('output.json', '{broken');` });
    expect(response.error?.type).toBe('invalid_output');
    expect(response.return_code).toBe(1);
  });

  it('a missing module names the module and the fix', async () => {
    const response = await run({ code: `const _ = require('lodash');` });
    expect(response.error?.message).toMatch(/Cannot find module 'lodash'.*packages/);
    const childProcess = await run({ code: `require('child_process').execSync('id')` });
    expect(childProcess.error?.message).toMatch(/no child_process module/);
  });
});
