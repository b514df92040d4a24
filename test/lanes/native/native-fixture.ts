/**
 * What the native lane tests share: a DriverHost that serves runtimes/ from this checkout (the edge's
 * job in production) and a GuestJob builder with the contract's defaults.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriverHost, GuestJob } from '../../../src/lanes/lane.js';

const RUNTIMES = fileURLToPath(new URL('../../../runtimes/', import.meta.url));

export function testHost(logs: string[] = []): DriverHost {
  return {
    runtimeFile: (path) => readFileSync(RUNTIMES + path, 'utf8'),
    fetch: async () => ({ ok: false, kind: 'denied', message: 'the native lane has no egress bridge' }),
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
    },
  };
}

let counter = 0;

export function pythonJob(code: string, overrides: Partial<GuestJob> & { inputs?: unknown } = {}): GuestJob {
  const { inputs, ...rest } = overrides;
  const timeoutMs = rest.timeoutMs ?? 5_000;
  return {
    id: `native-test-${++counter}`,
    code,
    filename: 'main.py',
    mode: 'auto',
    inputsJson: JSON.stringify(inputs ?? {}),
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    memoryBytes: 128 * 1024 * 1024,
    limits: { stdoutBytes: 64 * 1024, stderrBytes: 64 * 1024, outputBytes: 1024 * 1024 },
    allowHosts: [],
    ...rest,
  };
}

export const lines = (...parts: string[]): string => parts.join('\n') + '\n';

export function nodeJob(code: string, overrides: Partial<GuestJob> & { inputs?: unknown } = {}): GuestJob {
  return pythonJob(code, { filename: 'main.js', ...overrides });
}
