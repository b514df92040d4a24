/**
 * Per-job cost of the Pyodide lane: hello world in function mode, run + recycle, on one driver, after a
 * warm-up. Also the same code in script mode and a different code per job (the image switch). Prints
 * medians and p95.
 *
 *   npm run build && node dist/bench/pyodide-hello.js [jobs]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverHost, GuestJob } from '../src/lanes/lane.js';
import { createDriver } from '../src/lanes/pyodide/worker-entry.js';

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'runtimes', 'pyodide'))) root = dirname(root);
const store = join(tmpdir(), 'isola-bench-pyodide-store');
mkdirSync(store, { recursive: true });

const host: DriverHost = {
  runtimeFile: (path) => readFileSync(join(root, 'runtimes', path), 'utf8'),
  fetch: async () => ({ ok: false, kind: 'denied', message: 'none' }),
  interrupt: new Int32Array(new SharedArrayBuffer(4)),
  snapshots: {
    get: async (key) => readFile(join(store, `${key}.snap`)).then((b) => new Uint8Array(b), () => undefined),
    async put(key, bytes) {
      await writeFile(join(store, `${key}.tmp`), bytes);
      await rename(join(store, `${key}.tmp`), join(store, `${key}.snap`));
    },
  },
  log: () => {},
};

const job = (code: string, inputs: unknown): GuestJob => ({
  id: 'bench', code, filename: 'main.py', mode: 'auto', inputsJson: JSON.stringify(inputs),
  deadline: Date.now() + 10_000, timeoutMs: 10_000, memoryBytes: 256 << 20,
  limits: { stdoutBytes: 1 << 20, stderrBytes: 1 << 20, outputBytes: 10 << 20 }, allowHosts: [],
});
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

const driver = await createDriver(host, { options: {} });
const jobs = Number(process.argv[2] ?? 200);
const scenarios: [string, (i: number) => GuestJob][] = [
  ['function mode, same code', (i) => job('def main(name):\n    return {"hello": name}', { name: `n${i}` })],
  ['script mode, same code', (i) => job('import json, sys\nprint(json.dumps({"hello": json.load(sys.stdin)["name"]}))', { name: `n${i}` })],
  ['function mode, new code each job', (i) => job(`def main(name):\n    return {"hello": name, "i": ${i}}`, { name: 'x' })],
];
for (const [name, make] of scenarios) {
  const run: number[] = [];
  const recycle: number[] = [];
  for (let i = 0; i < jobs + 20; i++) {
    const t0 = performance.now();
    const result = await driver.run(make(i));
    const t1 = performance.now();
    await driver.recycle?.();
    const t2 = performance.now();
    if (result.exitCode !== 0) throw new Error(`job failed: ${JSON.stringify(result)}`);
    if (i >= 20) {
      run.push(t1 - t0);
      recycle.push(t2 - t1);
    }
  }
  const total = run.map((r, i) => r + recycle[i]!);
  console.log(
    `${name.padEnd(34)} run p50 ${quantile(run, 0.5).toFixed(2)} ms  recycle p50 ${quantile(recycle, 0.5).toFixed(2)} ms  run+recycle p50 ${quantile(total, 0.5).toFixed(2)} ms  p95 ${quantile(total, 0.95).toFixed(2)} ms  (${(1000 / quantile(total, 0.5)).toFixed(0)} jobs/s per worker)`,
  );
}
await driver.dispose();
