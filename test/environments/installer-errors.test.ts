/**
 * Installer output trimmed to the line a user needs. The texts are what npm (v6-v11) and pip print;
 * the live versions of these failures are exercised against the real registries in the other suites.
 */
import { describe, expect, it } from 'vitest';

import { summarizeNpmError, summarizePipError } from '../../src/environments/installer-errors.js';

describe('npm', () => {
  it.each([
    [
      'npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/nonexistent-pkg-xyz - Not found\nnpm ERR! 404\nnpm ERR! 404  \'nonexistent-pkg-xyz@*\' is not in this registry.\nnpm ERR! A complete log of this run can be found in: /x.log',
      'package not found: nonexistent-pkg-xyz',
    ],
    [
      'npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@acme%2fmissing - Not found\nnpm error 404\n',
      'package not found: @acme/missing',
    ],
    ['npm error code ETARGET\nnpm error notarget No matching version found for @types/node@^99.\n', 'version not found: @types/node@^99'],
    ['npm error code EAI_AGAIN\nnpm error request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN\n', 'npm registry unreachable (EAI_AGAIN)'],
  ])('%#', (stderr, expected) => {
    expect(summarizeNpmError(stderr)).toBe(expected);
  });

  it('keeps unknown failures short', () => {
    const message = summarizeNpmError(`npm error code EWEIRD\n${'npm error something odd happened\n'.repeat(200)}`);
    expect(message.length).toBeLessThanOrEqual(600);
    expect(message).toMatch(/^something odd happened/);
  });
});

describe('pip', () => {
  it('names a requirement pulled in by another package', () => {
    const failure = summarizePipError(
      'ERROR: Could not find a version that satisfies the requirement numpy>=1.26.0; python_version >= "3.12" (from pandas) (from versions: none)\nERROR: No matching distribution found for numpy>=1.26.0\n',
      'Pyodide',
    );
    expect(failure).toEqual({ message: 'package not found: numpy (no installable wheel for Pyodide; Isola installs wheels only)', unsatisfied: ['numpy'], versionNotFound: false });
  });

  it('lists the newest versions that exist when the version is missing', () => {
    const failure = summarizePipError('ERROR: Could not find a version that satisfies the requirement Six==99 (from versions: 1.14.0, 1.15.0, 1.16.0, 1.17.0)\n', 'this host');
    expect(failure).toEqual({ message: 'version not found: Six==99 (available for this host: 1.14.0, 1.15.0, 1.16.0, 1.17.0)', unsatisfied: ['six'], versionNotFound: true });
  });

  it('summarizes a dependency conflict', () => {
    const failure = summarizePipError(
      'INFO: pip is looking at multiple versions\nERROR: Cannot install a==1 and b==2 because these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n    a 1 depends on c<2\n    b 2 depends on c>=2\n\nTo fix this you could try to:\n',
      'this host',
    );
    expect(failure.message).toBe('conflicting requirements: a 1 depends on c<2; b 2 depends on c>=2');
  });
});
