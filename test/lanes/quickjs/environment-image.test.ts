/**
 * An image per npm environment: the QuickJS driver loads an environment's packages once, images the
 * heap, and starts every execution of that environment from the image (packages loaded, as a fresh
 * context that had just loaded them). The driver runs in this process on the guarded module with
 * `verifyRestores`, so every byte of memory is compared with the image after each job. What must hold:
 * each execution sees the packages as freshly loaded (no state from the last one), what packages took
 * from the job at load time (inputs.json through fs, process.argv, module.filename) is the running
 * job's, and packages that do not load quiescently (a timer, an endless loop) fall back to being loaded
 * in each execution with the same results as before.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverHost, GuestJob, LaneDriver } from '../../../src/lanes/lane.js';
import { createQuickJSDriver } from '../../../src/lanes/quickjs/driver.js';
import { guardedQuickJSModule } from '../../../src/lanes/quickjs/quickjs-wasm.js';

const runtimes = fileURLToPath(new URL('../../../runtimes/', import.meta.url));
const wasmPath = fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
const variant = releaseSync as unknown as QuickJSSyncVariant;

/** Bundles in the shape src/environments/js-bundle.ts writes: one lazy loader per package name. */
const loader = (body: string) => `(() => { let loaded; return () => loaded ??= (() => { const module = { exports: {} }; ${body}; return module.exports; })(); })()`;
const bundle = (packages: Record<string, string>) =>
  `globalThis.__isolaPackages = Object.assign(globalThis.__isolaPackages || {}, {\n${Object.entries(packages)
    .map(([name, body]) => `  ${JSON.stringify(name)}: ${loader(body)},`)
    .join('\n')}\n});\n`;

const BUNDLES: Record<string, string> = {
  'counter.js': bundle({
    counter: `let n = 0; const fs = require('fs'); const seenAtLoad = fs.readFileSync('inputs.json', 'utf8');
      module.exports = { next: () => ++n, seenAtLoad, argv1: process.argv[1], loadedAt: Date.now() };`,
  }),
  'timer.js': bundle({ ticking: `setTimeout(() => { globalThis.ticked = true }, 0); module.exports = { ok: true };` }),
  'endless.js': bundle({ endless: 'for (;;) {}' }),
};

const host: DriverHost = {
  runtimeFile: (path) => readFileSync(`${runtimes}${path}`, 'utf8'),
  fetch: async () => ({ ok: false, kind: 'network', message: 'no network here' }),
  log: () => {},
  readArtifact: async (path) => new TextEncoder().encode(BUNDLES[path] ?? ''),
};

function job(code: string, bundlePath: string, packages: string[], extra: Partial<GuestJob> = {}): GuestJob {
  return {
    id: `job-${Math.random()}`,
    code,
    filename: 'main.js',
    mode: 'main',
    inputsJson: '{"n":0}',
    deadline: Date.now() + (extra.timeoutMs ?? 5000),
    timeoutMs: 5000,
    memoryBytes: 64 * 1024 * 1024,
    limits: { stdoutBytes: 65536, stderrBytes: 65536, outputBytes: 65536 },
    allowHosts: [],
    environment: { hash: `env-${bundlePath}`, spec: { bundlePath, packages } },
    ...extra,
  };
}

let driver: LaneDriver;
const images = () => (driver.describe() as { environmentImages: number }).environmentImages;

beforeAll(async () => {
  driver = await createQuickJSDriver(host, { variant, wasm: await guardedQuickJSModule(host, wasmPath), verifyRestores: true });
}, 60_000);
afterAll(async () => {
  await driver?.dispose();
});

async function run(j: GuestJob) {
  const result = await driver.run(j);
  await driver.recycle!(); // throws if any byte differs from the image
  return result;
}

const COUNTER = `
const counter = require('counter');
function main(input) {
  counter.tampered ??= 'by ' + input.n;
  return { next: counter.next(), tampered: counter.tampered, seenAtLoad: counter.seenAtLoad, inputs: require('fs').readFileSync('inputs.json', 'utf8'),
           argv1: process.argv[1], filename: module.filename, random: Math.random() };
}`;

describe('QuickJS environment images', () => {
  it('every execution starts from the packages as just loaded, with its own job', async () => {
    const outputs = [];
    for (const n of [1, 2, 3]) {
      const result = await run(job(COUNTER, 'counter.js', ['counter'], { inputsJson: JSON.stringify({ n }), filename: `job${n}.js` }));
      expect(result.failure, result.stderr).toBeUndefined();
      outputs.push(JSON.parse(result.returnJson!));
    }
    expect(images()).toBe(1);
    outputs.forEach((output, i) => {
      const n = i + 1;
      // The module's counter and a property a job set are as loaded, not as the last job left them.
      expect(output.next).toBe(1);
      expect(output.tampered).toBe(`by ${n}`);
      // fs, process and the module system were loaded into the image before any job: they are this job's.
      expect(JSON.parse(output.inputs)).toEqual({ n });
      expect(output.argv1).toMatch(new RegExp(`/job${n}\\.js$`));
      expect(output.filename).toMatch(new RegExp(`/job${n}\\.js$`));
    });
    // What a package read at load time is the image's (documented): the same in every execution.
    expect(new Set(outputs.map((output) => output.seenAtLoad)).size).toBe(1);
    // Math.random is reseeded per execution, image or not.
    expect(new Set(outputs.map((output) => output.random)).size).toBe(3);
  });

  it('a package that schedules a timer while loading is loaded in each execution instead', async () => {
    const code = "const t = require('ticking'); async function main() { await new Promise((r) => setTimeout(r, 5)); return { ok: t.ok, ticked: globalThis.ticked === true } }";
    for (let i = 0; i < 2; i++) {
      const result = await run(job(code, 'timer.js', ['ticking']));
      expect(result.failure, result.stderr).toBeUndefined();
      expect(JSON.parse(result.returnJson!)).toEqual({ ok: true, ticked: true });
    }
    expect(images()).toBe(1); // only the counter environment's
  });

  it('a package that never finishes loading stops at the deadline, and the worker stays usable', async () => {
    const result = await run(job("require('endless'); function main() { return 1 }", 'endless.js', ['endless'], { timeoutMs: 300 }));
    expect(result.failure?.type).toBe('timeout');
    const after = await run(job(COUNTER, 'counter.js', ['counter']));
    expect(after.failure, after.stderr).toBeUndefined();
    expect(JSON.parse(after.returnJson!).next).toBe(1);
  });
});
