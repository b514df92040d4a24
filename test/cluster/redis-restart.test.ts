// Redis itself goes away mid-run: killed with SIGKILL (no shutdown save) and started again on the same
// data, persisted as an operator would configure it (appendonly yes, appendfsync always). Every job a
// node accepted (answered 202 with an id) must still end succeeded with its own result; clients retry
// a submit that failed while Redis was down with the same Idempotency-Key, as the README advises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type IsolaNode } from './isola-node.js';
import { startRedis, type RedisServer } from './redis-server.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields of the answer
type Json = Record<string, any>;
const JOBS = 300;
const CODE = 'export async function main({ n }) { await new Promise((r) => setTimeout(r, 10)); return { n, half: n / 2 }; }';

let redis: RedisServer;
const nodes: IsolaNode[] = [];
beforeAll(async () => {
  redis = await startRedis();
  nodes.push(...(await Promise.all([startNode(redis.url), startNode(redis.url)])));
}, 120_000);
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.kill()));
  await redis?.stop();
});

async function submit(n: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const node = nodes[(n + attempt) % nodes.length]!;
    try {
      const res = await fetch(`${node.address}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `half-${n}` },
        body: JSON.stringify({ language: 'javascript', code: CODE, inputs: { n } }),
        signal: AbortSignal.timeout(20_000),
      });
      if (res.status === 202 || res.status === 200) return ((await res.json()) as Json).id as string;
      if (attempt > 20) throw new Error(`submit ${n}: ${res.status} ${await res.text()}`);
    } catch (error) {
      if (attempt > 20) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function final(address: string, id: string): Promise<Json> {
  for (;;) {
    const job = (await (await fetch(`${address}/v1/jobs/${id}`)).json()) as Json;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Redis restarted mid-run', () => {
  it('loses no accepted job', async () => {
    const ids = new Array<string>(JOBS);
    let accepted = 0;
    const submitting = Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let n = lane; n < JOBS; n += 8) {
          ids[n] = await submit(n);
          accepted++;
        }
      }),
    );
    while (accepted < JOBS / 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const acceptedBefore = accepted;
    await redis.restart(1_000);
    await submitting;
    // Redis went away while jobs were still being submitted and run.
    expect(acceptedBefore).toBeLessThan(JOBS);
    expect(new Set(ids).size).toBe(JOBS);
    for (let n = 0; n < JOBS; n++) {
      const job = await final(nodes[n % 2]!.address, ids[n]!);
      expect(job.status, `job ${n}`).toBe('succeeded');
      expect(job.result.output, `job ${n}`).toEqual({ n, half: n / 2 });
    }
  }, 120_000);
});
