/**
 * The operator's limits of `isola serve`, from its flags or, when a flag is absent, the environment.
 * A value that is not an integer in the setting's range is a usage error naming the flag or variable
 * the operator wrote, so the service never starts with a limit it did not mean.
 */
import { OPERATOR_LIMIT_RANGES, type OperatorLimits } from '../contract/operator-limits.js';
import { UsageError } from './usage-error.js';

export const LIMIT_SETTINGS = [
  { key: 'maxTimeoutMs', flag: 'max-timeout-ms', env: 'ISOLA_MAX_TIMEOUT_MS' },
  { key: 'maxCodeBytes', flag: 'max-code-bytes', env: 'ISOLA_MAX_CODE_BYTES' },
  { key: 'maxInputsBytes', flag: 'max-inputs-bytes', env: 'ISOLA_MAX_INPUTS_BYTES' },
] as const satisfies readonly { key: keyof OperatorLimits; flag: string; env: string }[];

export type LimitFlag = (typeof LIMIT_SETTINGS)[number]['flag'];

export function limitSettings(flags: Partial<Record<LimitFlag, string>>, env: NodeJS.ProcessEnv): Partial<OperatorLimits> {
  const limits: { -readonly [K in keyof OperatorLimits]?: number } = {};
  for (const { key, flag, env: variable } of LIMIT_SETTINGS) {
    const fromFlag = flags[flag];
    const raw = fromFlag ?? env[variable];
    if (raw === undefined || (fromFlag === undefined && raw === '')) continue;
    const name = fromFlag === undefined ? variable : `--${flag}`;
    const { min, max } = OPERATOR_LIMIT_RANGES[key];
    const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
    }
    limits[key] = value;
  }
  return limits;
}
