/**
 * Native lane hello world latency: `npx tsx test/lanes/native/measure-hello.ts [runs]`.
 * Sequential driver.run() of a function-mode hello world (spawn bwrap + CPython + runner, result back),
 * after 5 warm-up runs. Prints p50/p95/min/max in ms. Not a test: a number to report (target p50 <= 60 ms).
 *
 * Wall time grows with whatever else shares the cores. For a load-independent figure, run it inside a
 * cgroup v1 cpuacct group and name it in ISOLA_CPUACCT: the script then also prints the CPU time per run
 * (this process plus every sandbox it started), e.g.
 *   mkdir /sys/fs/cgroup/cpuacct/isola-measure && echo $$ > /sys/fs/cgroup/cpuacct/isola-measure/cgroup.procs
 *   ISOLA_CPUACCT=/sys/fs/cgroup/cpuacct/isola-measure npx tsx test/lanes/native/measure-hello.ts
 */
import { readFileSync } from 'node:fs';
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { lines, pythonJob, testHost } from './native-fixture.js';

const runs = Number(process.argv[2] ?? 100);
const driver = await createDriver(testHost(), { options: {} });
try {
  const code = lines('def main(name: str) -> dict:', '    return {"hello": name}');
  const samples: number[] = [];
  let cpuBefore = 0;
  for (let i = 0; i < runs + 5; i++) {
    if (i === 5) cpuBefore = groupCpuMs();
    const started = performance.now();
    const result = await driver.run(pythonJob(code, { inputs: { name: 'world' } }));
    const elapsed = performance.now() - started;
    if (result.returnJson !== '{"hello":"world"}') throw new Error(`unexpected result: ${JSON.stringify(result)}`);
    if (i >= 5) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): string => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN).toFixed(1);
  const cpu = process.env['ISOLA_CPUACCT'] ? `; CPU ${((groupCpuMs() - cpuBefore) / runs).toFixed(1)} ms/run` : '';
  console.log(`native hello world, ${runs} sequential runs: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms, max ${at(1)} ms${cpu}`);
} finally {
  await driver.dispose();
}

/** CPU time used so far by the cgroup named in ISOLA_CPUACCT (cpuacct.usage, ns), in ms; 0 without it. */
function groupCpuMs(): number {
  const group = process.env['ISOLA_CPUACCT'];
  return group ? Number(readFileSync(`${group}/cpuacct.usage`, 'utf8').trim()) / 1e6 : 0;
}
