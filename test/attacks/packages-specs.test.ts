/**
 * Package spec injection: a spec must never reach a shell, become an installer option, or point the
 * installer at a path, URL, VCS repository or another registry. The manager runs with "installers" that
 * are tripwires (a script recording its argv), so the tests see exactly what an installer would get:
 * nothing at all for a bad spec, and for a good one an argv where the spec stands alone after `--`.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkPackageSpecs, createEnvironmentManager, type EnvironmentManager } from '../../src/environments/index.js';
import { freshStore } from '../environments/helpers.js';

let dir: string;
let cleanup: () => void;
let tripwire: string;
let record: string;
let marker: string;
let manager: EnvironmentManager;

beforeAll(() => {
  ({ dir, cleanup } = freshStore('isola-spec-attack-'));
  record = join(dir, 'installer-argv.log');
  marker = join(dir, 'pwned');
  tripwire = join(dir, 'tripwire.sh');
  // Records each argument on its own line, then fails like an installer that found nothing.
  writeFileSync(tripwire, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${record}'; done\necho '---' >> '${record}'\nexit 1\n`);
  chmodSync(tripwire, 0o755);
  manager = createEnvironmentManager({ storeDir: join(dir, 'store'), npm: tripwire, python: tripwire });
});
afterAll(async () => {
  await manager.close();
  cleanup();
});

const shellPayloads = (m: () => string) => [
  `lodash; touch ${m()}`,
  `$(touch ${m()})`,
  `\`touch ${m()}\``,
  `lodash && touch ${m()}`,
  `lodash | touch ${m()}`,
  `lodash\ntouch ${m()}`,
  `six==1.16.0; touch ${m()}`,
  `six==1.16.0 $(touch ${m()})`,
];

const npmBad = [
  '../evil',
  '/etc/passwd',
  './local-dir',
  '~/pkg',
  'file:../x',
  'lodash@file:../x',
  'lodash@npm:evil-package',
  'git+ssh://git@github.com/x/y.git',
  'git://github.com/x/y.git',
  'github:user/repo',
  'user/repo',
  'https://evil.test/pkg.tgz',
  'lodash@https://evil.test/pkg.tgz',
  'evil.tgz',
  'lodash@evil.tgz',
  '--registry=http://evil.test',
  '-g',
  '--global',
  'lodash --registry=http://evil.test',
  'lodash@--registry=http://evil.test',
  '@scope/../../x',
  '',
  ' ',
  'a'.repeat(300),
];

const pipBad = [
  '-e .',
  '-e git+https://github.com/x/y',
  '--index-url=http://evil.test/simple',
  '--extra-index-url http://evil.test',
  '-r requirements.txt',
  '-c constraints.txt',
  '--pre',
  'requests @ https://evil.test/requests.whl',
  'requests@https://evil.test/requests.whl',
  'git+ssh://git@github.com/x/y.git',
  'file:///etc/passwd',
  './pkg',
  '../pkg',
  '/abs/pkg-1.0-py3-none-any.whl',
  'pkg-1.0-py3-none-any.whl',
  'evil.tar.gz',
  'requests; os_name == "posix"',
  'requests==2.31.0 --hash=sha256:00',
  'requests==2.31.0 --index-url=http://evil.test',
  'requests[socks',
  'requests[$(id)]',
];

describe('bad package specs are rejected before any installer runs', () => {
  it.each(npmBad)('npm spec %j', async (spec) => {
    const result = await manager.prepare({ language: 'javascript', packages: ['lodash@4.17.21', spec], runtime: 'auto' });
    expect('error' in result && result.error.type).toBe('package_install');
    expect('error' in result && result.error.message).toMatch(/^invalid package spec /);
    expect(existsSync(record)).toBe(false);
  });

  it.each(pipBad)('pip spec %j', async (spec) => {
    const result = await manager.prepare({ language: 'python', packages: [spec], runtime: 'auto' });
    expect('error' in result && result.error.message).toMatch(/^invalid package spec /);
    expect(existsSync(record)).toBe(false);
  });

  it.each(shellPayloads(() => marker))('shell metacharacters %j never reach a shell', async (spec) => {
    for (const language of ['javascript', 'python'] as const) {
      const result = await manager.prepare({ language, packages: [spec], runtime: 'auto' });
      expect('error' in result && result.error.message).toMatch(/^invalid package spec /);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it('a name listed twice is rejected (it could hide a second, different range)', () => {
    expect(checkPackageSpecs('pip', ['six==1.16.0', 'Six>=1']).ok).toBe(false);
    expect(checkPackageSpecs('npm', ['lodash@4', 'lodash@3']).ok).toBe(false);
  });
});

describe('good specs reach the installer as plain arguments after "--"', () => {
  it('npm receives the spec after --, with --ignore-scripts, and its failure is a value', async () => {
    const result = await manager.prepare({ language: 'javascript', packages: ['@types/node@^20', 'lodash@>=4.0.0 <5'], runtime: 'auto' });
    expect('error' in result && result.error.type).toBe('package_install');
    const argv = readFileSync(record, 'utf8').split('---\n')[0]?.trim().split('\n') ?? [];
    expect(argv).toContain('--ignore-scripts');
    const separator = argv.indexOf('--');
    expect(separator).toBeGreaterThan(0);
    expect(argv.slice(separator + 1)).toEqual(['@types/node@^20', 'lodash@>=4.0.0 <5']);
  });

  it('pip receives canonical requirements after --, wheels only', async () => {
    writeFileSync(record, '');
    const result = await manager.prepare({ language: 'python', packages: ['Python_Dateutil >= 2.8, <3', 'requests[socks]==2.31.0'], runtime: 'auto' });
    expect('error' in result && result.error.type).toBe('package_install');
    const argv = readFileSync(record, 'utf8').split('---\n')[0]?.trim().split('\n') ?? [];
    expect(argv).toContain('--only-binary=:all:');
    const separator = argv.indexOf('--');
    expect(argv.slice(separator + 1)).toEqual(['python-dateutil>=2.8,<3', 'requests[socks]==2.31.0']);
  });
});
