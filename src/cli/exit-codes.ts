/**
 * How `isola run` turns a result into a process exit code, so shells and CI can branch on it.
 * The table is documented in docs/errors.md ("CLI exit codes"); a test keeps both in sync.
 */
import type { IsolaError } from '../contract/errors.js';
import type { ErrorType, ExecuteResponse } from '../contract/response.js';

export const EXIT = {
  ok: 0,
  /** The command could not do its job for a reason outside Isola (e.g. the port is taken). */
  failure: 1,
  /** Bad flags, unreadable file, or a request the contract rejects. */
  usage: 2,
  /** The engine is overloaded or shutting down: try again. (sysexits EX_TEMPFAIL) */
  unavailable: 75,
  /** A bug or internal failure of Isola. (sysexits EX_SOFTWARE) */
  internal: 70,
} as const;

/** Exit code per error type when the platform (not the code's own exit) decided the outcome. */
export const EXIT_BY_ERROR_TYPE: Record<ErrorType, number> = {
  // exception normally comes with return_code, which wins; 1 covers a missing one.
  exception: 1,
  // Like GNU timeout(1).
  timeout: 124,
  // 128 + SIGKILL, what a shell reports for a process the OOM killer ended.
  memory_limit: 137,
  output_limit: 125,
  // sysexits EX_DATAERR: the code ran but its output is not JSON-serializable.
  invalid_output: 65,
  // The same: the inputs do not convert to the types main() declares.
  invalid_input: 65,
  // sysexits EX_UNAVAILABLE: a package could not be installed or has no build for this lane.
  package_install: 69,
  package_unavailable: 69,
  // 128 + SIGINT, like a shell reports a command stopped by Ctrl-C.
  cancelled: 130,
  internal: EXIT.internal,
};

/** Fit a guest return code into 1..255: a non-zero return code must never become exit 0. */
function clampReturnCode(code: number): number {
  const wrapped = ((code % 256) + 256) % 256;
  return wrapped === 0 ? 1 : wrapped;
}

export function exitCodeOf(response: ExecuteResponse): number {
  if (response.status === 'completed') {
    if (response.return_code !== null && response.return_code !== 0) return clampReturnCode(response.return_code);
    if (response.error) return EXIT_BY_ERROR_TYPE[response.error.type] ?? EXIT.internal;
    return EXIT.ok;
  }
  return response.error ? (EXIT_BY_ERROR_TYPE[response.error.type] ?? EXIT.internal) : EXIT.internal;
}

/** Request-level failures: the caller's fault (4xx) is a usage error; 503s say "retry"; the rest is ours. */
export function exitCodeOfError(error: IsolaError): number {
  if (error.status === 503) return EXIT.unavailable;
  if (error.status >= 400 && error.status < 500) return EXIT.usage;
  return EXIT.internal;
}
