/**
 * Peer: isolated-vm (V8 isolates in the same process). One isolate, kept as an embedder keeps it, and a
 * new context per execution, as the issue that asked for this peer describes: contexts in one isolate
 * have separate globals but share its heap and its memory limit, so isolation is weaker than a fresh
 * isolate (which costs several milliseconds more).
 */
import ivm from 'isolated-vm';
import { checkHelloValue, evalHarness, HELLO_INPUTS } from '../workloads.js';

let shared: ivm.Isolate | undefined;

function isolate(): ivm.Isolate {
  if (shared === undefined || shared.isDisposed) shared = new ivm.Isolate({ memoryLimit: 128 });
  return shared;
}

/** Evaluates `code` in a new context and returns the string value of its last expression. */
export function isolatedVmEvalFresh(code: string, timeoutMs?: number): string {
  const context = isolate().createContextSync();
  try {
    return String(context.evalSync(code, timeoutMs === undefined ? {} : { timeout: timeoutMs }));
  } finally {
    context.release();
  }
}

export function isolatedVmHello(code: string): void {
  checkHelloValue('isolated-vm', JSON.parse(isolatedVmEvalFresh(evalHarness(code, HELLO_INPUTS))));
}
