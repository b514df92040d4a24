// The exit code `isola run` derives from a response or a request error.
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf, exitCodeOfError } from '../../src/cli/exit-codes.js';
import { IsolaError } from '../../src/contract/errors.js';
import type { ExecuteResponse, RunError } from '../../src/contract/response.js';

function response(status: ExecuteResponse['status'], returnCode: number | null, error: RunError | null): ExecuteResponse {
  const now = new Date().toISOString();
  return {
    id: 'ex_test', status, return_code: returnCode, output: null, stdout: '', stderr: '',
    stdout_truncated: false, stderr_truncated: false, error, started_at: now, finished_at: now, elapsed_ms: 1,
    timings: { queue_ms: 0, setup_ms: 0, run_ms: 1 }, environment: { lane: 'quickjs', hash: 'h', cache: 'hit' },
  };
}

describe('exitCodeOf', () => {
  it.each([
    [0, 0],
    [3, 3],
    [255, 255],
    // A return code that wraps to 0 would read as success: it must not.
    [256, 1],
    [257, 1],
    [-1, 255],
  ])('maps completed return_code %i to exit %i', (returnCode, exit) => {
    const error: RunError | null = returnCode === 0 ? null : { type: 'exception', message: 'x' };
    expect(exitCodeOf(response('completed', returnCode, error))).toBe(exit);
  });

  it.each([
    ['timeout', 124],
    ['memory_limit', 137],
    ['output_limit', 125],
    ['package_install', 69],
    ['package_unavailable', 69],
    ['internal', 70],
  ] as const)('maps a platform stop by %s to exit %i', (type, exit) => {
    expect(exitCodeOf(response('error', null, { type, message: 'x' }))).toBe(exit);
  });

  it('never maps a failed run to 0', () => {
    expect(exitCodeOf(response('completed', 0, { type: 'invalid_output', message: 'x' }))).toBe(65);
    expect(exitCodeOf(response('error', null, null))).toBe(EXIT.internal);
  });
});

describe('exitCodeOfError', () => {
  it('maps caller mistakes to 2, 503s to 75 and internal to 70', () => {
    expect(exitCodeOfError(new IsolaError('invalid_request', 'x'))).toBe(2);
    expect(exitCodeOfError(new IsolaError('payload_too_large', 'x'))).toBe(2);
    expect(exitCodeOfError(new IsolaError('unsupported', 'x'))).toBe(2);
    expect(exitCodeOfError(new IsolaError('overloaded', 'x'))).toBe(75);
    expect(exitCodeOfError(new IsolaError('shutting_down', 'x'))).toBe(75);
    expect(exitCodeOfError(new IsolaError('internal', 'x'))).toBe(70);
  });
});
