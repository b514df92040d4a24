/**
 * Throughput through the shared queue: one node without a queue, one node on Redis, three nodes on one
 * Redis, each node `isola serve --workers quickjs=2` as a subprocess. Measures synchronous executes
 * (POST /v1/execute, c=16) and jobs from submit to result (POST /v1/jobs, then GET until succeeded).
 * Every answer is checked. On one machine the nodes share its cores, so this measures the queue's cost,
 * not scale-out; run nodes on separate machines for that.
 *
 *   npm run build && node dist/bench/cluster-throughput.js      (needs redis-server on PATH)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function startNode(queue: { url: string; prefix: string } | undefined): Promise<{ child: ChildProcess; address: string }> {
  const args = [BIN, 'serve', '--port', '0', '--workers', 'quickjs=2,cpython=0,native=0', ...(queue ? ['--queue', queue.url] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ISOLA_LOG_LEVEL: 'info', ISOLA_JOBS_MAX_QUEUED: '100000', ...(queue ? { ISOLA_QUEUE_PREFIX: queue.prefix } : {}) },
  });
  children.push(child);
  return new Promise((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'isola listening') resolve({ child, address: entry.address! });
      } catch {
        // Not a log line.
      }
    });
  });
}

const body = (n: number) => JSON.stringify({ language: 'javascript', code: 'export function main({ n }) { return { double: n * 2 }; }', inputs: { n } });

/** Requests per second, `total` of them, `concurrency` at a time, spread over the nodes. */
async function measure(addresses: string[], kind: 'execute' | 'jobs', total: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        const address = addresses[n % addresses.length]!;
        const res = await fetch(`${address}/v1/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(n) });
        let answer = (await res.json()) as { id?: string; status?: string; output?: { double?: number }; result?: { output?: { double?: number } } };
        if (kind === 'jobs') {
          while (answer.status !== 'succeeded') {
            if (answer.status === 'failed' || answer.status === 'cancelled') throw new Error(`job ${n}: ${JSON.stringify(answer)}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            answer = (await (await fetch(`${address}/v1/jobs/${answer.id}`)).json()) as typeof answer;
          }
        }
        const output = kind === 'jobs' ? answer.result?.output : answer.output;
        if (output?.double !== n * 2) throw new Error(`request ${n}: ${JSON.stringify(answer)}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const dir = mkdtempSync(join(tmpdir(), 'isola-bench-redis-'));
const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: ['ignore', 'pipe', 'ignore'] });
children.push(redis);
await new Promise<void>((resolve) => redis.stdout!.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve()));
const url = `redis://127.0.0.1:${port}`;

const rows: string[] = ['| setup | executes/s (c=16) | jobs/s submit→result (c=16) |', '|---|---|---|'];
for (const [label, count, shared] of [['1 node, no queue', 1, false], ['1 node + Redis', 1, true], ['3 nodes + Redis', 3, true]] as const) {
  const nodes = await Promise.all(Array.from({ length: count }, () => startNode(shared ? { url, prefix: `bench${count}` } : undefined)));
  const addresses = nodes.map((node) => node.address);
  process.stderr.write(`${label}: warming up\n`);
  await measure(addresses, 'execute', 100, 8);
  const executes = await measure(addresses, 'execute', 1000, 16);
  const jobs = await measure(addresses, 'jobs', 600, 16);
  rows.push(`| ${label} | ${executes.toFixed(0)} | ${jobs.toFixed(0)} |`);
  for (const node of nodes) {
    node.child.kill('SIGTERM');
    await once(node.child, 'exit');
  }
}
redis.kill('SIGKILL');
await once(redis, 'exit');
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${rows.join('\n')}\n`);
