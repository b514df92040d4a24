/**
 * One client call's lifetime: the caller's signal and the call's own deadline, combined into the one
 * signal every fetch, body read and retry wait of the call uses; and the translation of whatever those
 * throw into the client's error codes, so that a timeout is `client_timeout` wherever it struck.
 */
import { IsolaError, isIsolaError } from './errors.js';

export class CallScope {
  readonly signal: AbortSignal;
  private readonly timeout: AbortSignal | undefined;
  private readonly deadline: number;

  constructor(
    /** e.g. "POST /v1/execute", for messages. */
    readonly what: string,
    private readonly userSignal: AbortSignal | undefined,
    private readonly timeoutMs: number | undefined,
  ) {
    this.timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    this.deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    const signals = [userSignal, this.timeout].filter((signal): signal is AbortSignal => signal !== undefined);
    this.signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number {
    return this.deadline - Date.now();
  }

  /**
   * The IsolaError for something a fetch, a body read or a wait threw. The caller's abort wins over the
   * deadline when both happened: it is what the caller asked for.
   */
  toError(error: unknown): IsolaError {
    if (isIsolaError(error)) return error;
    if (this.userSignal?.aborted) {
      return new IsolaError('client_aborted', `${this.what} was aborted by the caller`, { cause: this.userSignal.reason });
    }
    if (this.timeout?.aborted) {
      return new IsolaError('client_timeout', `${this.what} did not finish within ${this.timeoutMs} ms`, { cause: error });
    }
    const detail = error instanceof Error ? describeNetworkError(error) : String(error);
    return new IsolaError('client_network', `${this.what} failed: ${detail}`, { cause: error });
  }
}

/** undici says "fetch failed" and keeps the reason (ECONNREFUSED, ...) in `cause`: show both. */
function describeNetworkError(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}
