/**
 * Limits an operator sets for a whole engine (and every face over it): the longest deadline a request
 * may ask for and the largest code and inputs it may carry. The defaults cover every seed platform:
 * Itential's runCode takes `safety.timeout` up to 1,000 s and Intellectible up to 10 minutes. The
 * ceilings are sanity bounds an operator cannot go past (a day, 64 MiB of code, 256 MiB of inputs):
 * beyond them the HTTP body limit, the JSON parser and the guests' own copies stop being reasonable.
 * Portable, like the rest of the contract.
 */
import { LIMITS, MIB } from './limits.js';

export interface OperatorLimits {
  /** Largest `timeout_ms` a request may ask for. */
  readonly maxTimeoutMs: number;
  /** Largest `code`, in UTF-8 bytes. */
  readonly maxCodeBytes: number;
  /** Largest `inputs` serialized as JSON, in UTF-8 bytes; `stdin` shares the cap. */
  readonly maxInputsBytes: number;
}

export const DEFAULT_OPERATOR_LIMITS: OperatorLimits = Object.freeze({
  maxTimeoutMs: 1_000_000,
  maxCodeBytes: 2 * MIB,
  maxInputsBytes: 10 * MIB,
});

/** The range each setting may take. `{}` serialized is 2 bytes, so a smaller inputs cap refuses everything. */
export const OPERATOR_LIMIT_RANGES: Readonly<Record<keyof OperatorLimits, { min: number; max: number }>> = Object.freeze({
  maxTimeoutMs: { min: 1, max: 24 * 60 * 60 * 1000 },
  maxCodeBytes: { min: 1, max: 64 * MIB },
  maxInputsBytes: { min: 2, max: 256 * MIB },
});

/** The request's default deadline when it names none: 10 s, or the operator's maximum when that is lower. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export function defaultTimeoutMs(limits: OperatorLimits): number {
  return Math.min(DEFAULT_TIMEOUT_MS, limits.maxTimeoutMs);
}

/**
 * A limit setting out of range, or a face's setting past the operator's limit: a mistake of whoever
 * configured the engine, reported at start-up. `setting` names it as the caller spelled it.
 */
export class OperatorLimitsError extends RangeError {
  override readonly name = 'OperatorLimitsError';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/** The defaults with the operator's settings over them; throws OperatorLimitsError naming a bad one. */
export function resolveOperatorLimits(settings: Partial<OperatorLimits> = {}): OperatorLimits {
  const resolved = { ...DEFAULT_OPERATOR_LIMITS };
  for (const setting of Object.keys(OPERATOR_LIMIT_RANGES) as (keyof OperatorLimits)[]) {
    const value = settings[setting];
    if (value === undefined) continue;
    const { min, max } = OPERATOR_LIMIT_RANGES[setting];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new OperatorLimitsError(`limits.${setting}`, `limits.${setting} must be an integer in ${min}..${max}, got ${String(value)}`);
    }
    resolved[setting] = value;
  }
  return Object.freeze(resolved);
}

export function sameLimits(a: OperatorLimits, b: OperatorLimits): boolean {
  return a.maxTimeoutMs === b.maxTimeoutMs && a.maxCodeBytes === b.maxCodeBytes && a.maxInputsBytes === b.maxInputsBytes;
}

/**
 * Largest JSON body the HTTP face accepts before parsing: code and prebuild at their caps with every
 * character escaped (`\u0000` is 6 bytes for 1), the inputs at theirs, plus slack for the other fields.
 */
export function maxBodyBytes(limits: OperatorLimits): number {
  return limits.maxCodeBytes * 6 + limits.maxInputsBytes + LIMITS.prebuildBytes * 6 + MIB;
}
