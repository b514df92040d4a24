// Three `isola serve` nodes on one real redis-server, 1,000 small jobs submitted across them; midway one
// node is killed with SIGKILL and another drained with SIGTERM. Every job must end succeeded with its own
// result, recorded exactly once (BullMQ's `completed` events counted per job id), and the killed node's
// running jobs must have been run again elsewhere after their lease ran out. A second test freezes a node
// mid-job (SIGSTOP) until its lease is gone and another node has finished the job, then lets it go on:
// its late completion must be refused by the lock-token check, not recorded a second time.
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_LEASE, startNode, type IsolaNode } from './isola-node.js';
import { startRedis, type RedisServer } from './redis-server.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields of the answer
type Json = Record<string, any>;
const JOBS = 1_000;
// Each job sleeps a little so that a killed node surely has some running.
const CODE = 'export async function main({ n }) { await new Promise((r) => setTimeout(r, 15)); return { n, square: n * n }; }';

let redis: RedisServer;
let events: QueueEvents;
const nodes: IsolaNode[] = [];
const completed = new Map<string, number>();
const activated = new Map<string, number>();
const stalledAt = new Map<string, number>();
beforeAll(async () => {
  redis = await startRedis();
  events = new QueueEvents('jobs', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: 'isola' });
  events.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
  events.on('active', ({ jobId }) => activated.set(jobId, (activated.get(jobId) ?? 0) + 1));
  events.on('stalled', ({ jobId }) => stalledAt.set(jobId, Date.now()));
  await events.waitUntilReady();
  nodes.push(...(await Promise.all([0, 1, 2].map(() => startNode(redis.url)))));
}, 120_000);
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.kill()));
  await events?.close();
  await redis?.stop();
});

const alive = (node: IsolaNode) => node.child.exitCode === null && node.child.signalCode === null;

/** Submit with an Idempotency-Key; a node that died or drains is retried on another with the same key. */
async function submit(n: number, pick: () => IsolaNode): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const node = pick();
    try {
      const res = await fetch(`${node.address}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `square-${n}` },
        body: JSON.stringify({ language: 'javascript', code: CODE, inputs: { n } }),
      });
      if (res.status === 202 || res.status === 200) return ((await res.json()) as Json).id as string;
      if (res.status !== 503) throw new Error(`submit ${n}: ${res.status} ${await res.text()}`);
    } catch (error) {
      if (attempt > 20 || (error instanceof Error && error.message.startsWith('submit'))) throw error;
    }
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a cluster that loses nodes', () => {
  it('runs 1,000 jobs to a correct result, each recorded once, through a kill -9 and a drain', async () => {
    const [victim, drained, survivor] = nodes as [IsolaNode, IsolaNode, IsolaNode];
    let next = 0;
    const pick = () => {
      const live = nodes.filter(alive);
      return live[next++ % live.length]!;
    };
    const ids = new Array<string>(JOBS);
    const started = Date.now();
    let submitted = 0;
    const submitting = (async () => {
      const lanes = Array.from({ length: 16 }, async (_, lane) => {
        for (let n = lane; n < JOBS; n += 16) {
          ids[n] = await submit(n, pick);
          submitted++;
        }
      });
      await Promise.all(lanes);
    })();

    await until(() => completed.size >= JOBS * 0.3, 60_000, '30% done');
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    drained.child.kill('SIGTERM');
    await submitting;
    // The drained node finished what it ran and left cleanly.
    expect(await drained.exited).toBe(0);
    try {
      await until(() => completed.size >= JOBS, 90_000, `all ${JOBS} completed`);
    } catch (error) {
      // Say where the rest are, and what the surviving node complained about.
      const queue = new Queue('jobs', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: 'isola' });
      const counts = await queue.getJobCounts();
      await queue.close();
      const complaints = survivor.logs.filter((entry) => Number(entry['level']) >= 40).slice(-5);
      throw new Error(`${(error as Error).message}: ${completed.size} completed; queue ${JSON.stringify(counts)}; survivor alive ${alive(survivor)}; ${JSON.stringify(complaints)}`);
    }
    const elapsedS = (Date.now() - started) / 1000;

    expect(submitted).toBe(JOBS);
    expect(new Set(ids).size).toBe(JOBS);
    for (let n = 0; n < JOBS; n++) {
      const job = (await (await fetch(`${survivor.address}/v1/jobs/${ids[n]}`)).json()) as Json;
      expect(job.status, `job ${n}`).toBe('succeeded');
      expect(job.result.output, `job ${n}`).toEqual({ n, square: n * n });
      expect(completed.get(ids[n]!), `completions of job ${n}`).toBe(1);
    }
    // The killed node's running jobs were run again on another node once their lease ran out.
    const rerun = [...activated.entries()].filter(([, count]) => count > 1).map(([id]) => id);
    expect(rerun.length).toBeGreaterThan(0);
    const recoveryMs = Math.max(...rerun.map((id) => (stalledAt.get(id) ?? killedAt) - killedAt));
    console.log(`cluster: ${JOBS} jobs in ${elapsedS.toFixed(1)} s; ${rerun.length} rerun after kill -9, back in the queue ${recoveryMs} ms after the kill (lease ${FAST_LEASE.ISOLA_QUEUE_LOCK_MS} ms, check every ${FAST_LEASE.ISOLA_QUEUE_STALLED_INTERVAL_MS} ms)`);
  }, 180_000);

  it('a node frozen past its lease cannot record its late result over the rerun', async () => {
    const others = nodes.filter(alive);
    const frozen = await startNode(redis.url);
    nodes.push(frozen);
    // Only the new node may take the job: the others are paused until it has.
    for (const node of others) node.child.kill('SIGSTOP');
    const res = await fetch(`${frozen.address}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'javascript', code: 'export async function main() { await new Promise((r) => setTimeout(r, 1500)); return { done: true }; }' }),
    });
    const { id } = (await res.json()) as Json;
    await until(() => activated.has(id), 10_000, 'the job to start');
    frozen.child.kill('SIGSTOP');
    for (const node of others) node.child.kill('SIGCONT');
    // The lease (2 s) runs out, the survivor's stalled check requeues the job and runs it.
    await until(() => completed.get(id) === 1, 30_000, 'the rerun to complete');
    frozen.child.kill('SIGCONT');
    // The frozen node wakes, its 1.5 s timer fires and it tries to complete with its stale lock token.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(activated.get(id)).toBe(2);
    expect(completed.get(id)).toBe(1);
    // It did try, and BullMQ's finishing script refused it: the lock it held is gone.
    const refusals = frozen.logs.filter((entry) => entry['msg'] === 'job queue error' && JSON.stringify(entry['err']).includes(id));
    expect(refusals.map((entry) => (entry['err'] as Json).message).join('\n')).toMatch(/Missing lock|Lock mismatch|not in the active state/);
    const job = (await (await fetch(`${others[0]!.address}/v1/jobs/${id}`)).json()) as Json;
    expect(job).toMatchObject({ status: 'succeeded', result: { output: { done: true } } });
  }, 60_000);
});
