/** Peer: node:vm with a new context per execution (not a security boundary, but what many reach for). */
import vm from 'node:vm';
import { evalHarness, checkHelloValue, HELLO_INPUTS } from '../workloads.js';

export function vmEvalFresh(code: string, timeoutMs?: number): unknown {
  const context = vm.createContext({});
  return vm.runInContext(code, context, timeoutMs === undefined ? {} : { timeout: timeoutMs });
}

export function vmHello(code: string): void {
  checkHelloValue('node:vm', JSON.parse(String(vmEvalFresh(evalHarness(code, HELLO_INPUTS)))));
}
