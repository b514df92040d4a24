/**
 * `isola serve` as a real subprocess for the CLI tests: `refusal` runs it to its exit (a usage error),
 * `listening` starts it and resolves with what its "isola listening" log line says. Processes still
 * running after a test are stopped (SIGTERM) and awaited. The environment is the test's own minus the
 * variables `drop` names, plus the store and `extra`. Needs `npm run build`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const JS_ONLY = 'quickjs=1,cpython=0,native=0';

export interface ListeningServe {
  address: string;
  port: number;
  projects: boolean;
}

export function useServeProcess(store: string, drop: readonly string[]) {
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const kept = Object.fromEntries(Object.entries(process.env).filter(([name]) => !drop.includes(name)));
    return { ...kept, ISOLA_STORE_DIR: store, ISOLA_LOG_LEVEL: 'info', ...extra };
  };
  const argv = (args: string[]) => [BIN, 'serve', '--port', '0', '--workers', JS_ONLY, ...args];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  return {
    refusal(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
      return new Promise((resolve) => {
        execFile(process.execPath, argv(args), { env: env(extra), timeout: 30_000 }, (error, _stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
        });
      });
    },
    listening(args: string[], extra: Record<string, string> = {}): Promise<ListeningServe> {
      const child = spawn(process.execPath, argv(args), { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; address?: string; port?: number; projects?: boolean };
          if (entry.msg === 'isola listening') resolve({ address: entry.address!, port: entry.port!, projects: entry.projects === true });
        });
      });
    },
  };
}
