/** Which specs are accepted, their canonical form (what the installer receives) and pin detection. */
import { describe, expect, it } from 'vitest';

import { checkPackageSpecs } from '../../src/environments/index.js';

function parsed(ecosystem: 'npm' | 'pip', spec: string) {
  const check = checkPackageSpecs(ecosystem, [spec]);
  if (!check.ok) throw new Error(check.message);
  const [first] = check.specs;
  return first && { raw: first.raw, name: first.name, pinned: first.pinned };
}

describe('npm specs', () => {
  it.each([
    ['lodash', { raw: 'lodash', name: 'lodash', pinned: false }],
    ['lodash@4.17.21', { raw: 'lodash@4.17.21', name: 'lodash', pinned: true }],
    ['lodash@^4', { raw: 'lodash@^4', name: 'lodash', pinned: false }],
    ['lodash@latest', { raw: 'lodash@latest', name: 'lodash', pinned: false }],
    ['@scope/pkg@^1', { raw: '@scope/pkg@^1', name: '@scope/pkg', pinned: false }],
    ['@types/node@20.11.5', { raw: '@types/node@20.11.5', name: '@types/node', pinned: true }],
    ['react@19.0.0-rc.1', { raw: 'react@19.0.0-rc.1', name: 'react', pinned: true }],
    ['lodash@>=4.0.0 <5', { raw: 'lodash@>=4.0.0 <5', name: 'lodash', pinned: false }],
    ['  dayjs@1  ', { raw: 'dayjs@1', name: 'dayjs', pinned: false }],
  ])('%j', (spec, expected) => {
    expect(parsed('npm', spec)).toEqual(expected);
  });
});

describe('pip specs', () => {
  it.each([
    ['requests', { raw: 'requests', name: 'requests', pinned: false }],
    ['requests==2.31.0', { raw: 'requests==2.31.0', name: 'requests', pinned: true }],
    ['Python_Dateutil >= 2.8, <3', { raw: 'python-dateutil>=2.8,<3', name: 'python-dateutil', pinned: false }],
    ['pandas>=2', { raw: 'pandas>=2', name: 'pandas', pinned: false }],
    ['numpy==2.*', { raw: 'numpy==2.*', name: 'numpy', pinned: false }],
    ['requests[socks, security]==2.31.0', { raw: 'requests[socks,security]==2.31.0', name: 'requests', pinned: true }],
    ['zope.interface~=6.0', { raw: 'zope-interface~=6.0', name: 'zope-interface', pinned: false }],
  ])('%j', (spec, expected) => {
    expect(parsed('pip', spec)).toEqual(expected);
  });
});

describe('limits', () => {
  it('names the first bad spec in the message', () => {
    const check = checkPackageSpecs('pip', ['six', '--index-url=http://evil.test']);
    expect(check).toEqual({
      ok: false,
      spec: '--index-url=http://evil.test',
      message: expect.stringMatching(/^invalid package spec "--index-url=http:\/\/evil.test": /),
    });
  });
});
