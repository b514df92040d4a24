// The operator's limits: defaults that cover every seed platform, ceilings nobody can pass, and a
// contract built from them that names the field and the limit a request broke.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPERATOR_LIMITS,
  IsolaError,
  OPERATOR_LIMIT_RANGES,
  OperatorLimitsError,
  acceptExecuteRequest,
  createRequestContract,
  isParsedExecuteRequest,
  resolveOperatorLimits,
  type RequestContract,
} from '../../src/contract/index.js';

function refusal(contract: RequestContract, body: unknown): IsolaError {
  try {
    contract.accept(body);
  } catch (error) {
    if (error instanceof IsolaError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('operator limits', () => {
  it("default to Itential's 1,000 s timeout and today's size caps", () => {
    expect(resolveOperatorLimits()).toEqual({ maxTimeoutMs: 1_000_000, maxCodeBytes: 2 * 1024 * 1024, maxInputsBytes: 10 * 1024 * 1024 });
    expect(acceptExecuteRequest({ language: 'python', code: '', timeout_ms: 1_000_000 }).request.timeout_ms).toBe(1_000_000);
    expect(acceptExecuteRequest({ language: 'python', code: '' }).request.timeout_ms).toBe(10_000);
  });

  it.each([
    ['maxTimeoutMs', OPERATOR_LIMIT_RANGES.maxTimeoutMs.max + 1],
    ['maxCodeBytes', OPERATOR_LIMIT_RANGES.maxCodeBytes.max + 1],
    ['maxInputsBytes', OPERATOR_LIMIT_RANGES.maxInputsBytes.max + 1],
    ['maxTimeoutMs', 0],
    ['maxCodeBytes', 1.5],
    ['maxInputsBytes', 1],
  ] as const)('refuses %s = %s naming the setting and its range', (setting, value) => {
    const { min, max } = OPERATOR_LIMIT_RANGES[setting];
    expect(() => resolveOperatorLimits({ [setting]: value })).toThrow(OperatorLimitsError);
    expect(() => resolveOperatorLimits({ [setting]: value })).toThrow(`limits.${setting} must be an integer in ${min}..${max}, got ${value}`);
  });

  it('holds requests to a lower maximum, naming the field and the limit', () => {
    const contract = createRequestContract(resolveOperatorLimits({ maxTimeoutMs: 5000, maxCodeBytes: 100, maxInputsBytes: 50 }));
    const slow = refusal(contract, { language: 'javascript', code: '', timeout_ms: 5001 });
    expect(slow.code).toBe('invalid_request');
    expect(slow.issues).toEqual([{ field: 'timeout_ms', message: expect.stringContaining('5000') }]);
    // Under a maximum below 10 s, a request that names no timeout gets the maximum.
    expect(contract.accept({ language: 'javascript', code: '' }).request.timeout_ms).toBe(5000);

    const big = refusal(contract, { language: 'javascript', code: 'x'.repeat(101), inputs: { blob: 'y'.repeat(50) }, stdin: 'z'.repeat(51) });
    expect(big.code).toBe('payload_too_large');
    expect(big.issues).toEqual([
      { field: 'code', message: '101 bytes exceeds the limit of 100' },
      { field: 'stdin', message: 'exceeds the limit of 50 bytes' },
      { field: 'inputs', message: '61 bytes serialized exceeds the limit of 50' },
    ]);
  });

  it('checks again a request accepted under other limits, and not one accepted under the same', () => {
    const lower = createRequestContract(resolveOperatorLimits({ maxTimeoutMs: 5000 }));
    const same = createRequestContract(resolveOperatorLimits({ maxTimeoutMs: 5000 }));
    const underDefaults = acceptExecuteRequest({ language: 'javascript', code: '', timeout_ms: 60_000 });
    expect(isParsedExecuteRequest(underDefaults, DEFAULT_OPERATOR_LIMITS)).toBe(true);
    expect(isParsedExecuteRequest(underDefaults, lower.limits)).toBe(false);
    expect(refusal(lower, underDefaults).issues![0]!.field).toBe('timeout_ms');
    const accepted = lower.accept({ language: 'javascript', code: '', timeout_ms: 4000 });
    expect(same.accept(accepted)).toBe(accepted);
  });

  it('publishes the configured maximum in the schema', () => {
    const { schema } = createRequestContract(resolveOperatorLimits({ maxTimeoutMs: 5000, maxCodeBytes: 100 }));
    const shape = schema.shape;
    expect(shape.timeout_ms.description).toContain('at most 5000 ms');
    expect(shape.code.description).toContain('at most 100 bytes');
  });
});
