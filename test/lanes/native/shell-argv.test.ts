import { describe, expect, it } from 'vitest';
import { shellArgv } from '../../../src/lanes/native/shell-prebuild.js';

describe('the shell a shell prebuild runs with', () => {
  it('follows the first line: bash by default, sh for #!/bin/sh, with the options given there', () => {
    expect(shellArgv('#!/bin/bash\necho hi\n')).toEqual(['/bin/bash']);
    expect(shellArgv('#!/bin/bash -eu\necho hi\n')).toEqual(['/bin/bash', '-eu']);
    expect(shellArgv('#!/usr/bin/env bash\n')).toEqual(['/bin/bash']);
    expect(shellArgv('#!/bin/sh -e\n')).toEqual(['/bin/sh', '-e']);
    expect(shellArgv('#!/usr/bin/env sh\n')).toEqual(['/bin/sh']);
    expect(shellArgv('pip install six\n')).toEqual(['/bin/bash']);
  });

  it('passes on nothing from the first line but option flags', () => {
    expect(shellArgv('#!/bin/bash -c "rm -rf /" --rcfile /etc/x\n')).toEqual(['/bin/bash']);
    expect(shellArgv('#!/bin/bash -e /tmp/other-script\n')).toEqual(['/bin/bash', '-e']);
  });
});

describe('set options on the first line', () => {
  it('keeps -o pipefail', () => {
    expect(shellArgv('#!/bin/bash -e -o pipefail\n')).toEqual(['/bin/bash', '-e', '-o', 'pipefail']);
  });
});
