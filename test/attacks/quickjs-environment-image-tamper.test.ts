/**
 * Tampering with a shared environment image: executions of the same npm environment start from one
 * image with the packages already loaded (src/lanes/quickjs/README.md, "An image per npm environment"),
 * whoever runs them. An attacker's job with `packages: ["lodash"]` rewrites lodash's functions and
 * settings, pollutes Object.prototype, swaps the `require` cache entry and leaves
 * timers to tamper later; the next job of that environment on the same worker must see exactly what
 * the same job sees on a fresh engine, and the plain canary must stay clean too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { SHARED_STORE } from '../environments/helpers.js';
import { parseView, useCanaryLane } from './canary.js';

const PACKAGES = ['lodash@4.17.21'];
const VICTIM = `
const _ = require('lodash');
await new Promise((resolve) => setTimeout(resolve, 40));
console.log(JSON.stringify({
  chunk: _.chunk([1, 2, 3], 2), keys: Object.keys(_).length, template: _.template('<%= a %>')({ a: 1 }),
  interpolate: String(_.templateSettings.interpolate), polluted: ({}).polluted ?? null, uniqueId: _.uniqueId(),
  cache: Object.keys(require.cache).sort(), same: require('lodash') === _,
  marks: Object.keys(globalThis).filter((key) => key.startsWith('residue')), random: [Math.random()],
}));`;
const ATTACK = `
const _ = require('lodash');
_.chunk = () => 'pwned';
_.templateSettings.interpolate = /{{([\\s\\S]+?)}}/g;
_.merge({}, JSON.parse('{"__proto__": {"polluted": "yes"}}')); // refused by lodash 4.17.21 itself
Object.prototype.polluted = 'yes';
for (let i = 0; i < 5; i++) _.uniqueId();
require.cache['lodash@4.17.21'] = require.cache.lodash = { chunk: () => 'fake' };
globalThis.residueMark = true;
setTimeout(() => { _.keys = () => []; globalThis.residueLate = true }, 20);
setInterval(() => { _.chunk = () => 'later' }, 1);
console.log(({}).polluted, _.chunk());`;

const lane = useCanaryLane('quickjs', { storeDir: SHARED_STORE });
let fresh: Engine;
let baseline: ReturnType<typeof parseView>;
beforeAll(async () => {
  fresh = await createEngine({ storeDir: SHARED_STORE, workers: { quickjs: 1, cpython: 0, native: 0 } });
  baseline = parseView(await fresh.execute({ language: 'javascript', code: VICTIM, packages: PACKAGES, entrypoint: 'script', timeout_ms: 60_000 }));
}, 180_000);
afterAll(async () => fresh?.close({ graceMs: 1000 }));

describe('a tampered environment image', () => {
  it('the next job of the environment sees lodash as a fresh engine does', async () => {
    // Twice: the first run makes the environment's image, the second runs on it.
    for (let round = 0; round < 2; round++) {
      // The interval keeps the attack alive until its deadline (the environment is built by then:
      // the fresh engine above shared the store).
      const attack = await lane.run({ code: ATTACK, packages: PACKAGES, entrypoint: 'script', timeout_ms: 2_000 });
      expect(attack.error?.type, attack.stderr).toBe('timeout');
      expect(attack.stdout).toBe('yes pwned\n');
      const view = parseView(await lane.run({ code: VICTIM, packages: PACKAGES, entrypoint: 'script', timeout_ms: 60_000 }));
      const { random, ...rest } = view;
      const { random: baseRandom, ...baseRest } = baseline;
      expect(rest).toEqual(baseRest);
      expect(rest).toMatchObject({ chunk: [[1, 2], [3]], polluted: null, uniqueId: '1', marks: [] });
      expect(random).not.toEqual(baseRandom);
    }
    await lane.expectClean();
    expect(lane.restarts()).toBe(0);
  }, 180_000);
});
