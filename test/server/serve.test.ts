// `isola serve` over a real socket in a child process: SIGTERM lets an in-flight execution finish while a
// new one gets 503 shutting_down, then the process exits 0. Needs `npm run build` (npm test does it).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const JS_ONLY = 'quickjs=2,cpython=0,native=0';

interface LogEntry {
  msg?: string;
  address?: string;
  [key: string]: unknown;
}

/** Start `isola serve --port 0` and resolve with its address once it logs it. */
function startServe(args: string[]) {
  // JavaScript only: Python workers take seconds of CPU to boot and these tests do not need them.
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', JS_ONLY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ISOLA_LOG_LEVEL: 'info' },
  });
  const logs: LogEntry[] = [];
  const waiters: { match: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      entry = { msg: line };
    }
    logs.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.match(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  });
  const waitForLog = (match: (entry: LogEntry) => boolean, timeoutMs = 20_000) =>
    new Promise<LogEntry>((resolve, reject) => {
      const found = logs.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`no such log line; stderr: ${stderr}; logs: ${JSON.stringify(logs)}`)), timeoutMs);
      waiters.push({ match, resolve: (entry) => (clearTimeout(timer), resolve(entry)) });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}; stderr: ${stderr}`)));
    });
  return { child, logs, waitForLog, stderr: () => stderr };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function execute(address: string, body: unknown) {
  const res = await fetch(`${address}/v1/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields of the answer
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('isola serve', () => {
  it('drains on SIGTERM: in-flight answered, new refused with 503, exit 0', async () => {
    const serve = startServe(['--grace-ms', '10000']);
    children.push(serve.child);
    const { address } = await serve.waitForLog((entry) => entry.msg === 'isola listening');
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);

    // Busy for ~3 s inside the sandbox, then answers: room for the signal and the late request on a busy machine.
    const slowCode = 'function main() { const end = Date.now() + 3000; while (Date.now() < end) {} return "finished"; }';
    const inFlight = execute(address!, { language: 'javascript', code: slowCode, timeout_ms: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    serve.child.kill('SIGTERM');
    await serve.waitForLog((entry) => entry.msg === 'draining');
    const late = await execute(address!, { language: 'javascript', code: 'function main() { return 1; }' });
    expect(late.status).toBe(503);
    expect(late.body.error.code).toBe('shutting_down');
    expect(late.headers.get('retry-after')).toBe('5') // SHUTTING_DOWN_RETRY_AFTER_S: one value, engine or server;

    const first = await inFlight;
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'completed', output: 'finished' });

    const [code, signal] = (await once(serve.child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(serve.logs.some((entry) => entry.msg === 'stopped')).toBe(true);
  }, 40_000);

  it('exits at once on a second signal during a drain', async () => {
    const serve = startServe(['--grace-ms', '30000']);
    children.push(serve.child);
    const { address } = await serve.waitForLog((entry) => entry.msg === 'isola listening');
    const stuck = 'function main() { const end = Date.now() + 20000; while (Date.now() < end) {} return 1; }';
    const inFlight = execute(address!, { language: 'javascript', code: stuck, timeout_ms: 30_000 }).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    serve.child.kill('SIGTERM');
    await serve.waitForLog((entry) => entry.msg === 'draining');
    const started = Date.now();
    serve.child.kill('SIGINT');
    const [code] = (await once(serve.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await inFlight).toBeInstanceOf(Error); // the connection dropped: the operator chose that
  }, 40_000);

  it('exits 1 with a clear message when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--workers', JS_ONLY], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(stderr).toContain(`127.0.0.1:${port}: the address is already in use`);
    } finally {
      taken.close();
    }
  });

  it.each([
    [['--port', '99999'], '--port'],
    [['--workers', 'quickjs=two'], '--workers'],
    [['--workers', 'ruby=1'], 'lanes: quickjs, cpython, wasi, native'],
    [['--grace-ms', '-5'], '--grace-ms'],
  ])('refuses %j with exit 2, naming %s', async (flags, named) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain(named);
  });
});
