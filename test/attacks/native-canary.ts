/**
 * Proof by equivalence for the native lane: after an attack job, a canary job on the same driver must
 * see exactly what a canary on a fresh driver sees (DESIGN.md, "Per-execution state"). The canaries
 * (canary/canary.py, canary/canary.js) print the file tree under / (paths, sizes, modes, owners, link
 * targets; /proc and /sys skipped), the environment, the cwd, /tmp and /dev/shm listings, uid/gid and
 * groups, and /proc/self/limits.
 *
 * Fields documented as varying, masked by the canaries themselves: PYTHONHASHSEED (a fresh random seed
 * per job). The Python canary's "random" values are compared with the previous canary's: never equal. Nothing else may differ: timestamps, inode numbers and pids are not collected.
 *
 * Usage in an attack file: `const canary = useCanary(() => driver);` then `await canary.expectClean()`
 * after the attack.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { nodeJob, pythonJob, testHost } from '../lanes/native/native-fixture.js';

const PYTHON = readFileSync(new URL('canary/canary.py', import.meta.url), 'utf8');
const NODE = readFileSync(new URL('canary/canary.js', import.meta.url), 'utf8');
const LIMITS = { stdoutBytes: 1 << 20, stderrBytes: 64 * 1024, outputBytes: 1 << 20 };

let lastRandom: unknown[] | undefined;

export interface CanaryView {
  python: unknown;
  node: unknown;
}

/** What the canaries print on `driver`, parsed; a canary that fails to run fails the test here. */
export async function canaryView(driver: LaneDriver, options: Record<string, unknown> = {}): Promise<CanaryView> {
  const [python, node] = await Promise.all([
    driver.run(pythonJob(PYTHON, { mode: 'script', limits: LIMITS, timeoutMs: 20_000, ...options })),
    driver.run(nodeJob(NODE, { mode: 'script', limits: LIMITS, timeoutMs: 20_000, ...options })),
  ]);
  for (const result of [python, node]) {
    expect(result.failure, result.stderr).toBeUndefined();
    expect(result.stdoutTruncated).toBe(false);
  }
  // The per-job random values (random, secrets, uuid4, urandom) must differ from job to job: they are
  // left out of the view and checked against the previous canary's instead.
  const { random, ...pythonView } = JSON.parse(python.stdout) as { random: unknown[] };
  expect(random).toHaveLength(5);
  expect(random).not.toEqual(lastRandom);
  lastRandom = random;
  return { python: pythonView, node: JSON.parse(node.stdout) };
}

/**
 * Registers a fresh driver's canary view as the baseline (before the file's tests) and returns a check
 * that the driver under attack still shows exactly that view.
 */
export function useCanary(driver: () => LaneDriver, driverOptions: Record<string, unknown> = {}): { expectClean(): Promise<void>; baseline(): CanaryView } {
  let fresh: CanaryView | undefined;
  beforeAll(async () => {
    const baselineDriver = await createDriver(testHost(), { options: driverOptions });
    try {
      fresh = await canaryView(baselineDriver);
    } finally {
      await baselineDriver.dispose();
    }
  }, 60_000);
  afterAll(() => {
    fresh = undefined;
  });
  return {
    baseline: () => {
      if (!fresh) throw new Error('the canary baseline is taken in beforeAll');
      return fresh;
    },
    async expectClean() {
      if (!fresh) throw new Error('the canary baseline is taken in beforeAll');
      expect(await canaryView(driver())).toEqual(fresh);
    },
  };
}
