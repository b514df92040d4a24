/**
 * JavaScript in the native lane: Node inside the same bubblewrap sandbox, with the QuickJS lane's entry
 * conventions (inputs.json, stdin, output.json, main(inputs) from a global, an export or module.exports).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../../src/lanes/lane.js';
import { createDriver } from '../../../src/lanes/native/worker-entry.js';
import { lines, nodeJob, testHost } from './native-fixture.js';

let driver: LaneDriver;

beforeAll(async () => {
  driver = await createDriver(testHost(), { options: {} });
});
afterAll(async () => {
  await driver.dispose();
});

describe('native lane: Node', () => {
  it('probes Node inside the sandbox', () => {
    expect(driver.describe()['runtimes']).toMatchObject({ node: { available: true, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) } });
  });

  it('calls a global async main(inputs) and returns its value', async () => {
    const code = lines('async function main({ a }) {', '  await new Promise((done) => setTimeout(done, 5));', '  return { doubled: a * 2 };', '}');
    const result = await driver.run(nodeJob(code, { inputs: { a: 21 } }));
    expect(result).toMatchObject({ exitCode: 0, mode: 'main', returnJson: '{"doubled":42}' });
  });

  it('finds main in an ES module export and in module.exports', async () => {
    const esm = await driver.run(nodeJob(lines('import os from "node:os";', 'export const main = (inputs) => ({ ...inputs, esm: typeof os.cpus });'), { inputs: { x: 1 } }));
    expect(JSON.parse(esm.returnJson ?? 'null')).toEqual({ x: 1, esm: 'function' });
    const cjs = await driver.run(nodeJob(lines('module.exports = { main: (inputs) => inputs.n + 1 };'), { inputs: { n: 1 } }));
    expect(cjs.returnJson).toBe('2');
  });

  it('runs a script that reads inputs.json and writes output.json, and one that reads stdin', async () => {
    const files = lines(
      'const fs = require("fs");',
      'const data = JSON.parse(fs.readFileSync("inputs.json", "utf8"));',
      'fs.writeFileSync("output.json", JSON.stringify({ total: data.xs.reduce((a, b) => a + b, 0) }));',
    );
    const written = await driver.run(nodeJob(files, { inputs: { xs: [1, 2, 3] } }));
    expect(JSON.parse(written.outputFileText ?? 'null')).toEqual({ total: 6 });
    const stdin = lines('let text = "";', 'process.stdin.on("data", (c) => (text += c));', 'process.stdin.on("end", () => console.log(JSON.stringify(JSON.parse(text))));');
    const echoed = await driver.run(nodeJob(stdin, { inputs: { via: 'stdin' } }));
    expect(JSON.parse(echoed.stdout)).toEqual({ via: 'stdin' });
  });

  it('reports exceptions with user frames, exit codes, and unserializable output', async () => {
    const thrown = await driver.run(nodeJob(lines('function helper() { throw new TypeError("bad thing"); }', 'function main() { return helper(); }')));
    expect(thrown.failure).toMatchObject({ type: 'exception', message: 'TypeError: bad thing' });
    expect(thrown.failure?.traceback).toContain('at helper (main.js:1:');
    expect(thrown.failure?.traceback).not.toContain('runner.mjs');
    const exited = await driver.run(nodeJob(lines('console.log("bye");', 'process.exit(3);')));
    expect(exited).toMatchObject({ exitCode: 3, stdout: 'bye\n' });
    const bigint = await driver.run(nodeJob(lines('function main() { return { big: 10n }; }')));
    expect(bigint.failure).toMatchObject({ type: 'invalid_output', message: "output.big: BigInt value can't be serialized in JSON" });
  });

  it('ends a heap bomb as memory_limit and a busy loop as timeout', async () => {
    const heap = await driver.run(nodeJob(lines('const keep = [];', 'while (true) keep.push(new Array(1e6).fill(1));'), { memoryBytes: 64 * 1024 * 1024 }));
    expect(heap.failure?.type).toBe('memory_limit');
    const loop = await driver.run(nodeJob(lines('while (true) {}'), { timeoutMs: 700 }));
    expect(loop.failure?.type).toBe('timeout');
  });

  it('has no network and none of the service environment', async () => {
    process.env['ISOLA_NATIVE_NODE_SECRET'] = 'node-secret-value';
    try {
      const code = lines(
        'const net = require("net");',
        'const socket = net.connect(80, "1.1.1.1");',
        'socket.on("error", (error) => console.log(JSON.stringify({ error: error.code, env: Object.keys(process.env).sort() })));',
      );
      const result = await driver.run(nodeJob(code));
      const seen = JSON.parse(result.stdout) as { error: string; env: string[] };
      expect(seen.error).toMatch(/ENETUNREACH|EAI_AGAIN|ECONNREFUSED/);
      expect(seen.env).not.toContain('ISOLA_NATIVE_NODE_SECRET');
      expect(result.stdout).not.toContain('node-secret-value');
    } finally {
      delete process.env['ISOLA_NATIVE_NODE_SECRET'];
    }
  });
});

describe('native lane: Node environments', () => {
  let envDir = '';
  beforeAll(() => {
    envDir = mkdtempSync(join(tmpdir(), 'isola-node-env-test-'));
    chmodSync(envDir, 0o755); // the sandbox's unprivileged host uid reads it through a bind
    const pkg = join(envDir, 'node_modules', 'isola-shout');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'isola-shout', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), 'module.exports = (text) => text.toUpperCase() + "!";\n');
  });
  afterAll(() => {
    if (envDir) rmSync(envDir, { recursive: true, force: true });
  });

  it('resolves packages of the environment from require and import', async () => {
    const environment = { hash: 'node-env-test', spec: { nodeModules: join(envDir, 'node_modules') } };
    const required = await driver.run(nodeJob(lines('const shout = require("isola-shout");', 'function main({ text }) { return shout(text); }'), { inputs: { text: 'hi' }, environment }));
    expect(required.returnJson).toBe('"HI!"');
    const imported = await driver.run(nodeJob(lines('import shout from "isola-shout";', 'export function main({ text }) { return shout(text); }'), { inputs: { text: 'yo' }, environment }));
    expect(imported.returnJson).toBe('"YO!"');
  });

  it('runs a prebuild once and starts each job with its files', async () => {
    const environment = { hash: `node-prebuild-${Date.now()}`, spec: { prebuild: 'require("fs").writeFileSync("seed.txt", String(Math.random()));' } };
    const reader = 'function main() { return require("fs").readFileSync("seed.txt", "utf8"); }';
    const first = await driver.run(nodeJob(reader, { environment }));
    const second = await driver.run(nodeJob(reader, { environment }));
    expect(first.failure).toBeUndefined();
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.returnJson).toBe(first.returnJson);
  });
});
