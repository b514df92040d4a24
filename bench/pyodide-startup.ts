/**
 * Start-up of the Pyodide lane: createDriver with no snapshot anywhere (cold: boot, preload, snapshot,
 * store) and with the disk snapshot (what every later worker and process pays). Each measurement runs in
 * a new process, so nothing is cached in memory. Prints medians.
 *
 *   npx tsx bench/pyodide-startup.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverHost, SnapshotStore } from '../src/lanes/lane.js';

// From bench/ (tsx) or dist/bench/ (built): the nearest ancestor holding runtimes/.
let runtimes = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(runtimes, 'runtimes', 'pyodide'))) runtimes = dirname(runtimes);
runtimes = join(runtimes, 'runtimes');

function dirStore(dir: string): SnapshotStore {
  return {
    get: async (key) => readFile(join(dir, `${key}.snap`)).then((b) => new Uint8Array(b), () => undefined),
    async put(key, bytes) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${key}.tmp`), bytes);
      await rename(join(dir, `${key}.tmp`), join(dir, `${key}.snap`));
    },
  };
}

async function child(storeDir: string): Promise<void> {
  const started = performance.now();
  const { createDriver } = await import('../src/lanes/pyodide/worker-entry.js');
  const host: DriverHost = {
    runtimeFile: (path) => readFileSync(join(runtimes, path), 'utf8'),
    fetch: async () => ({ ok: false, kind: 'denied', message: 'none' }),
    interrupt: new Int32Array(new SharedArrayBuffer(4)),
    snapshots: dirStore(storeDir),
    log: (level, message, data) => { if (level !== 'debug') console.error(level, message, JSON.stringify(data ?? {})); },
  };
  const driver = await createDriver(host, { options: {} });
  const createMs = performance.now() - started;
  const result = await driver.run({
    id: 'b', code: 'def main():\n    return "hi"', filename: 'main.py', mode: 'auto', inputsJson: '{}',
    deadline: Date.now() + 10_000, timeoutMs: 10_000, memoryBytes: 256 << 20,
    limits: { stdoutBytes: 1 << 20, stderrBytes: 1 << 20, outputBytes: 10 << 20 }, allowHosts: [],
  });
  const firstJobMs = performance.now() - started;
  const details = driver.describe();
  console.log(JSON.stringify({ createMs, firstJobMs, origin: (details['snapshot'] as { origin: string }).origin, ok: result.returnJson === '"hi"', rss: process.memoryUsage().rss }));
}

function measure(storeDir: string): { createMs: number; firstJobMs: number; origin: string; ok: boolean; wallMs: number; rss: number } {
  const started = performance.now();
  const out = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', storeDir], { encoding: 'utf8' });
  const wallMs = performance.now() - started;
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...JSON.parse(line), wallMs };
  } catch {
    throw new Error(`child failed: ${out.stderr}`);
  } finally {
    if (out.stderr.trim()) console.error(out.stderr.trim());
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (process.argv[2] === '--child') {
  await child(process.argv[3]!);
} else {
  const runs = Number(process.argv[2] ?? 3);
  const cold: ReturnType<typeof measure>[] = [];
  const disk: ReturnType<typeof measure>[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'isola-pyodide-bench-'));
    try {
      cold.push(measure(dir));
      disk.push(measure(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const report = (name: string, rows: ReturnType<typeof measure>[]) =>
    console.log(
      `${name.padEnd(26)} createDriver ${median(rows.map((r) => r.createMs)).toFixed(0)} ms  first job ${median(rows.map((r) => r.firstJobMs)).toFixed(0)} ms  process wall ${median(rows.map((r) => r.wallMs)).toFixed(0)} ms  rss ${(median(rows.map((r) => r.rss)) / 2 ** 20).toFixed(0)} MB  [${rows.map((r) => r.origin).join(',')}]`,
    );
  report('cold (no snapshot)', cold);
  report('disk snapshot', disk);
}
