// The in-process JobQueue on a real engine, without HTTP: what a late observer is replayed, and that
// output events stop being kept once the result holds the output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestContract } from '../../src/contract/request.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { JOBS_DEFAULTS, createMemoryJobQueue } from '../../src/jobs/memory-job-queue.js';
import type { JobEvent, JobQueue } from '../../src/jobs/types.js';

let engine: Engine;
let queue: JobQueue;
beforeAll(async () => {
  engine = await createEngine({ workers: { quickjs: 1, cpython: 0, native: 0 } });
  queue = createMemoryJobQueue({ ...JOBS_DEFAULTS, run: (request, hooks) => engine.execute(request, { signal: hooks.signal, onStart: hooks.onStart, onOutput: hooks.onOutput }) });
});
afterAll(async () => {
  await queue?.close({ graceMs: 0 });
  await engine?.close({ graceMs: 0 });
});

const contract = () => createRequestContract(engine.limits);

describe('the memory job queue', () => {
  it('gives a live observer every event once, and a late one the statuses and one result', async () => {
    const { job } = await queue.submit({ request: contract().accept({ language: 'javascript', code: 'console.log("a"); console.log("b")' }), fingerprint: 'x' });
    const live: JobEvent[] = [];
    const ended = new Promise<void>((resolve) => {
      void queue.subscribe(job.id, (event) => {
        live.push(event);
        if (event.type === 'result') resolve();
      }).then((subscription) => live.unshift(...(subscription?.replay ?? [])));
    });
    await ended;
    expect(live.map((event) => event.type)).toEqual(['status', 'status', 'stdout', 'stdout', 'status', 'result']);
    const late = await queue.subscribe(job.id, () => {
      throw new Error('a finished job has no live events');
    });
    expect(late?.ended).toBe(true);
    expect(late?.replay.map((event) => (event.type === 'status' ? event.status : event.type))).toEqual(['queued', 'running', 'succeeded', 'result']);
    expect(await queue.stats()).toMatchObject({ queued: 0, running: 0 });
  });
});
