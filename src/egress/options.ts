/** What the operator configures of egress, and the logger shape the bridge and the engine share. */

export interface EgressOptions {
  /** Allow loopback, private and other special addresses (tests, on-prem), but not link-local. Default false. */
  allowPrivate?: boolean;
  /** Narrower than allowPrivate: CIDR ranges to open one by one, e.g. ["10.20.0.0/16"]. */
  allowAddresses?: readonly string[];
  /** Headers the bridge adds per host pattern, outside the sandbox (credential injection). */
  credentials?: { host: string; headers: Record<string, string> }[];
  maxRequestsPerExecution?: number;
  maxResponseBytes?: number;
}

export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
