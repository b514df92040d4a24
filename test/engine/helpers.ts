import { afterAll, beforeAll } from 'vitest';
import { createEngine, type Engine, type EngineOptions, type ExecuteRequestInput, type ExecuteResponse } from '../../src/index.js';

/** One engine per test file (JavaScript lane only unless asked), closed after the file. */
export function useEngine(options: EngineOptions = {}): { engine: () => Engine; run: (request: Partial<ExecuteRequestInput> & { code: string }) => Promise<ExecuteResponse> } {
  let engine: Engine | undefined;
  beforeAll(async () => {
    engine = await createEngine({ ...options, workers: { cpython: 0, native: 0, ...options.workers } });
  });
  afterAll(async () => {
    await engine?.close({ graceMs: 1000 });
  });
  const get = () => {
    if (!engine) throw new Error('engine not started');
    return engine;
  };
  return {
    engine: get,
    run: (request) => get().execute({ language: 'javascript', ...request }),
  };
}
