/** Peer: quickjs-emscripten used directly, with a new runtime and context per execution. */
import { newQuickJSWASMModule, RELEASE_SYNC, shouldInterruptAfterDeadline, type QuickJSWASMModule } from 'quickjs-emscripten';
import { evalHarness, checkHelloValue, HELLO_INPUTS } from '../workloads.js';

let modulePromise: Promise<QuickJSWASMModule> | undefined;

/** One compiled module per process, as any embedder keeps it; only runtimes and contexts are per run. */
export function quickjsModule(): Promise<QuickJSWASMModule> {
  modulePromise ??= newQuickJSWASMModule(RELEASE_SYNC);
  return modulePromise;
}

/** Evaluates `code` in a brand-new runtime+context and returns the string value of its last expression. */
export function evalFresh(module: QuickJSWASMModule, code: string, deadlineMs?: number): string {
  const runtime = module.newRuntime();
  try {
    runtime.setMemoryLimit(256 * 1024 * 1024);
    if (deadlineMs !== undefined) runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + deadlineMs));
    const context = runtime.newContext();
    try {
      const result = context.evalCode(code);
      if (result.error) {
        const error = context.dump(result.error) as unknown;
        result.error.dispose();
        return JSON.stringify({ error });
      }
      const value = context.dump(result.value) as unknown;
      result.value.dispose();
      return String(value);
    } finally {
      context.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

export async function quickjsHello(code: string): Promise<void> {
  const text = evalFresh(await quickjsModule(), evalHarness(code, HELLO_INPUTS));
  checkHelloValue('quickjs-raw', JSON.parse(text));
}
