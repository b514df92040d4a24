/**
 * `isola/client`: a typed client of the Isola HTTP API for browsers, workers and Node. It imports no
 * server code; request and result types are the contract's own, so client and server cannot disagree.
 */
export {
  createClient,
  DEFAULT_READ_TIMEOUT_MS,
  EXECUTE_SLACK_MS,
  IsolaClient,
  type BatchOptions,
  type BatchOutcome,
  type BatchRequest,
  type CallOptions,
  type ClientOptions,
  type ReadyReport,
  type RetryEvent,
} from './client.js';
export { CLIENT_ERROR_CATALOG, IsolaError, isIsolaError, type ClientErrorCode, type IsolaErrorCode } from './errors.js';
export { DEFAULT_RETRY, parseRetryAfter, type RetryOptions } from './retry.js';
export { EXECUTE_REQUEST_FIELDS, ROUTES } from './routes.js';
export type { ErrorCode, FieldIssue } from '../contract/errors.js';
export type { ExecuteRequestInput } from '../contract/request.js';
export type { ExecuteResponse, RunError, ErrorType, LaneName } from '../contract/response.js';
