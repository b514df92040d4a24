/**
 * A chunk of a batch in one worker (GuestJob.chunk): the items run one after another, each as a job of
 * its own (its own id, its own `batch`), and between two of them the driver is recycled exactly as the
 * worker recycles it between two separate jobs. So an item starts from the same fresh interpreter a
 * single execution gets; what the chunk saves is the round trip through the engine per item (a message
 * each way, the scheduler, the watchdog timers).
 *
 * Each result goes to `report` as soon as its item is done, so a worker that dies mid-chunk loses no
 * finished item and the failure lands on the item that was running. The chunk stops starting items
 * where the batch would stop anyway: after a platform failure, after a failing item when
 * continue_on_fail is off, and past the output budget. Portable.
 */
import { utf8Length } from '../../contract/limits.js';
import type { GuestJob, GuestResult, LaneDriver } from '../../lanes/lane.js';
import { ITEM_FAILURES } from './item-failures.js';

export async function runChunk(driver: LaneDriver, job: GuestJob, report: (at: number, result: GuestResult) => void): Promise<GuestResult> {
  const { chunk, ...base } = job;
  let stdoutBytes = 0;
  let stderrBytes = 0;
  let outputBytes = 0;
  let ran = 0;
  for (const [at, item] of (chunk?.items ?? []).entries()) {
    if (at > 0) await driver.recycle?.();
    const limits = { ...base.limits, stdoutBytes: Math.max(0, base.limits.stdoutBytes - stdoutBytes), stderrBytes: Math.max(0, base.limits.stderrBytes - stderrBytes) };
    const result = await driver.run({ ...base, id: item.id, batch: item.batch, limits });
    report(at, result);
    ran++;
    stdoutBytes += utf8Length(result.stdout);
    stderrBytes += utf8Length(result.stderr);
    if (result.returnJson !== undefined) outputBytes += utf8Length(result.returnJson);
    const failed = result.failure !== undefined || result.exitCode !== 0;
    if (result.failure && !ITEM_FAILURES.has(result.failure.type)) break;
    if (failed && chunk?.stopOnFailure) break;
    if (outputBytes > (chunk?.outputBytes ?? Number.POSITIVE_INFINITY)) break;
  }
  // The chunk's own result says only that it ended; its items' results went to `report`.
  return { exitCode: 0, mode: job.mode === 'main' ? 'main' : 'script', stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, cache: 'hit', setupMs: 0, runMs: 0, chunkItems: ran };
}
