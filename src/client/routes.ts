/**
 * What the client assumes of the HTTP API: the routes it calls and the request fields it knows. The
 * types come from the contract, so they cannot drift inside this repository; these runtime values are
 * what test/client/openapi-contract.test.ts checks against a real server's /openapi.json, so that a
 * route or field changed on the server and not here fails a test.
 */
import type { ExecuteRequestInput } from '../contract/request.js';

export const ROUTES = {
  execute: { method: 'POST', path: '/v1/execute' },
  batch: { method: 'POST', path: '/v1/batch' },
  ready: { method: 'GET', path: '/readyz' },
  openapi: { method: 'GET', path: '/openapi.json' },
} as const satisfies Record<string, { method: 'GET' | 'POST'; path: string }>;

export type RouteName = keyof typeof ROUTES;

/** Every field of an execution request, in the contract's order. */
export const EXECUTE_REQUEST_FIELDS = [
  'language',
  'code',
  'module',
  'inputs',
  'entrypoint',
  'timeout_ms',
  'memory_mb',
  'packages',
  'network',
  'runtime',
  'prebuild',
  'prebuild_language',
  'input_schema',
  'output_schema',
  'output_guards',
  'coerce',
  'stdin',
  'items',
  'continue_on_fail',
  'empty_batch',
] as const satisfies readonly (keyof ExecuteRequestInput)[];

// Fails to compile when the contract gains a field this list lacks (the `satisfies` above catches the
// opposite: a field listed here that the contract does not have).
type MissingField = Exclude<keyof ExecuteRequestInput, (typeof EXECUTE_REQUEST_FIELDS)[number]>;
const everyFieldListed: [MissingField] extends [never] ? true : MissingField = true;
void everyFieldListed;
