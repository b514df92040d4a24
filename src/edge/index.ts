/** `isola/edge`: the engine for browsers and edge workers (see create-edge-engine.ts). */
export { createEngine, IsolaError, type EdgeEngine, type EdgeEngineOptions } from './create-edge-engine.js';
export { ERROR_CATALOG } from '../contract/errors.js';
export type { ExecuteRequestInput } from '../contract/request.js';
export type { ExecuteResponse } from '../contract/response.js';
