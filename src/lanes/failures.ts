/**
 * The platform's own outcomes, worded once for every lane: a guest stopped at its deadline, or past its
 * memory limit, reads the same in every envelope, with the same process-style exit code (what a shell
 * reports: 124 like `timeout(1)`, 137 for a kill). Portable.
 */
import type { GuestFailure, GuestResult } from './lane.js';

export const TIMEOUT_EXIT_CODE = 124;
export const MEMORY_EXIT_CODE = 137;
/** 128 + SIGINT: what a shell reports for a process stopped by Ctrl-C. */
export const CANCELLED_EXIT_CODE = 130;

export function cancelledFailure(how?: string): { exitCode: number; failure: GuestFailure } {
  return { exitCode: CANCELLED_EXIT_CODE, failure: { type: 'cancelled', message: `execution was cancelled by the caller${how ? ` (${how})` : ''}` } };
}

/**
 * A run the caller cancelled, whatever the lane reported once interrupted (a lane sees the cancel as its
 * deadline flag): what it printed so far stays, its output does not.
 */
export function asCancelled(result: GuestResult, how?: string): GuestResult {
  if (result.failure?.type === 'cancelled') return result;
  const { returnJson: _returnJson, outputFileText: _outputFileText, ...rest } = result;
  return { ...rest, ...cancelledFailure(how) };
}

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
