// Two `isola serve` nodes on one real redis-server (--queue): a job submitted to one node is answered by
// the other, an Idempotency-Key holds across nodes, a cancel sent to either node stops the run wherever it
// is, live output reaches an observer on the other node, and a synchronous execute runs through the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCallbackSignature } from '../../src/jobs/callback-signature.js';
import { startReceiver, type Receiver } from '../jobs/callback-receiver.js';
import { readEventStream } from '../jobs/sse-client.js';
import { startNode, type IsolaNode } from './isola-node.js';
import { startRedis, type RedisServer } from './redis-server.js';

let redis: RedisServer;
let a: IsolaNode;
let b: IsolaNode;
let receiver: Receiver;
const SECRET = 'cluster-callback-secret';
beforeAll(async () => {
  redis = await startRedis();
  receiver = await startReceiver();
  const env = { ISOLA_CALLBACK_SECRET: SECRET, ISOLA_CALLBACK_ALLOW_PRIVATE: '1' };
  [a, b] = await Promise.all([startNode(redis.url, env), startNode(redis.url, env)]);
});
afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
  await receiver?.close();
  await redis?.stop();
});

const ADD = 'export function main({ a, b }) { return { sum: a + b }; }';
const post = (address: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields of the answer
type Json = Record<string, any>;

async function untilFinal(address: string, id: string, timeoutMs = 30_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${address}/v1/jobs/${id}`)).json()) as Json;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('jobs on a shared queue', () => {
  it('a job submitted to one node is read, finished, from the other', async () => {
    const res = await post(a.address, '/v1/jobs', { language: 'javascript', code: ADD, inputs: { a: 2, b: 3 } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Json;
    const job = await untilFinal(b.address, id);
    expect(job).toMatchObject({ id, status: 'succeeded', result: { status: 'completed', output: { sum: 5 }, error: null } });
    expect(Date.parse(job.expires_at) - Date.parse(job.finished_at)).toBe(3_600_000);
    expect((await fetch(`${b.address}/v1/jobs/job_nosuchjob`)).status).toBe(404);
  });

  it('an Idempotency-Key returns the same job on every node; another body with it is refused', async () => {
    const body = { language: 'javascript', code: ADD, inputs: { a: 1, b: 1 } };
    const first = await post(a.address, '/v1/jobs', body, { 'idempotency-key': 'order-42' });
    const again = await post(b.address, '/v1/jobs', body, { 'idempotency-key': 'order-42' });
    expect([first.status, again.status]).toEqual([202, 200]);
    const id = ((await first.json()) as Json).id;
    expect(((await again.json()) as Json).id).toBe(id);
    const other = await post(b.address, '/v1/jobs', { ...body, inputs: { a: 9, b: 9 } }, { 'idempotency-key': 'order-42' });
    expect(other.status).toBe(422);
    expect(((await other.json()) as Json).error.code).toBe('idempotency_key_reused');
  });

  it('a synchronous execute runs through the queue and answers the envelope, or the engine\'s refusal', async () => {
    const res = await post(b.address, '/v1/execute', { language: 'javascript', code: ADD, inputs: { a: 20, b: 22 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'completed', return_code: 0, output: { sum: 42 } });
    // Python lanes are off on these nodes: the refusal keeps its code and status through the queue.
    const refused = await post(a.address, '/v1/execute', { language: 'python', code: 'print(1)' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
  });

  // Regression: a job read just before it finished and asked its state just after had no result yet (500).
  it('concurrent synchronous executes on both nodes each get their own envelope', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        const res = await post([a, b][n % 2]!.address, '/v1/execute', { language: 'javascript', code: ADD, inputs: { a: n, b: 1 } });
        return { status: res.status, body: (await res.json()) as Json };
      }),
    );
    for (const [n, answer] of answers.entries()) expect(answer, `execute ${n}`).toMatchObject({ status: 200, body: { output: { sum: n + 1 } } });
  });

  it('a cancel sent to one node interrupts the run on whichever node runs it', async () => {
    const res = await post(a.address, '/v1/jobs', { language: 'javascript', code: 'while (true) {}', timeout_ms: 60_000 });
    const { id } = (await res.json()) as Json;
    const deadline = Date.now() + 20_000;
    while (((await (await fetch(`${b.address}/v1/jobs/${id}`)).json()) as Json).status !== 'running') {
      if (Date.now() > deadline) throw new Error('never running');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const started = Date.now();
    const cancelled = (await (await fetch(`${b.address}/v1/jobs/${id}`, { method: 'DELETE' })).json()) as Json;
    expect(cancelled).toMatchObject({ id, status: 'cancelled', result: { error: { type: 'cancelled' } } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('an observer on the other node gets the output live, then the result', async () => {
    const res = await post(a.address, '/v1/jobs', {
      language: 'javascript',
      code: 'await new Promise((r) => setTimeout(r, 300)); console.log("first"); await new Promise((r) => setTimeout(r, 700)); console.log("second");',
    });
    const { id } = (await res.json()) as Json;
    const answer = await readEventStream(`${b.address}/v1/jobs/${id}/events`);
    const names = answer.events.map((event) => event.event);
    expect(names.at(-1)).toBe('result');
    const first = answer.events.find((event) => event.event === 'stdout' && (event.data as Json).data === 'first\n');
    expect(first, JSON.stringify(names)).toBeDefined();
    // Arrived before the result did, so it was live and not bundled with it.
    expect(answer.events.at(-1)!.at - first!.at).toBeGreaterThan(300);
    expect(answer.events.at(-1)!.data).toMatchObject({ stdout: 'first\nsecond\n' });
  });

  it('a callback is sent once, signed, by the node that ran the job, and its state is seen from both', async () => {
    const res = await post(a.address, '/v1/jobs', { language: 'javascript', code: ADD, inputs: { a: 4, b: 4 }, callback: { url: receiver.url } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Json;
    const [delivery] = await receiver.waitFor(1);
    const signature = delivery!.headers['isola-signature'];
    expect(verifyCallbackSignature(SECRET, typeof signature === 'string' ? signature : undefined, delivery!.body)).toBe(true);
    expect(JSON.parse(delivery!.body)).toMatchObject({ id, status: 'succeeded', result: { output: { sum: 8 } } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.deliveries).toHaveLength(1);
    for (const node of [a, b]) {
      expect(((await (await fetch(`${node.address}/v1/jobs/${id}`)).json()) as Json).callback).toMatchObject({ state: 'delivered', attempts: 1 });
    }
  });

  it('/metrics on every node exports the cluster\'s queue depth read from Redis', async () => {
    for (const node of [a, b]) {
      const text = await (await fetch(`${node.address}/metrics`)).text();
      expect(text).toMatch(/^isola_job_queue_depth 0$/m);
    }
  });
});
