/**
 * Child process for the stock-Pyodide peer, so each measurement starts from a clean Node process.
 * Usage: pyodide-peer <cold | make-snapshot FILE | restore FILE N | memory FILE K>
 * Prints one JSON line: { samples: number[] } (ms, or MB for memory).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { finish } from './report.js';
import { HELLO, HELLO_INPUTS, checkHelloValue, pyEvalHarness } from '../workloads.js';

function hello(py: PyodideAPI): void {
  checkHelloValue('pyodide', JSON.parse(String(py.runPython(pyEvalHarness(HELLO.python, HELLO_INPUTS)))));
}

function rssMb(): number {
  globalThis.gc?.();
  return process.memoryUsage().rss / (1024 * 1024);
}

async function main(argv: string[]): Promise<number[]> {
  const [mode, file, count] = argv;
  switch (mode) {
    case 'cold': {
      const started = performance.now();
      hello(await loadPyodide());
      return [performance.now() - started];
    }
    case 'make-snapshot': {
      const started = performance.now();
      const py = await loadPyodide({ _makeSnapshot: true });
      // The same modules the hello harness imports, so restore pays no import.
      py.runPython('import json');
      writeFileSync(String(file), py.makeMemorySnapshot());
      return [performance.now() - started];
    }
    case 'restore': {
      const snapshot = readFileSync(String(file));
      const samples: number[] = [];
      for (let i = 0; i < Number(count ?? 1); i++) {
        const started = performance.now();
        hello(await loadPyodide({ _loadSnapshot: snapshot }));
        samples.push(performance.now() - started);
      }
      return samples;
    }
    case 'memory': {
      const snapshot = readFileSync(String(file));
      const keep: PyodideAPI[] = [await loadPyodide({ _loadSnapshot: snapshot })];
      hello(keep[0] as PyodideAPI);
      // The first instance also pays for shared code; per-instance cost is what each further one adds.
      const before = rssMb();
      const k = Number(count ?? 2);
      for (let i = 0; i < k; i++) keep.push(await loadPyodide({ _loadSnapshot: snapshot }));
      const after = rssMb();
      return [(after - before) / k, after];
    }
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

finish(main(process.argv.slice(2)).then((samples) => ({ samples })));
