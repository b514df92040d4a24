/**
 * Host facts in guest-visible strings: no host path (/work/wt-…, node_modules, dist/, vendor/, src/),
 * no host frame names and no host stack lines in anything a guest or its caller reads back — Python
 * tracebacks (user errors, errors raised inside the lane's glue, syntax errors), JavaScript Error.stack
 * after Error.stackTraceLimit = 200 (errors thrown by host-provided functions included), and the
 * platform's own timeout, memory and output messages.
 */
import { describe, expect, it } from 'vitest';
import type { ExecuteResponse } from '../../src/index.js';
import { useCanaryLane } from './canary.js';

const HOST_FACTS = [
  /\/work\/(wt-|main\b|shared)/, /wt-attacks/, /node_modules/, /\bdist\//, /\bvendor\//, /\bsrc\/(lanes|engine)/, /\.ts\b:\d+/, /\.m?[jt]s:\d+/,
  /file:\/\//, /node:internal/, /\bat [^\n]*\((\/|node:|file:|[A-Z]:\\)/, /worker-main|worker-slot|lane-pool|driver\.ts|wasi-host|quickjs-emscripten/,
];

function expectNoHostFacts(response: ExecuteResponse, what: string): void {
  // The guest's own frames are fine: its file (main.js) and the guest runtime's (isola:fs.js), which run
  // inside QuickJS and are named without a host path.
  const visible = JSON.stringify({ stdout: response.stdout, stderr: response.stderr, error: response.error, output: response.output })
    .replace(/\b(main|isola:[\w./-]+?)\.m?js:\d+(:\d+)?/g, '<guest frame>');
  for (const pattern of HOST_FACTS) {
    const at = visible.search(pattern);
    expect(at < 0 ? null : visible.slice(Math.max(0, at - 150), at + 150), `${what}: ${pattern}`).toBeNull();
  }
}

describe('host facts in Python-visible strings', () => {
  const lane = useCanaryLane('cpython');
  const CASES: Record<string, { code: string; timeout_ms?: number; memory_mb?: number }> = {
    'an uncaught exception': { code: 'def f():\n    raise ValueError("x")\nf()' },
    'a syntax error': { code: 'def (:' },
    'an error inside the glue': { code: 'import isola_runner\nisola_runner._call_main = None\ndef main(a):\n    return a' },
    'a missing argument': { code: 'def main(required):\n    return required' },
    'every frame and file the interpreter knows': { code: 'import sys, traceback, linecache\nprint(sys.path, sys.executable, sys.prefix, sys.base_prefix, sys.orig_argv)\nprint(list(linecache.cache))\nprint([m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)])\ntraceback.print_stack()' },
    'a timeout': { code: 'while True:\n    pass', timeout_ms: 500 },
    'a memory limit': { code: 'x = bytearray(1 << 31)', memory_mb: 32 },
    'an invalid output': { code: 'def main():\n    return {1, 2}' },
    'an output over the limit': { code: 'def main():\n    return "x" * (11 << 20)' },
    'an abort': { code: 'import os\nos.abort()' },
  };
  for (const [name, request] of Object.entries(CASES)) {
    it(`${name}: no host path or frame`, async () => {
      expectNoHostFacts(await lane.run({ timeout_ms: 1500, ...request }), name);
    });
  }
});

describe('host facts in JavaScript-visible strings', () => {
  const lane = useCanaryLane('quickjs');
  const STACKS = `
    Error.stackTraceLimit = 200;
    const stacks = [];
    const grab = (fn) => { try { fn() } catch (error) { stacks.push(String(error && error.stack), String(error)) } };
    grab(() => { throw new Error('plain') });
    grab(() => require('fs').readFileSync('/nope'));
    grab(() => require('no-such-module'));
    grab(() => require('../../../../etc/passwd'));
    grab(() => JSON.parse('{'));
    grab(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([255])));
    grab(() => Buffer.from({}));
    grab(() => console.log({ toString() { throw new Error('in console') } }));
    grab(() => process.stdout.write(Symbol('x')));
    grab(() => crypto.getRandomValues(new Uint8Array(100000)));
    grab(() => { function deep(n) { return deep(n + 1) } deep(0) });
    grab(() => structuredClone(() => 1));
    grab(() => new URL('::'));
    grab(() => setTimeout('code string', 1));
    console.log(JSON.stringify(stacks));`;
  it('Error.stack of errors thrown by guest code and by host-provided functions', async () => {
    const response = await lane.run({ code: STACKS, timeout_ms: 5000 });
    expect(response.error, response.stdout.slice(0, 500)).toBeNull();
    const stacks = JSON.parse(response.stdout.trim().split('\n').pop()!) as string[];
    if (process.env['ISOLA_DEBUG_ATTACKS']) console.log(stacks);
    expect(stacks.length).toBeGreaterThan(20);
    expectNoHostFacts(response, 'stacks');
  });
  it('async rejections, fetch denials, timeouts and uncaught errors', async () => {
    for (const code of [
      'Error.stackTraceLimit = 200; await Promise.reject(new Error("async"))',
      'Error.stackTraceLimit = 200; await fetch("http://169.254.169.254/")',
      'Error.stackTraceLimit = 200; null.x',
      'Error.stackTraceLimit = 200; while (true) {}',
      'Error.stackTraceLimit = 200; const a = []; while (true) a.push(new Array(1e6).fill(1))',
      'function main() { return () => 1 }',
    ]) {
      expectNoHostFacts(await lane.run({ code, timeout_ms: 800, memory_mb: 64 }), code);
    }
  });
});
