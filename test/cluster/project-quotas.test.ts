// Project quotas hold for the cluster, not per node: two real `isola serve` nodes on one redis-server and
// one project store; a project's executions per minute and concurrent executions are counted once, in
// Redis, whichever node a request reaches, and the one past the quota is 429 with Retry-After. While
// that Redis is away an execution is refused (503), not run unmetered.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolaNode, startNode } from './isola-node.js';
import { type RedisServer, startRedis } from './redis-server.js';

const ADMIN = 'cluster-admin-token-0123456789';
const QUICK = 'export function main() { return { ok: true }; }';
/** Busy for a few seconds: holds its concurrency slot while the other node is asked. */
const SLOW = 'export function main() { const end = Date.now() + 4000; while (Date.now() < end) {} return { ok: true }; }';

let redis: RedisServer;
let storeDir: string;
let nodes: IsolaNode[] = [];

const post = (address: string, path: string, body: unknown, token: string) =>
  fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

async function createProject(name: string, quotas: Record<string, number>): Promise<string> {
  const res = await post(nodes[0]!.address, '/v1/admin/projects', { name, quotas }, ADMIN);
  expect(res.status).toBe(201);
  return ((await res.json()) as { api_key: string }).api_key;
}

beforeAll(async () => {
  redis = await startRedis();
  // One project store for both nodes (as a cluster shares its admin data); 0755 for the sandbox uid.
  storeDir = mkdtempSync(join(tmpdir(), 'isola-quota-store-'));
  chmodSync(storeDir, 0o755);
  const env = { ISOLA_ADMIN_TOKEN: ADMIN, ISOLA_STORE_DIR: storeDir };
  nodes = [await startNode(redis.url, env), await startNode(redis.url, env)];
}, 90_000);
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.kill()));
  await redis?.stop();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

describe('project quotas across nodes', () => {
  it('counts executions per minute once for the cluster: the one past the quota is 429 on either node', async () => {
    const key = await createProject('rate', { executions_per_minute: 4 });
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      const res = await post(nodes[n % 2]!.address, '/v1/execute', { language: 'javascript', code: QUICK }, key);
      statuses.push(res.status);
      await res.body?.cancel();
    }
    // Per node, each would still have two executions left.
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const node of nodes) {
      const refused = await post(node.address, '/v1/execute', { language: 'javascript', code: QUICK }, key);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await refused.json()) as { error: { code: string; issues: { field: string }[] } };
      expect(body.error.code).toBe('quota_exceeded');
      expect(body.error.issues[0]?.field).toBe('quotas.executions_per_minute');
    }
  }, 60_000);

  it('holds concurrent executions for the cluster: a slot taken on one node is taken on the other', async () => {
    const key = await createProject('slots', { concurrent_executions: 1 });
    // Both nodes have verified the key once (the slow KDF), so the next admissions are immediate.
    for (const node of nodes) expect((await post(node.address, '/v1/execute', { language: 'javascript', code: QUICK }, key)).status).toBe(200);

    const slow = post(nodes[0]!.address, '/v1/execute', { language: 'javascript', code: SLOW, timeout_ms: 20_000 }, key);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const refused = await post(nodes[1]!.address, '/v1/execute', { language: 'javascript', code: QUICK }, key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as { error: { code: string; issues: { field: string }[] } };
    expect(body.error.issues[0]?.field).toBe('quotas.concurrent_executions');

    expect((await slow).status).toBe(200);
    // The slot came back when the slow one answered: the other node runs again.
    expect((await post(nodes[1]!.address, '/v1/execute', { language: 'javascript', code: QUICK }, key)).status).toBe(200);
  }, 60_000);

  it('answers 503 quota_store_unavailable while that Redis is away, rather than running unmetered, and meters again after', async () => {
    const key = await createProject('outage', { concurrent_executions: 2, executions_per_minute: 1000 });
    const run = async () => {
      const res = await post(nodes[0]!.address, '/v1/execute', { language: 'javascript', code: QUICK }, key);
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect((await run()).status).toBe(200);
    const restarting = redis.restart(3_000);
    let refused: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < 30 && !refused; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = await run();
      if (seen.status !== 200) refused = seen;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error?.code).toBe('quota_store_unavailable');
    await restarting;
    let back = await run();
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      back = await run();
    }
    expect(back.status).toBe(200);
  }, 60_000);
});
