/** Locating the host tools the subprocess peers run: the real python3 binary and bubblewrap. */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { SkipMeasurement } from '../measure.js';

let python: string | undefined;

/**
 * The interpreter behind `python3`, resolved once: version-manager shims (pyenv) are shell scripts
 * that would add their own start-up to every sample.
 */
export function python3Path(): string {
  if (python !== undefined) return python;
  try {
    python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch (cause) {
    throw new SkipMeasurement('python3 not found on PATH', { cause });
  }
  return python;
}

export const BWRAP = '/usr/bin/bwrap';

/** Arguments that run `command` the way a careful platform would: read-only root, no namespaces shared. */
export function bwrapArgs(command: readonly string[]): string[] {
  try {
    accessSync(BWRAP, constants.X_OK);
  } catch (cause) {
    throw new SkipMeasurement(`${BWRAP} not installed`, { cause });
  }
  return [
    '--ro-bind', '/', '/',
    '--unshare-all',
    '--die-with-parent',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--uid', '10000',
    '--',
    ...command,
  ];
}
