/**
 * Worker affinity: a CPython worker prepares an environment once (its wheels precompiled) and keeps
 * it; the pool sends the next job of that environment to the same worker when it is free, so that
 * repeated requests hit (environment.cache "hit") instead of alternating between workers that each
 * prepare it again. The engine reports hits and misses as events (and /metrics as a counter).
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { SHARED_STORE } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

const events: EngineEvent[] = [];
const { run } = useEngine({ storeDir: SHARED_STORE, workers: { quickjs: 0, cpython: 2 }, onEvent: (event) => events.push(event) });

describe('CPython worker affinity', () => {
  it('requests of two environments go to the workers that prepared them', async () => {
    const humanize = { language: 'python' as const, code: 'import humanize\nprint(humanize.intcomma(1000))', packages: ['humanize==4.17.0'] };
    const six = { language: 'python' as const, code: 'import six\nprint(six.PY3)', packages: ['six==1.16.0'] };
    // At the same time: one worker prepares each environment.
    const [a, b] = await Promise.all([run(humanize), run(six)]);
    expect([a.stdout, b.stdout]).toEqual(['1,000\n', 'True\n']);
    events.length = 0;
    const caches: string[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await run(i % 2 === 0 ? humanize : six);
      expect(response.stdout).toBe(i % 2 === 0 ? '1,000\n' : 'True\n');
      caches.push(response.environment.cache);
    }
    // Without affinity, one sequential request after another goes to the first free worker, which then
    // has to prepare the other worker's environment: a miss.
    expect(caches).toEqual(Array(8).fill('hit'));
    const affinity = events.filter((event) => event.type === 'affinity');
    expect(affinity).toHaveLength(8);
    expect(affinity.every((event) => event.type === 'affinity' && event.hit)).toBe(true);
  }, 300_000);
});
