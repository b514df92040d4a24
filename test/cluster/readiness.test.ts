// A node on a shared queue is ready only while its Redis answers: /readyz says 503 with the reason while
// Redis is down (so a load balancer sends work elsewhere) and 200 again once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolaNode, startNode } from './isola-node.js';
import { type RedisServer, startRedis } from './redis-server.js';

let redis: RedisServer;
let node: IsolaNode;

beforeAll(async () => {
  redis = await startRedis();
  node = await startNode(redis.url);
}, 60_000);
afterAll(async () => {
  await node?.kill();
  await redis?.stop();
});

const readyz = async () => {
  const res = await fetch(`${node.address}/readyz`);
  return { status: res.status, queue: ((await res.json()) as { job_queue: { kind: string; ready: boolean; reason?: string } }).job_queue };
};

describe('readiness with a shared queue', () => {
  it('follows Redis: ready, then 503 while it is down, then ready again', async () => {
    expect(await readyz()).toEqual({ status: 200, queue: { kind: 'redis', ready: true } });
    const restarting = redis.restart(4_000);
    let down: Awaited<ReturnType<typeof readyz>> | undefined;
    for (let i = 0; i < 30 && !down; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = await readyz();
      if (seen.status === 503) down = seen;
    }
    expect(down?.queue).toMatchObject({ kind: 'redis', ready: false });
    expect(down?.queue.reason).toBeTruthy();
    await restarting;
    let back = await readyz();
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      back = await readyz();
    }
    expect(back).toEqual({ status: 200, queue: { kind: 'redis', ready: true } });
  }, 60_000);
});
