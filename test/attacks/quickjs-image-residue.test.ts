/**
 * Residue through the QuickJS heap image: the lane no longer builds a new runtime+context per job, it
 * puts one bootstrapped heap back in place (src/lanes/quickjs/heap-image.ts). Each attack leaves
 * something behind that would outlive a careless reset — globals, prototypes, the VFS, timers, pending
 * promises, WeakRefs and FinalizationRegistry callbacks, SharedArrayBuffer/Atomics, a huge string,
 * a fetch in flight, a job stopped at its memory cap or deadline in the middle of an allocation — and
 * then the canary on the same worker must see exactly what a fresh engine's canary sees
 * (test/attacks/canary.ts), and a second probe must see none of the attack's late effects.
 * The worker must still be the one that ran the attack: a restarted worker would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('quickjs');

/** Late effects an attack may have scheduled, read after giving them time to fire. */
const PROBE = `
  await new Promise((resolve) => setTimeout(resolve, 60));
  const fs = require('fs');
  console.log(JSON.stringify({
    marks: Object.keys(globalThis).filter((key) => key.startsWith('residue')),
    proto: Object.getOwnPropertyNames(Object.prototype).filter((key) => key.startsWith('residue')),
    files: fs.readdirSync('.').sort(), tmp: fs.readdirSync('/tmp'),
    weak: typeof WeakRef, registry: typeof FinalizationRegistry,
    sab: typeof SharedArrayBuffer, atomics: typeof Atomics,
    big: typeof globalThis.big,
  }));`;
const CLEAN_PROBE = { marks: [], proto: [], files: ['inputs.json'], tmp: [], weak: 'function', registry: 'function', sab: 'function', atomics: 'undefined', big: 'undefined' };

const ATTACKS: Record<string, { code: string; memory_mb?: number; timeout_ms?: number }> = {
  'globals, prototypes and Object.prototype': {
    code: `
      globalThis.residueGlobal = 1; var residueVar = 2;
      Object.prototype.residueProto = 'x';
      Object.defineProperty(Object.prototype, 'residueGetter', { get() { return 'trap' }, configurable: true });
      Array.prototype.push = function () { return 0 };
      String.prototype.toString = () => 'hijacked';
      Reflect.setPrototypeOf(globalThis, { residueChain: true });`,
  },
  'the in-memory file system': {
    code: `
      const fs = require('fs');
      fs.writeFileSync('residue.txt', 'secret');
      fs.writeFileSync('/tmp/residue', 'secret');
      fs.mkdirSync('/work/residue-dir');
      fs.writeFileSync('inputs.json', '{"planted":true}');`,
  },
  'timers, intervals and pending promises': {
    code: `
      setInterval(() => { globalThis.residueTick = (globalThis.residueTick || 0) + 1 }, 1);
      setTimeout(() => { globalThis.residueLate = true }, 30);
      new Promise((resolve) => setTimeout(resolve, 20)).then(() => { globalThis.residuePromise = true });
      Promise.resolve().then(function again() { globalThis.residueMicro = true; return Promise.resolve().then(again) });`,
    timeout_ms: 300,
  },
  'WeakRefs and FinalizationRegistry': {
    code: `
      const registry = new FinalizationRegistry(() => { globalThis.residueFinalized = true });
      for (let i = 0; i < 1000; i++) registry.register({ i }, i);
      globalThis.residueRef = new WeakRef({ secret: 'x' });
      FinalizationRegistry.prototype.register = () => {};
      WeakRef.prototype.deref = () => 'hijacked';`,
  },
  'SharedArrayBuffer and Atomics': {
    code: `
      if (typeof SharedArrayBuffer === 'function') {
        const shared = new SharedArrayBuffer(1 << 20);
        Atomics.store(new Int32Array(shared), 0, 42);
        globalThis.residueShared = shared;
        Atomics.add = () => 0;
      }`,
  },
  'a huge string and big typed arrays (the heap grows)': {
    code: `
      globalThis.big = 'secret-'.repeat(4 << 20);
      const arrays = []; for (let i = 0; i < 16; i++) arrays.push(new Uint8Array(1 << 20).fill(0x5a));
      globalThis.residueArrays = arrays;`,
    memory_mb: 256,
  },
  'a fetch left in flight': {
    code: `fetch('https://example.com/').then(() => { globalThis.residueFetched = true }); setTimeout(() => {}, 100000)`,
    timeout_ms: 200,
  },
  'the memory cap hit in the middle of an allocation': {
    code: `globalThis.residueKeep = []; for (;;) globalThis.residueKeep.push('secret'.repeat(1 << 19) + residueKeep.length)`,
    memory_mb: 32,
    timeout_ms: 5000,
  },
  'a deadline in the middle of allocating': {
    // A heap small enough to collect quickly: a GC of hundreds of MB cannot be interrupted and would
    // overrun the grace period, and a restarted worker would prove nothing here.
    code: `globalThis.residueKeep = []; for (let i = 0; ; i++) { residueKeep.push({ secret: 'x'.repeat(64) + i, list: [i, i] }); if (residueKeep.length > 20000) residueKeep.length = 0 }`,
    timeout_ms: 150,
  },
};

describe('QuickJS heap image: nothing of one job reaches the next', () => {
  for (const [name, attack] of Object.entries(ATTACKS)) {
    it(name, async () => {
      const restarts = lane.restarts();
      const response = await lane.run({ code: attack.code, entrypoint: 'script', ...(attack.memory_mb ? { memory_mb: attack.memory_mb } : {}), timeout_ms: attack.timeout_ms ?? 1500 });
      if (name.includes('memory cap')) expect(response.error?.type).toBe('memory_limit');
      if (name.includes('deadline')) expect(response.error?.type).toBe('timeout');
      await lane.expectClean();
      const probe = await lane.run({ code: PROBE, entrypoint: 'script', timeout_ms: 2000 });
      expect(probe.error).toBeNull();
      expect(JSON.parse(probe.stdout)).toEqual(CLEAN_PROBE);
      expect(lane.restarts(), 'the attack ran on the same worker as the canary').toBe(restarts);
    });
  }

  it('the worker restored its image rather than building new interpreters', () => {
    const details = lane.engine().readiness().lanes.quickjs?.details as { jobs: number; modulesReplaced: number } | undefined;
    expect(details?.jobs).toBeGreaterThan(Object.keys(ATTACKS).length);
    // Only the jobs whose heap grew past the replacement threshold may have needed a new module.
    expect(details?.modulesReplaced).toBeLessThanOrEqual(2);
  });
});
