import { describe, expect, it } from 'vitest';
import { useEngine } from '../engine/helpers.js';

// The service's own secret: guest code must never be able to read it.
process.env.ISOLA_TEST_SECRET = 'do-not-leak-7f3a';
const { run } = useEngine();

async function output(code: string): Promise<unknown> {
  const response = await run({ code });
  expect(response.error, JSON.stringify(response.error)).toBeNull();
  return response.output;
}

describe('QuickJS sandbox escapes', () => {
  it('the Function constructor reaches only the guest realm', async () => {
    const result = await output(`function main() {
      const viaCtor = (function () {}).constructor('return typeof process === "object" ? Object.keys(process.env) : null')();
      const viaProto = [].constructor.constructor('return this')();
      const viaAsync = (async function () {}).constructor;
      return { env: viaCtor, sameGlobal: viaProto === globalThis, asyncCtor: typeof viaAsync };
    }`);
    expect(result).toEqual({ env: [], sameGlobal: true, asyncCtor: 'function' });
  });

  it('no host object, secret or capability is reachable from the global object', async () => {
    const result = (await output(`function main() {
      const seen = new Set(); const found = [];
      function walk(value, path, depth) {
        if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || depth > 4) return;
        seen.add(value);
        for (const key of Reflect.ownKeys(value)) {
          let child; try { child = value[key] } catch { continue }
          if (typeof child === 'string' && child.includes('do-not-leak')) found.push(path + '.' + String(key));
          walk(child, path + '.' + String(key), depth + 1);
        }
      }
      walk(globalThis, 'globalThis', 0);
      return { found, hostDoor: typeof __isolaHost, names: Object.getOwnPropertyNames(globalThis).filter((n) => /host|isola|std|os|wasi/i.test(n)) };
    }`)) as { found: string[]; hostDoor: string; names: string[] };
    expect(result.found).toEqual([]);
    expect(result.hostDoor).toBe('undefined');
    expect(result.names).toEqual([]);
  });

  it('process.env is empty', async () => {
    expect(await output(`function main() { return process.env }`)).toEqual({});
  });

  it('there is no host file system, process or network', async () => {
    const result = await output(`function main() {
      const fs = require('fs');
      const attempt = (fn) => { try { return fn() } catch (e) { return e.code || e.message } };
      return {
        passwd: attempt(() => fs.readFileSync('/etc/passwd', 'utf8')),
        environ: attempt(() => fs.readFileSync('/proc/self/environ', 'utf8')),
        root: attempt(() => fs.readdirSync('/')),
        child: attempt(() => require('child_process')),
        net: attempt(() => require('net')),
        std: typeof std, os: typeof os,
      };
    }`);
    expect(result).toMatchObject({ passwd: 'ENOENT', environ: 'ENOENT', child: 'MODULE_NOT_FOUND', net: 'MODULE_NOT_FOUND', std: 'undefined', os: 'undefined' });
    expect((result as { root: string[] }).root).not.toContain('etc');
  });

  it('dynamic import of node: modules fails', async () => {
    const response = await run({ code: `const fs = await import('node:child_process'); console.log(typeof fs.execSync)` });
    expect(response.return_code).toBe(1);
    expect(response.error?.message).toMatch(/Cannot find module|no child_process/);
  });

  it('fetch is denied while the request allows no hosts', async () => {
    const response = await run({ code: `async function main() { try { await fetch('http://169.254.169.254/latest/meta-data/') } catch (e) { return e.name + ': ' + e.message } }` });
    expect(response.output).toMatch(/^TypeError: fetch denied: 169\.254\.169\.254: network access is disabled/);
  });

  it('runtime libraries cannot be loaded by path', async () => {
    const response = await run({ code: `function main() { const out = []; for (const name of ['../bootstrap', '../../../../etc/passwd', 'FS', 'fs.js']) { try { require(name); out.push('loaded ' + name) } catch (e) { out.push(e.code) } } return out }` });
    expect(response.output).toEqual(['MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);
  });

  it('prototype pollution stays inside the execution that did it', async () => {
    await run({ code: `Object.prototype.isAdmin = true; Function.prototype.call = () => 'pwned';` });
    expect(await output(`function main() { return { admin: ({}).isAdmin === true, call: Math.max.call(null, 1, 2) } }`)).toEqual({ admin: false, call: 2 });
  });

  it('a host call with hostile arguments cannot crash the worker', async () => {
    const response = await run({ code: `function main() {
      const results = [];
      for (const value of [undefined, null, {}, Symbol('x'), 10n, { toString() { throw new Error('boom') } }]) {
        try { console.log(value); process.stdout.write(value === undefined ? '' : String(typeof value)); results.push('ok') } catch (e) { results.push(e.message) }
      }
      return results;
    }` });
    expect(response.status).toBe('completed');
    const after = await run({ code: `function main() { return 'still alive' }` });
    expect(after.output).toBe('still alive');
  });
});
