import type { ProjectDataLimits } from './types.js';

export const DEFAULT_PROJECT_DATA_LIMITS: ProjectDataLimits = {
  statementTimeoutMs: 2_000,
  maxResultRows: 10_000,
  maxResultBytes: 4 * 1024 * 1024,
  maxDatabaseBytes: 256 * 1024 * 1024,
  maxInsertRows: 1_000,
  maxKvValueBytes: 256 * 1024,
};

export function resolveLimits(partial: Partial<ProjectDataLimits> | undefined): ProjectDataLimits {
  return { ...DEFAULT_PROJECT_DATA_LIMITS, ...partial };
}
