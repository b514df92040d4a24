// TEMPORARY stand-in for the real engine until src/engine/create-engine.ts lands: the same surface, with
// node:vm instead of QuickJS. Tests must switch to createEngine() and this file must go.
import { runInNewContext } from 'node:vm';
import { IsolaError } from '../../src/contract/errors.js';
import { newExecutionId } from '../../src/contract/ids.js';
import { parseExecuteRequest } from '../../src/contract/request.js';
import type { ExecuteResponse } from '../../src/contract/response.js';
import type { Engine, EngineOptions, ExecuteOptions } from '../../src/engine/types.js';

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  let closed = false;
  let running = 0;
  let queued = 0;
  const workers = options.workers?.quickjs ?? 2;
  const maxQueue = options.maxQueue ?? 64;
  const idle: Array<() => void> = [];
  const inflight = new Set<Promise<unknown>>();
  return {
    async execute(body: unknown, opts: ExecuteOptions = {}): Promise<ExecuteResponse> {
      if (closed) throw new IsolaError('shutting_down', 'draining', { retryAfterS: 1 });
      const request = parseExecuteRequest(body);
      if (running >= workers) {
        if (queued >= maxQueue) throw new IsolaError('overloaded', 'queue full', { retryAfterS: 2 });
        queued++;
        await new Promise<void>((resolve) => idle.push(resolve));
        queued--;
      }
      running++;
      const started = new Date();
      const work = (async () => {
        const sleep = /sleep\((\d+)\)/.exec(request.code);
        if (sleep) await new Promise((r) => setTimeout(r, Number(sleep[1])));
        let output: unknown = null;
        let error: ExecuteResponse['error'] = null;
        try {
          output = runInNewContext(`${request.code}\n;typeof main === 'function' ? main(inputs) : null`, { inputs: request.inputs, sleep: () => {} }, { timeout: request.timeout_ms });
        } catch (e) {
          error = { type: String(e).includes('timed out') ? 'timeout' : 'exception', message: String(e) };
        }
        return { output, error };
      })();
      inflight.add(work);
      try {
        const { output, error } = await work;
        const finished = new Date();
        const status = error?.type === 'timeout' ? 'error' : 'completed';
        const response: ExecuteResponse = {
          id: newExecutionId(), status, return_code: status === 'error' ? null : error ? 1 : 0, output,
          stdout: '', stderr: '', stdout_truncated: false, stderr_truncated: false, error,
          started_at: started.toISOString(), finished_at: finished.toISOString(), elapsed_ms: finished.getTime() - started.getTime(),
          timings: { queue_ms: 0, setup_ms: 0, run_ms: 0 }, environment: { lane: 'quickjs', hash: 'x', cache: 'hit' },
        };
        options.onEvent?.({ type: 'execution', lane: 'quickjs', status, errorType: error?.type ?? null, elapsedMs: response.elapsed_ms, queueMs: 0, runMs: 0 });
        options.logger?.info({ execution_id: response.id, request_id: opts.requestId }, 'engine ran');
        return response;
      } finally {
        inflight.delete(work);
        running--;
        idle.shift()?.();
      }
    },
    readiness() {
      return {
        ready: !closed, draining: closed, queue: { depth: queued, max: maxQueue },
        lanes: { quickjs: { available: true, workers: { ready: workers - running, busy: running, starting: 0 } } },
        rings: { wasm: true, sealed_realm: true, os_sandbox: false, scrubbed_env: false },
      };
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inflight]);
    },
  };
}
