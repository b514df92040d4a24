// The shared queue's settings: off without a URL, each setting from its variable, and a bad value stops
// start-up with a message naming the setting (isola serve turns it into a usage error, exit 2).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JobsOptionsError } from '../../src/jobs/jobs-options.js';
import { resolveSharedQueueOptions, SHARED_QUEUE_DEFAULTS } from '../../src/jobs/shared-queue-options.js';

describe('shared queue options', () => {
  it('is off without a URL and takes each setting from the environment', () => {
    expect(resolveSharedQueueOptions({}, {})).toBeUndefined();
    expect(resolveSharedQueueOptions({}, { ISOLA_QUEUE_URL: 'redis://10.0.0.5:6379' })).toEqual({ url: 'redis://10.0.0.5:6379', ...SHARED_QUEUE_DEFAULTS });
    expect(
      resolveSharedQueueOptions({ url: 'rediss://user:pw@redis.example:6380/2' }, { ISOLA_QUEUE_PREFIX: 'blue', ISOLA_QUEUE_LOCK_MS: '5000', ISOLA_QUEUE_STALLED_INTERVAL_MS: '2500', ISOLA_QUEUE_MAX_STALLED: '3' }),
    ).toEqual({ url: 'rediss://user:pw@redis.example:6380/2', prefix: 'blue', lockMs: 5000, stalledIntervalMs: 2500, maxStalledCount: 3 });
  });

  it.each([
    [{ ISOLA_QUEUE_URL: 'http://redis:6379' }, /ISOLA_QUEUE_URL/],
    [{ ISOLA_QUEUE_URL: 'redis://x', ISOLA_QUEUE_LOCK_MS: 'soon' }, /ISOLA_QUEUE_LOCK_MS/],
    [{ ISOLA_QUEUE_URL: 'redis://x', ISOLA_QUEUE_MAX_STALLED: '0' }, /ISOLA_QUEUE_MAX_STALLED/],
    [{ ISOLA_QUEUE_URL: 'redis://x', ISOLA_QUEUE_PREFIX: 'a b' }, /ISOLA_QUEUE_PREFIX/],
  ])('refuses %j naming the setting', (env, name) => {
    expect(() => resolveSharedQueueOptions({}, env)).toThrow(JobsOptionsError);
    expect(() => resolveSharedQueueOptions({}, env)).toThrow(name);
  });

  it('isola serve --queue with a bad URL exits 2 with one line naming the flag', () => {
    const bin = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--queue', 'tcp://redis', '--workers', 'quickjs=1,cpython=0,native=0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--queue/);
  });
});
