/**
 * Native lane hello world latency: `npx tsx test/lanes/native/measure-hello.ts [runs]`.
 * Sequential driver.run() of a function-mode hello world (spawn bwrap + CPython + runner, result back),
 * after 5 warm-up runs. Prints p50/p95/min/max in ms. Not a test: a number to report (target p50 <= 60 ms).
 */
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from './native-fixture.js';

const runs = Number(process.argv[2] ?? 100);
const driver = await createDriver(testHost(), { options: {} });
try {
  const code = lines('def main(name: str) -> dict:', '    return {"hello": name}');
  const samples: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const started = performance.now();
    const result = await driver.run(pythonJob(code, { inputs: { name: 'world' } }));
    const elapsed = performance.now() - started;
    if (result.returnJson !== '{"hello":"world"}') throw new Error(`unexpected result: ${JSON.stringify(result)}`);
    if (i >= 5) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): string => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN).toFixed(1);
  console.log(`native hello world, ${runs} sequential runs: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms, max ${at(1)} ms`);
} finally {
  await driver.dispose();
}
