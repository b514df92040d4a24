/**
 * Peer: @pydantic/monty, an interpreter for a subset of Python written in Rust (native Node addon). Each
 * execution is a new Monty program run with its own limits; it has no file system, imports or classes
 * of real CPython, so it runs the hello workload but not the scientific or package rows.
 */
import { Monty } from '@pydantic/monty';
import { checkHelloValue, HELLO_INPUTS } from '../workloads.js';

/** Python dicts come back as JS Maps; the harness compares plain objects. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

export function montyRun(code: string, inputs: Record<string, unknown>, timeoutMs?: number): unknown {
  const program = new Monty(`${code}\nmain(**inputs)\n`, { inputs: ['inputs'] });
  const limits = timeoutMs === undefined ? {} : { maxDurationSecs: timeoutMs / 1000 };
  return plain(program.run({ inputs: { inputs }, limits }));
}

export function montyHello(code: string): void {
  checkHelloValue('monty', montyRun(code, HELLO_INPUTS));
}
