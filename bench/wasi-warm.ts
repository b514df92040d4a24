/**
 * The wasi lane's warm numbers, on their own (the main harness's languages are Python and JavaScript):
 * `engine.execute` of a tiny WASI module, of a WASI 0.2 component (test/lanes/wasi/components/copy.wasm:
 * inputs.json to output.json) and of a Ruby hello in function mode, one at a time in a process that is
 * already up, after one run that pays the compile (the component's transpile, Ruby's boot). Prints medians and p90s of
 * the whole call and of the lane's run_ms. Run: `npm run build && node dist/bench/wasi-warm.js [reps]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/engine/package-root.js';
import { createEngine } from '../src/index.js';

/** A command that prints {"hello":"world"} (wat2wasm of a 10-line module; see test/lanes/wasi/programs.ts). */
const HELLO_WASM =
  'AGFzbQEAAAABDAJgBH9/f38Bf2AAAAIjARZ3YXNpX3NuYXBzaG90X3ByZXZpZXcxCGZkX3dyaXRlAAADAgEBBQMBAAEHEwIGbWVtb3J5AgAGX3N0YXJ0AAEKHgEcAEEAQcAANgIAQQRBEjYCAEEBQQBBAUEIEAAaCwsZAQBBwAALEnsiaGVsbG8iOiJ3b3JsZCJ9Cg==';
const HELLO_RUBY = 'def main(name:)\n  { "hello" => name }\nend';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 50);
  await using engine = await createEngine({ workers: { quickjs: 0, cpython: 0, wasi: 1, native: 0 } });
  const component = readFileSync(join(packageRoot(), 'test/lanes/wasi/components/copy.wasm')).toString('base64');
  for (const [name, language, code] of [['wasm', 'wasm', HELLO_WASM], ['wasm component', 'wasm', component], ['ruby', 'ruby', HELLO_RUBY]] as const) {
    const first = performance.now();
    const response = await engine.execute({ language, code, inputs: { name: 'world' }, timeout_ms: 60_000 });
    const expected = name === 'wasm component' ? '{"name":"world"}' : '{"hello":"world"}';
    if (JSON.stringify(response.output) !== expected) throw new Error(`${name}: unexpected ${JSON.stringify(response)}`);
    const firstMs = performance.now() - first;
    const total: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < reps; i++) {
      const started = performance.now();
      const warm = await engine.execute({ language, code, inputs: { name: 'world' } });
      total.push(performance.now() - started);
      run.push(warm.timings.run_ms);
    }
    total.sort((a, b) => a - b);
    run.sort((a, b) => a - b);
    const ms = (value: number) => value.toFixed(2);
    console.log(`${name}: first ${ms(firstMs)} ms; warm execute median ${ms(quantile(total, 0.5))} ms, p90 ${ms(quantile(total, 0.9))} ms; run_ms median ${ms(quantile(run, 0.5))} (n=${reps})`);
  }
}

await main();
