/**
 * The platform's own outcomes, worded once for every lane: a guest stopped at its deadline, or past its
 * memory limit, reads the same in every envelope, with the same process-style exit code (what a shell
 * reports: 124 like `timeout(1)`, 137 for a kill). Portable.
 */
import type { GuestFailure } from './lane.js';

export const TIMEOUT_EXIT_CODE = 124;
export const MEMORY_EXIT_CODE = 137;

export function timeoutFailure(timeoutMs: number, how?: string): { exitCode: number; failure: GuestFailure } {
  return { exitCode: TIMEOUT_EXIT_CODE, failure: { type: 'timeout', message: `execution exceeded its ${timeoutMs} ms deadline${how ? ` (${how})` : ''}` } };
}

export function memoryFailure(memoryBytes: number, traceback?: string, how?: string): { exitCode: number; failure: GuestFailure } {
  return {
    exitCode: MEMORY_EXIT_CODE,
    failure: {
      type: 'memory_limit',
      message: `out of memory: the ${Math.round(memoryBytes / 2 ** 20)} MB memory limit was reached${how ? ` (${how})` : ''}`,
      ...(traceback ? { traceback } : {}),
    },
  };
}
