// Shared by the HTTP face tests: request helpers and small guest programs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine, EngineOptions } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';

export const ADD = 'function main({ a, b }) { return { sum: a + b }; }';
/** Busy for `ms` inside the sandbox, then returns `value`. */
export const busy = (ms: number, value: string) =>
  `function main() { const end = Date.now() + ${ms}; while (Date.now() < end) {} return ${JSON.stringify(value)}; }`;
/** Only the QuickJS lane: Python workers take seconds to boot and no test here needs them. */
export const JS_ONLY = { quickjs: 1, cpython: 0, wasi: 0, native: 0 };

export function post(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/execute',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The `field` of every issue in an error body. */
export function fields(body: string): string[] {
  const parsed = JSON.parse(body) as { error: { issues?: { field: string }[] } };
  return (parsed.error.issues ?? []).map((issue) => issue.field);
}

/**
 * A real engine (JavaScript lane unless asked) behind the HTTP face for one describe block, closed after
 * it. Returns the app (ready for app.inject) once the block's beforeAll ran.
 */
export function useApp(workers: Record<string, number> = JS_ONLY): () => FastifyInstance {
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    engine = await createEngine({ workers });
    app = buildApp({ engine, docs: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });
  return () => {
    if (!app) throw new Error('the app is not started yet');
    return app;
  };
}

/**
 * Like useApp, over a store directory of its own (made under the OS temp dir, removed after the block),
 * for tests that look at what the engine keeps on disk (blobs, modules). `options` are the engine's,
 * without storeDir.
 */
export function useAppWithStore(prefix: string, options: Omit<EngineOptions, 'storeDir'>): { app(): FastifyInstance; engine(): Engine; storeDir(): string } {
  let storeDir: string | undefined;
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), prefix));
    engine = await createEngine({ ...options, storeDir });
    app = buildApp({ engine, docs: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the app is not started yet');
    return value;
  };
  return { app: () => started(app), engine: () => started(engine), storeDir: () => started(storeDir) };
}
