// Shared by the project tests: a real engine (JavaScript lane) behind the HTTP face with projects on, its
// store in a temp dir, and small calls of the admin API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import type { DifyFaceOptions } from '../../src/faces/dify/dify-face.js';
import { DiskStorage } from '../../src/library/disk-storage.js';
import { LibraryIndex } from '../../src/library/library-index.js';
import { Library } from '../../src/library/library.js';
import { ProjectStore } from '../../src/projects/project-store.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { JS_ONLY } from '../server/helpers.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface ProjectsApp {
  app: FastifyInstance;
  store: ProjectStore;
  metrics: ReturnType<typeof createMetrics>;
  dir: string;
  /** Log lines the app and engine wrote (JSON objects). */
  logs: Record<string, unknown>[];
}

export interface UseProjectsAppOptions {
  workers?: Record<string, number>;
  dify?: DifyFaceOptions;
  piston?: boolean;
  /** Largest library file (default the library's own). */
  maxFileBytes?: number;
}

/** One app per describe block; its store, engine and temp dir are gone after the block. */
export function useProjectsApp(options: UseProjectsAppOptions = {}): () => ProjectsApp {
  let engine: Engine | undefined;
  let state: ProjectsApp | undefined;
  let closeIndex: (() => void) | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isola-projects-'));
    const logs: Record<string, unknown>[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    const metrics = createMetrics({ defaultMetrics: false });
    engine = await createEngine({ workers: options.workers ?? JS_ONLY, onEvent: metrics.onEvent, logger });
    const store = new ProjectStore(join(dir, 'projects'));
    const index = new LibraryIndex(join(dir, 'library'));
    const library = new Library({ index, storage: new DiskStorage(join(dir, 'library', 'files')), ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}) });
    closeIndex = () => index.close();
    const app = buildApp({
      engine,
      logger,
      docs: false,
      metrics: metrics.registry,
      projects: { adminToken: ADMIN_TOKEN, store, library },
      ...(options.dify ? { dify: options.dify } : {}),
      ...(options.piston ? { piston: true } : {}),
    });
    await app.ready();
    state = { app, store, metrics, dir, logs };
  });
  afterAll(async () => {
    await state?.app.close();
    state?.store.close();
    closeIndex?.();
    await engine?.close({ graceMs: 0 });
    if (state) rmSync(state.dir, { recursive: true, force: true });
  });
  return () => {
    if (!state) throw new Error('the app is not started yet');
    return state;
  };
}

export interface CreatedProject {
  id: string;
  key_id: string;
  api_key: string;
}

export async function createProject(app: FastifyInstance, body: Record<string, unknown> = { name: 'p' }): Promise<CreatedProject> {
  const res = await app.inject({ method: 'POST', url: '/v1/admin/projects', headers: admin, payload: body });
  if (res.statusCode !== 201) throw new Error(`create project: ${res.statusCode} ${res.body}`);
  return res.json() as CreatedProject;
}

export function execute(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/execute', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

export const HELLO = { language: 'javascript', code: 'function main() { return 42; }' };
