/**
 * Running past timeout_ms wherever the guest can be: a tight loop, time.sleep, select/poll, asyncio,
 * recursive generators, catastrophic regex backtracking, huge int-to-str conversion, sorting a huge
 * list, a finally block or an except clause that swallows the interrupt, a __del__. Each ends
 * as error.type "timeout" within the deadline plus slack, without a worker restart, and the next job
 * runs normally on a clean worker.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');
const TIMEOUT_MS = 600;
/** What the engine may take past the deadline: the flag is checked at every loop head. */
const SLACK_MS = 700;

const ATTACKS: Record<string, string> = {
  'a tight loop': 'while True:\n    pass',
  'time.sleep': 'import time\ntime.sleep(3600)',
  'time.sleep in a loop that swallows everything': 'import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except BaseException:\n        pass',
  'select.select': 'import select, sys\nwhile True:\n    select.select([], [], [], 10)',
  'select.poll': 'import select\np = select.poll()\nwhile True:\n    p.poll(10_000)',
  'asyncio.sleep': 'import asyncio\nasync def main():\n    await asyncio.sleep(3600)\nasyncio.run(main())',
  'recursive generators': 'import sys\nsys.setrecursionlimit(100_000)\ndef gen(n):\n    yield n\n    yield from gen(n + 1)\nwhile True:\n    for _ in gen(0):\n        pass',
  'catastrophic regex backtracking': 'import re\nre.match(r"(a+)+$", "a" * 64 + "b")',
  'huge int to str': 'import sys\nsys.set_int_max_str_digits(0)\nstr(7 ** 10_000_000)',
  'sorting a huge list again and again': 'import random\nitems = [random.random() for _ in range(1_000_000)]\nwhile True:\n    sorted(items)',
  'a finally block that loops': 'try:\n    while True:\n        pass\nfinally:\n    while True:\n        pass',
  'an except that swallows the interrupt': 'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
  'a __del__ that loops': 'import gc\nclass Ghost:\n    def __del__(self):\n        while True:\n            pass\ng = Ghost()\ng.me = g\ndel g\ngc.collect()\nwhile True:\n    pass',
  'function mode': 'def main():\n    while True:\n        pass',
  'numpy in C': 'import numpy\na = numpy.random.random(3_000_000)\nwhile True:\n    numpy.sort(a)',
};

describe(`timeout_ms: ${TIMEOUT_MS} everywhere (CPython lane)`, () => {
  for (const [name, code] of Object.entries(ATTACKS)) {
    it(`stops ${name}`, async () => {
      const attack = await lane.run({ code, timeout_ms: TIMEOUT_MS });
      const elapsed = attack.elapsed_ms - attack.timings.queue_ms;
      expect(attack.error?.type, JSON.stringify(attack.error)).toBe('timeout');
      expect(attack.status).toBe('error');
      expect(elapsed, `ended ${Math.round(elapsed)} ms after the start`).toBeLessThan(TIMEOUT_MS + SLACK_MS + (name.startsWith('numpy') ? 1500 : 0));
      const next = await lane.run({ code: 'import time\ntime.sleep(0.01)\ndef main():\n    return sum(range(10))' });
      expect(next.output, JSON.stringify(next.error)).toBe(45);
      expect(lane.restarts()).toBe(0);
    });
  }

  it('atexit handlers never run: the interpreter does not exit between jobs, and the image forgets them', async () => {
    const count = 'import atexit\ndef main():\n    return atexit._ncallbacks()';
    const before = (await lane.run({ code: count })).output;
    const code = 'import atexit, sys\ndef forever():\n    while True:\n        pass\natexit.register(forever)\nsys.exit(0)';
    const attack = await lane.run({ code, timeout_ms: TIMEOUT_MS });
    expect(attack).toMatchObject({ status: 'completed', return_code: 0, error: null });
    // The image's own handlers (logging registers one at import) and nothing more.
    expect((await lane.run({ code: count })).output).toBe(before);
  });

  it('after all of them, the canary sees a fresh worker', async () => {
    await lane.expectClean();
  });
});
