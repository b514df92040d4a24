/** Isola's library face. */
export { createEngine } from './engine/create-engine.js';
export type { Engine, EngineOptions, EngineEvent, ExecuteOptions, FaceName, Readiness, ReadinessLimits, LaneReadiness, EgressOptions } from './engine/types.js';
export * from './contract/index.js';
