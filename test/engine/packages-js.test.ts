import { describe, expect, it } from 'vitest';
import { SHARED_STORE } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

// Real installs from the npm registry into a store shared by the test files, so a cached build is reused.
const { run } = useEngine({ storeDir: SHARED_STORE });

describe('npm packages in the QuickJS lane', () => {
  it('require and import of an installed package work, and the second run is a cache hit', async () => {
    const code = `const _ = require('lodash');\nfunction main({ items }) { return { chunks: _.chunk(items, 2), version: _.VERSION } }`;
    const first = await run({ code, packages: ['lodash@4.17.21'], inputs: { items: [1, 2, 3, 4, 5] } });
    expect(first.error).toBeNull();
    expect(first.output).toEqual({ chunks: [[1, 2], [3, 4], [5]], version: '4.17.21' });
    expect(first.environment.lane).toBe('quickjs');

    const second = await run({ code: `import _ from 'lodash';\nexport function main() { return _.kebabCase('Hello Isola World') }`, packages: ['lodash@4.17.21'] });
    expect(second.output).toBe('hello-isola-world');
    expect(second.environment).toMatchObject({ cache: 'hit', hash: first.environment.hash });
  });

  it("a prebuild's globals and files are in every execution's starting state", async () => {
    const prebuild = `globalThis.SQUARES = Array.from({ length: 10 }, (_, i) => i * i);\nrequire('fs').writeFileSync('/tmp/table.json', JSON.stringify({ ready: true }));`;
    const code = `const fs = require('fs');\nfunction main({ i }) { return { square: SQUARES[i], table: JSON.parse(fs.readFileSync('/tmp/table.json', 'utf8')) } }`;
    const response = await run({ code, prebuild, inputs: { i: 7 } });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ square: 49, table: { ready: true } });
    const again = await run({ code, prebuild, inputs: { i: 3 } });
    expect(again.output).toEqual({ square: 9, table: { ready: true } });
    expect(again.environment.hash).toBe(response.environment.hash);
  });

  it('a failing prebuild is reported, not hidden', async () => {
    const response = await run({ code: `function main() { return 1 }`, prebuild: `throw new Error('cannot warm up')` });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toContain('cannot warm up');
  });

  it('an unknown package is a package_install result naming it, not a 5xx', async () => {
    const response = await run({ code: `function main() { return 1 }`, packages: ['isola-no-such-package-zz9@1.0.0'] });
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toContain('isola-no-such-package-zz9');
  });

  it('a spec that tries to smuggle an installer option is refused before any installer runs', async () => {
    const response = await run({ code: `function main() { return 1 }`, packages: ['--registry=http://evil.example/'] });
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toMatch(/invalid package spec/);
  });
});
