/**
 * Poisoning the QuickJS realm for the next execution: Object.prototype, Array.prototype, JSON,
 * globalThis, Function.prototype, console, Promise, timers, Error.prepareStackTrace and stackTraceLimit,
 * the module registry (require cache), process and the VFS. After each, the canary on the same worker
 * sees exactly what a fresh engine's canary sees (test/attacks/canary.ts, canary/canary-quickjs.js).
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('quickjs');

const ATTACKS: Record<string, string> = {
  'Object.prototype and Array.prototype': `
    Object.prototype.polluted = true;
    Object.defineProperty(Object.prototype, 'then', { get() { return undefined }, configurable: true });
    Array.prototype.map = function () { return ['hijacked'] };
    Array.prototype[Symbol.iterator] = function* () { yield 'hijacked' };
    Object.freeze(Array.prototype);
    Object.keys = () => ['hijacked'];`,
  'JSON and globalThis': `
    JSON.stringify = () => '"hijacked"';
    JSON.parse = () => ({ hijacked: true });
    globalThis.leaked = 'secret';
    var alsoLeaked = 1;
    delete globalThis.Map;
    globalThis.Math = { random: () => 4 };
    Object.defineProperty(globalThis, 'undefinedish', { get() { return 'trap' } });`,
  'Function.prototype': `
    Function.prototype.call = () => 'pwned';
    Function.prototype.apply = () => 'pwned';
    Function.prototype.bind = () => () => 'pwned';
    Function.prototype.toString = () => 'function () { [native code] }';
    Object.setPrototypeOf(Function.prototype, { injected: true });`,
  'console, process and require': `
    console.log = () => {};
    console.error = () => {};
    process.env.TOKEN = 'abc';
    process.exitCode = 3;
    process.argv.push('--planted');
    const fs = require('fs');
    fs.readFileSync = () => 'hijacked';
    require('path').sep = '\\\\';
    require.cache && Object.keys(require.cache).forEach((key) => { require.cache[key].exports = 'hijacked' });`,
  'Promise and timers': `
    const RealPromise = Promise;
    Promise.prototype.then = function () { return this };
    globalThis.Promise = function () {};
    setInterval(() => { globalThis.tick = (globalThis.tick || 0) + 1 }, 1);
    setTimeout(() => { globalThis.late = true }, 5);
    queueMicrotask(() => { globalThis.micro = true });
    globalThis.setTimeout = () => 0;`,
  'Error.prepareStackTrace and stackTraceLimit': `
    Error.prepareStackTrace = (error, frames) => 'hijacked: ' + frames.length;
    Error.stackTraceLimit = 0;
    Error.captureStackTrace = () => {};
    Error.prototype.toString = () => 'hijacked';
    TypeError.prototype.name = 'Hijacked';
    Symbol.prototype.toString = () => 'hijacked';`,
  'files in the VFS': `
    const fs = require('fs');
    for (const dir of ['/tmp', '.', '/']) { try { fs.writeFileSync(dir + '/planted.txt', 'x') } catch {} }
    fs.writeFileSync('output.json', '{"planted":true}');
    try { fs.mkdirSync('/tmp/deep/er', { recursive: true }) } catch {}`,
  'everything frozen and sealed': `
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      try { const v = globalThis[name]; if (v && (typeof v === 'object' || typeof v === 'function')) { Object.freeze(v); v.prototype && Object.freeze(v.prototype) } } catch {}
    }
    Object.freeze(globalThis);`,
};

describe('poisoning the QuickJS realm for the next execution', () => {
  for (const [name, code] of Object.entries(ATTACKS)) {
    it(`does not outlive its execution: ${name}`, async () => {
      const attack = await lane.attackThenCanary({ code });
      expect(attack.error?.type ?? 'none', JSON.stringify(attack.error)).toMatch(/^(none|exception)$/);
      expect(lane.restarts()).toBe(0);
    });
  }

  it('in function mode, three times, then the canary', async () => {
    const all = Object.values(ATTACKS).map((code) => `try { (0, eval)(${JSON.stringify(code)}) } catch {}`).join('\n');
    for (let i = 0; i < 3; i++) {
      const attack = await lane.run({ code: `function main() {\n${all}\nreturn 'done' }` });
      expect(attack.error?.type ?? 'none').not.toBe('internal');
    }
    await lane.expectClean();
  });
});
