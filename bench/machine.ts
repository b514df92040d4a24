/** What the numbers were measured on, recorded with every result. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './process.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  python: string | null;
  pyodide: string | null;
  quickjs: string | null;
  commit: string | null;
}

function tryRun(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(join(repoRoot(), 'package.json'));
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: tryRun('python3', ['-c', 'import platform; print(platform.python_version())']),
    pyodide: packageVersion('pyodide'),
    quickjs: packageVersion('quickjs-emscripten'),
    commit: tryRun('git', ['-C', repoRoot(), 'rev-parse', '--short', 'HEAD']),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}, Python ${m.python ?? '?'}, pyodide ${m.pyodide ?? '?'}, quickjs-emscripten ${m.quickjs ?? '?'}, commit ${m.commit ?? '?'}`;
}
