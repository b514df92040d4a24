/**
 * Where a JavaScript execution's time goes between the socket and the worker, on the service's main
 * thread: the service runs here (QuickJS workers only, their default count), autocannon loads it from a
 * child process (so the load generator's own work stays out of the profile), and V8's CPU profiler
 * samples the main thread for the measured window. Every sample is charged to the first frame up its
 * stack that names a phase (the worker hop, node's HTTP, Fastify, the zod contract, the engine...).
 * Prints a Markdown table of the phases: share of the window and microseconds per request.
 *
 * Run: `npm run build && node dist/bench/profile-http.js [connections=8] [seconds=8]`.
 */
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import pino from 'pino';
import { startServer } from '../src/server/index.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The phase a frame names, or undefined to look further up the stack. Order matters: first match wins. */
const PHASES: [string, (url: string, fn: string) => boolean][] = [
  ['idle (waiting for sockets or workers)', (_url, fn) => fn === '(idle)'],
  ['garbage collection', (_url, fn) => fn === '(garbage collector)'],
  ['profiler', (url) => url.includes('inspector')],
  ['worker hop (post the job, receive the result; includes being descheduled when the woken worker takes the core)', (url, fn) => fn === 'postMessage' || url.includes('workers/worker-slot') || url.includes('internal/worker') || url.includes('messageport')],
  ['envelope (parse the output, build the response)', (url) => url.includes('engine/envelope')],
  ['request contract (zod parse, limits)', (url) => url.includes('/contract/') || url.includes('/zod/')],
  ['plan (entry-point detection)', (url) => url.includes('engine/plan') || url.includes('/languages/')],
  ['engine (scheduler, ids, job record)', (url) => url.includes('/engine/')],
  ['metrics', (url) => url.includes('server/metrics') || url.includes('prom-client')],
  ['logging', (url) => url.includes('pino')],
  ['Fastify (routing, JSON body, reply)', (url) => /fastify|find-my-way|secure-json-parse|fast-json-stringify|\/server\//.test(url)],
  ['node HTTP and sockets', (url) => /node:_http|node:net|node:internal\/streams|node:stream/.test(url)],
];

function phaseTable(profile: Profile, requests: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const phaseOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      const phase = PHASES.find(([, matches]) => matches(url, functionName));
      if (phase) return phase[0];
    }
    return 'other (timers, promises, native)';
  };
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const phase = phaseOf(id);
    totals.set(phase, (totals.get(phase) ?? 0) + dt);
  });
  const rows = [...totals].sort((a, b) => b[1] - a[1]).map(([phase, us]) => `| ${phase} | ${((us / total) * 100).toFixed(1)}% | ${(us / requests).toFixed(0)} µs |`);
  return ['| main-thread phase | share of the window | per request |', '|---|---|---|', ...rows].join('\n');
}

/** autocannon in a child process; resolves with its JSON summary. */
function load(url: string, body: string, connections: number, seconds: number): Promise<{ requests: { total: number; average: number }; non2xx: number; errors: number; latency: { p50: number; p99: number } }> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [bin, '-j', '-m', 'POST', '-H', 'content-type=application/json', '-b', body, '-c', String(connections), '-d', String(seconds), url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 8);
  const seconds = Number(process.argv[3] ?? 8);
  const server = await startServer({ port: 0, handleSignals: false, logger: pino({ level: 'warn' }), engineOptions: { workers: { cpython: 0, native: 0, wasi: 0 } } });
  try {
    const url = `http://127.0.0.1:${server.port}/v1/execute`;
    const body = JSON.stringify({ language: 'javascript', code: 'function main({ name = "world" }) { return { greeting: "hello " + name } }', inputs: { name: 'world' } });
    await load(url, body, connections, 2); // warm-up: JIT, workers' first jobs
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await load(url, body, connections, seconds);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
    process.stdout.write(`c=${connections}, ${seconds} s: ${result.requests.average} exec/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${result.requests.total} requests)\n\n`);
    process.stdout.write(`${phaseTable(profile, result.requests.total)}\n`);
  } finally {
    await server.shutdown('profile done');
  }
}

await main();
