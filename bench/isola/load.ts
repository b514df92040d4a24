/**
 * Loads Isola's faces at run time. The harness is built alongside the engine and must run (reporting
 * peers, and "engine not built" for Isola rows) on a tree where the engine is partial or missing, so
 * these imports are dynamic rather than static.
 */
import type { Engine, EngineOptions } from '../../src/engine/types.js';
import type { RunningServer, StartServerOptions } from '../../src/server/serve.js';
import { SkipMeasurement } from '../measure.js';

export type CreateEngine = (options?: EngineOptions) => Promise<Engine>;
export type StartServer = (options?: StartServerOptions) => Promise<RunningServer>;

// Relative to this file both in bench/isola/ (tsx) and in dist/bench/isola/ (compiled).
const ENGINE_MODULE = '../../src/engine/create-engine.js';
const SERVER_MODULE = '../../src/server/serve.js';

async function importFace<T>(specifier: string, name: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') throw new SkipMeasurement(`Isola ${name} not built yet (${specifier})`, { cause });
    throw cause;
  }
  const fn = mod[name];
  if (typeof fn !== 'function') throw new SkipMeasurement(`${specifier} does not export ${name} yet`);
  return fn as T;
}

export function loadCreateEngine(): Promise<CreateEngine> {
  return importFace<CreateEngine>(ENGINE_MODULE, 'createEngine');
}

export function loadStartServer(): Promise<StartServer> {
  return importFace<StartServer>(SERVER_MODULE, 'startServer');
}
