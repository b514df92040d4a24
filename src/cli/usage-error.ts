/** A mistake in how the command was called (unknown flag, unreadable file, bad value): exit 2 with a message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isUsageError(value: unknown): value is UsageError {
  return value instanceof UsageError;
}

/**
 * node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown flags, missing values and
 * stray positionals; those are usage errors, anything else is a bug.
 */
export function asUsageError(error: unknown): UsageError | undefined {
  if (isUsageError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    return new UsageError((error as Error).message, { cause: error });
  }
  return undefined;
}
