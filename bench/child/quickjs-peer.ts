/**
 * Child process for the raw-QuickJS and node:vm peers where a clean process matters.
 * Usage: quickjs-peer <once | memory K | vm-memory K>
 * Prints one JSON line: { samples: number[] } (ms for once; [MB per instance, total RSS MB] for memory).
 */
import vm from 'node:vm';
import { quickjsHello, quickjsModule } from '../peers/quickjs-raw.js';
import { finish } from './report.js';
import { HELLO } from '../workloads.js';

function rssMb(): number {
  globalThis.gc?.();
  return process.memoryUsage().rss / (1024 * 1024);
}

async function main(argv: string[]): Promise<number[]> {
  const [mode, count] = argv;
  const k = Number(count ?? 100);
  switch (mode) {
    case 'once': {
      const started = performance.now();
      await quickjsHello(HELLO.javascript);
      return [performance.now() - started];
    }
    case 'memory': {
      const module = await quickjsModule();
      await quickjsHello(HELLO.javascript);
      const before = rssMb();
      // Idle instances held open, each a runtime+context with the hello code loaded.
      const held = [];
      for (let i = 0; i < k; i++) {
        const runtime = module.newRuntime();
        const context = runtime.newContext();
        context.unwrapResult(context.evalCode(HELLO.javascript)).dispose();
        held.push({ runtime, context });
      }
      const after = rssMb();
      for (const { runtime, context } of held) {
        context.dispose();
        runtime.dispose();
      }
      return [(after - before) / k, after];
    }
    case 'vm-memory': {
      const before = rssMb();
      const held: vm.Context[] = [];
      for (let i = 0; i < k; i++) {
        const context = vm.createContext({});
        vm.runInContext(HELLO.javascript, context);
        held.push(context);
      }
      const after = rssMb();
      return [(after - before) / held.length, after];
    }
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

finish(main(process.argv.slice(2)).then((samples) => ({ samples })));
