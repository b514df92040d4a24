/**
 * The workloads every subject runs. Peers get the same user code plus the few lines of harness a
 * platform would add around it (read inputs, call main, print JSON), so the comparison is like for like.
 */
import type { BenchLanguage } from './model.js';

export const HELLO_INPUTS = { name: 'world' };

export const HELLO: Record<BenchLanguage, string> = {
  python: 'def main(name: str = "world") -> dict:\n    return {"greeting": "hello " + name}\n',
  javascript: 'function main({ name = "world" }) {\n  return { greeting: "hello " + name };\n}\n',
};

export const EXPECTED_GREETING = 'hello world';

/** A guest that never yields: what a deadline has to stop. */
export const BUSY_LOOP: Record<BenchLanguage, string> = {
  python: 'while True:\n    pass\n',
  javascript: 'while (true) {}\n',
};

export const DEADLINE_MS = 100;

/** Python harness for subprocess peers: inputs on stdin, main(**inputs), JSON on stdout. */
export function pythonHarness(code: string): string {
  return `${code}\nimport json, sys\nprint(json.dumps(main(**json.loads(sys.stdin.read() or "{}"))))\n`;
}

/** JavaScript harness for `node -e`: inputs on stdin, main(inputs), JSON on stdout. */
export function nodeHarness(code: string): string {
  return `${code}\nlet s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.stringify(main(JSON.parse(s||'{}')))));\n`;
}

/** JavaScript harness for in-process engines (QuickJS, node:vm): the value of the last expression. */
export function evalHarness(code: string, inputs: object): string {
  return `${code}\nJSON.stringify(main(${JSON.stringify(inputs)}))`;
}

/** Throws unless `text` is the JSON the hello workload must produce. */
export function checkHello(what: string, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch (cause) {
    throw new Error(`${what} printed ${JSON.stringify(text.slice(0, 200))}, not JSON`, { cause });
  }
  checkHelloValue(what, value);
}

export function checkHelloValue(what: string, value: unknown): void {
  const greeting = (value as { greeting?: unknown } | null)?.greeting;
  if (greeting !== EXPECTED_GREETING) {
    throw new Error(`${what} returned ${JSON.stringify(value)?.slice(0, 200)}, expected greeting "${EXPECTED_GREETING}"`);
  }
}

/** Python harness for in-process interpreters (Pyodide): the value of the last expression. */
export function pyEvalHarness(code: string, inputs: object): string {
  return `${code}\nimport json as __json\n__json.dumps(main(**__json.loads(${JSON.stringify(JSON.stringify(inputs))})))\n`;
}
