/**
 * The QuickJS heap image, byte for byte: the lane driver runs in this process on the guarded module
 * with `verifyRestores`, so after every job the whole linear memory is compared with the image and a
 * single differing byte fails the recycle. The jobs exercise every way memory is written: Wasm stores,
 * strings and arguments quickjs-emscripten copies in, ccall string arguments (a long file name), imports
 * that fill C structs (Date's local time, time zones), host functions, growth past the image, the cap,
 * deadlines, stack overflow, timers, fetch left in flight.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverHost, GuestJob, LaneDriver } from '../../../src/lanes/lane.js';
import { createQuickJSDriver } from '../../../src/lanes/quickjs/driver.js';
import { STRING_ARGUMENT_EXPORTS } from '../../../src/lanes/quickjs/js-write-marks.js';
import { guardedQuickJSModule } from '../../../src/lanes/quickjs/quickjs-wasm.js';

const runtimes = fileURLToPath(new URL('../../../runtimes/', import.meta.url));
const wasmPath = fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
const variant = releaseSync as unknown as QuickJSSyncVariant;

const host: DriverHost = {
  runtimeFile: (path) => readFileSync(`${runtimes}${path}`, 'utf8'),
  fetch: () => new Promise(() => {}), // never answers: the job's promise is left in flight
  log: () => {},
};

function job(code: string, extra: Partial<GuestJob> = {}): GuestJob {
  return {
    id: `job-${Math.random()}`,
    code,
    filename: 'main.js',
    mode: 'script',
    inputsJson: '{"name":"x"}',
    deadline: Date.now() + (extra.timeoutMs ?? 2000),
    timeoutMs: 2000,
    memoryBytes: 32 * 1024 * 1024,
    limits: { stdoutBytes: 65536, stderrBytes: 65536, outputBytes: 65536 },
    allowHosts: ['example.com'],
    ...extra,
  };
}

let driver: LaneDriver;
const details = () => driver.describe() as { jobs: number; modulesReplaced: number; lastRestoreBytes: number; heapBytes: number };

beforeAll(async () => {
  driver = await createQuickJSDriver(host, { variant, wasm: await guardedQuickJSModule(host, wasmPath), verifyRestores: true, stackSizeBytes: 160 * 1024 });
}, 60_000);
afterAll(async () => {
  await driver?.dispose();
});

async function runAndReset(j: GuestJob) {
  const result = await driver.run(j);
  await driver.recycle!(); // throws if any byte differs from the image
  return result;
}

const CASES: Record<string, [string, Partial<GuestJob>?]> = {
  'hello world': ['console.log("hello " + JSON.parse(require("fs").readFileSync("inputs.json", "utf8")).name)'],
  'local time and time zones (imports filling struct tm)': ['console.log(new Date().toString(), new Date(0).getTimezoneOffset(), new Date(2020, 5, 1).getHours())'],
  'a long file name (a ccall string argument on the stack)': ['throw new Error("where")', { filename: `${'d/'.repeat(100_000)}main.js` }],
  'long strings in and out': ['console.log("y".repeat(60000)); globalThis.big = "z".repeat(1 << 20)', { inputsJson: JSON.stringify({ s: 'q'.repeat(200000) }) }],
  'growth past the image (memory grows and stays)': ['const parts = []; for (let i = 0; i < 40; i++) parts.push(new Uint8Array(512 * 1024).fill(i)); console.log(parts.length)'],
  'the memory cap mid-allocation': ['const keep = []; for (;;) keep.push("x".repeat(1 << 20) + keep.length)', { memoryBytes: 24 * 1024 * 1024 }],
  'a deadline mid-allocation': ['const keep = []; for (;;) { keep.push(new Array(1000).fill({ a: 1 })); if (keep.length > 5000) keep.length = 0 }', { timeoutMs: 150 }],
  'stack overflow': ['function f(n) { return f(n + 1) + 1 } f(0)'],
  'timers, promises and a fetch left in flight': ['setInterval(() => {}, 1); setTimeout(() => console.log("never"), 100000); new Promise(() => {}); fetch("https://example.com/"); Promise.resolve().then(() => console.log("micro"))', { timeoutMs: 200 }],
  'libraries loaded (buffer, crypto, url, intl, inspect)': ['console.log(Buffer.from("hi").toString("base64"), crypto.randomUUID().length, new URL("https://a.b/c?d=1").searchParams.get("d"), (1234.5).toLocaleString(), { a: [1, { b: 2 }] })'],
  'an ES module with top-level await': ['import fs from "fs"; await null; console.log(typeof fs.readFileSync)', { sourceType: 'module' }],
  'process.exit mid-run': ['console.log("bye"); process.exit(3); console.log("never")'],
  'function mode': ['function main({ name }) { return { greeting: "hello " + name, r: Math.random() } }', { mode: 'main' }],
  'prototype and global poisoning': ['Object.prototype.x = 1; Array.prototype.map = null; globalThis.JSON = 0; delete globalThis.Math'],
};

describe('QuickJS heap image: every byte is put back', () => {
  for (const [name, [code, extra]] of Object.entries(CASES)) {
    it(name, async () => {
      const result = await driver.run(job(code, extra));
      expect(result.exitCode === 0 || result.failure !== undefined || result.exitCode === 3).toBe(true);
      const replaced = details().modulesReplaced;
      await driver.recycle!(); // throws if any byte differs from the image
      // ...and it was a restore, not a new module.
      expect(details().modulesReplaced).toBe(replaced);
      const clean = await runAndReset(job('console.log(typeof big, Object.prototype.x, typeof Math, typeof JSON.stringify)'));
      expect(clean.stdout).toBe('undefined undefined object function\n');
    });
  }

  it('gives every job its own Math.random sequence', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) seen.add((await runAndReset(job('function main() { return [Math.random(), Math.random()] }', { mode: 'main' }))).returnJson!);
    expect(seen.size).toBe(5);
  });

  it('a small job writes back a small part of the image', async () => {
    await runAndReset(job('function main() { return 1 }', { mode: 'main' }));
    expect(details().lastRestoreBytes).toBeGreaterThan(0);
    expect(details().lastRestoreBytes).toBeLessThan(details().heapBytes / 16);
  });

  it('knows every export that takes a C string (their stack copies are marked from JavaScript)', () => {
    const ffi = readFileSync(fileURLToPath(new URL('../../../node_modules/@jitl/quickjs-wasmfile-release-sync/dist/ffi.mjs', import.meta.url)), 'utf8');
    const taking = [...ffi.matchAll(/cwrap\("(\w+)",[^\]]*\[([^\]]*)\]/g)].filter((match) => match[2]!.includes('"string"')).map((match) => match[1]);
    expect(taking.sort()).toEqual(Object.keys(STRING_ARGUMENT_EXPORTS).sort());
    expect(ffi).not.toMatch(/"array"/);
  });
});
