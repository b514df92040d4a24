// One Isola node as a real `isola serve` subprocess on the shared queue: JavaScript only (Python workers
// take seconds of CPU to boot), its port read from the "isola listening" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));

export interface IsolaNode {
  child: ChildProcess;
  address: string;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** Stop it however it is still running. */
  kill(): Promise<void>;
}

/** Lease settings short enough that a killed node's jobs move on within seconds. */
export const FAST_LEASE = { ISOLA_QUEUE_LOCK_MS: '2000', ISOLA_QUEUE_STALLED_INTERVAL_MS: '1000' };

export async function startNode(queueUrl: string, env: Record<string, string> = {}, workers = 'quickjs=2,cpython=0,native=0'): Promise<IsolaNode> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--queue', queueUrl, '--workers', workers, '--grace-ms', '60000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ISOLA_LOG_LEVEL: 'info', ISOLA_JOBS_MAX_QUEUED: '100000', ...FAST_LEASE, ...env },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "isola listening" line; stderr: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry['msg'] === 'isola listening') {
        clearTimeout(timer);
        resolve(String(entry['address']));
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}; stderr: ${stderr}`)));
  });
  return {
    child,
    address,
    logs,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
