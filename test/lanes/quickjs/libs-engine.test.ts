// The guest libraries through the real engine and QuickJS lane: what a user's code node sees.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useEngine } from '../../engine/helpers.js';

const { run } = useEngine();

describe('guest libraries through the engine', () => {
  it('a script uses require()d built-ins and lazy globals together', async () => {
    const response = await run({
      inputs: { url: 'https://example.com/a/../b?x=1', text: 'héllo' },
      code: `const fs = require('fs'); const path = require('node:path'); const util = require('util'); const crypto = require('crypto');
const { EventEmitter } = require('events'); const assert = require('assert');
const inputs = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'inputs.json'), 'utf8'));
const url = new URL(inputs.url); url.searchParams.set('y', 'a b');
const bytes = Buffer.from(inputs.text);
const emitter = new EventEmitter(); let heard = 0; emitter.on('x', () => heard++); emitter.emit('x');
assert.deepStrictEqual(structuredClone({ a: [1] }), { a: [1] });
console.log(util.inspect({ nested: { map: new Map([['k', 1]]) } }));
fs.writeFileSync('output.json', JSON.stringify({
  href: url.href, b64: bytes.toString('base64'), decoded: new TextDecoder().decode(new TextEncoder().encode(inputs.text)),
  sha: crypto.createHash('sha256').update(inputs.text).digest('hex'), uuid: crypto.randomUUID().length, heard,
  formatted: util.format('%s=%d %j', 'n', 5, { a: 1 }), atob: atob(btoa('ok')),
}));`,
    });
    expect(response.error).toBeNull();
    expect(response.stdout).toBe("{ nested: { map: Map(1) { 'k' => 1 } } }\n");
    expect(response.output).toEqual({
      href: 'https://example.com/b?x=1&y=a+b', b64: Buffer.from('héllo').toString('base64'), decoded: 'héllo',
      sha: createHash('sha256').update('héllo').digest('hex'), uuid: 36, heard: 1, formatted: 'n=5 {"a":1}', atob: 'ok',
    });
  });

  it('fetch without network access rejects with a TypeError the user can catch', async () => {
    const response = await run({
      code: `async function main() {
  try { await fetch('https://api.example.com/data'); return 'fetched'; }
  catch (error) { return { name: error.name, message: error.message }; }
}`,
    });
    expect(response.output).toMatchObject({ name: 'TypeError' });
    expect((response.output as { message: string }).message).toMatch(/^fetch denied: api\.example\.com: /);
  });

  // Regression guard: in Node, AbortSignal.timeout() never keeps the process alive; a code node that used
  // one for its fetch must not sit idle until the signal's timer fires.
  it('an AbortSignal.timeout() left pending does not hold the run open', async () => {
    const response = await run({
      timeout_ms: 20_000,
      code: `fetch('https://api.example.com/data', { signal: AbortSignal.timeout(3000) })
  .catch((error) => console.log(JSON.stringify(error.name)));`,
    });
    expect(response.output).toBe('TypeError');
    expect(response.timings.run_ms).toBeLessThan(1500);
  });

  it('a main() result that is not JSON names the offending path', async () => {
    const response = await run({ code: `function main() { return { user: { id: 10n } }; }` });
    expect(response.error).toMatchObject({ type: 'invalid_output' });
    expect(response.error?.message).toContain("output.user.id: BigInt value can't be serialized in JSON");
  });
});
