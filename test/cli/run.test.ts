// `isola run` end to end: the built binary in a child process, on temp files. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecuteResponseSchema } from '../../src/contract/response.js';
import { copy } from '../lanes/wasi/programs.js';
import { wat } from '../lanes/wasi/wat.js';

const BIN = fileURLToPath(new URL('../../bin/isola.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (or, with `script`, another .mjs file) and collect its exit code and output. */
function isola(
  args: string[],
  options: { cwd?: string; input?: string; script?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const argv = options.script ? [options.script, ...args] : [BIN, ...args];
    const env = { ...process.env, ...options.env };
    const child = execFile(process.execPath, argv, { cwd: options.cwd, env, timeout: options.timeoutMs ?? 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

let dir: string;
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isola-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('isola run', () => {
  it('runs a JS file in function mode with inline --inputs and exits 0', async () => {
    const path = file('add.js', 'async function main({ text, count }) { return { text: text.repeat(count), count }; }');
    const run = await isola(['run', path, '--inputs', '{"text":"ab","count":3}']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const response = ExecuteResponseSchema.parse(JSON.parse(run.stdout));
    expect(response).toMatchObject({ status: 'completed', return_code: 0, output: { text: 'ababab', count: 3 } });
    expect(response.environment.lane).toBe('quickjs');
  });

  it('reads --inputs @file and infers TypeScript from .ts', async () => {
    const inputs = file('inputs.json', JSON.stringify({ n: 21 }));
    const path = file('double.ts', 'interface In { n: number }\nfunction main({ n }: In): number { return n * 2; }');
    const run = await isola(['run', path, '--inputs', `@${inputs}`]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).output).toBe(42);
  });

  it('runs a .wasm file as a WASI module, sent as base64', async () => {
    const path = file('copy.wasm', await wat(copy('inputs.json', 'output.json')));
    const run = await isola(['run', path, '--inputs', '{"n":3}']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', output: { n: 3 }, environment: { lane: 'wasi' } });
  });

  it('reads the code from stdin with -', async () => {
    const run = await isola(['run', '-', '--lang', 'javascript', '--entrypoint', 'script'], { input: 'console.log(JSON.stringify({ via: "stdin" }))' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ output: { via: 'stdin' } });
  });

  it("exits with the code's own return code when it fails", async () => {
    const threw = await isola(['run', file('throw.js', 'function main() { throw new Error("boom"); }')]);
    const response = JSON.parse(threw.stdout);
    expect(response).toMatchObject({ status: 'completed', error: { type: 'exception' } });
    expect(threw.code).toBe(response.return_code);
    expect(threw.code).not.toBe(0);

    const exited = await isola(['run', file('exit.js', 'console.log("bye"); process.exit(3);')]);
    expect(exited.code).toBe(3);
    expect(JSON.parse(exited.stdout)).toMatchObject({ status: 'completed', return_code: 3 });
  });

  it('infers Python from .py and mirrors sys.exit', async () => {
    const code = 'import json, sys\nprint(json.dumps({"seen": json.load(open("inputs.json"))["n"]}))\nsys.exit(4)\n';
    // The first Python run after a build boots Pyodide and writes its snapshot: seconds, more on a busy machine.
    const run = await isola(['run', file('exit4.py', code), '--inputs', '{"n":7}'], { timeoutMs: 110_000 });
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', return_code: 4, stdout_json: { seen: 7 }, environment: { lane: 'cpython' } });
  }, 120_000);

  it('passes --allow to the egress allow-list', async () => {
    const server = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const path = file('ping.js', `async function main() { const r = await fetch("http://${host}/"); return await r.text(); }`);
      // The operator opens loopback for this test; a request alone can never reach private addresses.
      const env = { ISOLA_EGRESS_ALLOW_PRIVATE: '1' };
      const allowed = await isola(['run', path, '--allow', host], { env });
      expect(allowed.code).toBe(0);
      expect(JSON.parse(allowed.stdout).output).toBe('pong');
      const denied = await isola(['run', path], { env });
      expect(denied.code).not.toBe(0);
      expect(JSON.parse(denied.stdout)).toMatchObject({ status: 'completed', error: { type: 'exception' } });
    } finally {
      server.close();
    }
  });

  it('exits 124 on a timeout', async () => {
    const run = await isola(['run', file('spin.js', 'while (true) {}'), '--timeout', '200']);
    expect(run.code).toBe(124);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'error', return_code: null, error: { type: 'timeout' } });
  });

  it('exits 137 on the memory limit', async () => {
    // One 64 MB allocation: creeping up to the cap instead makes QuickJS's GC thrash for seconds.
    const code = 'const big = new Array(4e6).fill(1); console.log(big.length);';
    const run = await isola(['run', file('hog.js', code), '--memory', '16', '--timeout', '20000']);
    expect(run.code).toBe(137);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'error', error: { type: 'memory_limit' } });
  }, 20_000);

  it.each([
    [['--bogus'], '--bogus'],
    [['--timeout', 'soon'], '--timeout'],
    [['--timeout', '0'], '--timeout'],
    [['--memory', '99999'], '--memory'],
    [['--lang', 'cobol'], '--lang'],
    [['--inputs', '{not json'], '--inputs'],
    [['--inputs', '[1,2]'], '--inputs'],
    [['--entrypoint', 'sideways'], '--entrypoint'],
    [['--runtime', 'jvm'], '--runtime'],
    [['--package', ''], '--package (packages.0)'],
    [['--allow', 'example.com', '--allow', 'not a host'], '--allow (network.allow.1)'],
  ])('exits 2 on bad flags %j, naming %s on stderr', async (flags, named) => {
    const run = await isola(['run', file('ok.js', 'function main() { return 1; }'), ...flags]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(named);
  });

  it('exits 2 on a missing file, an unknown extension and a missing --inputs file', async () => {
    const missing = await isola(['run', join(dir, 'nope.js')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const unknown = await isola(['run', file('script.php', '<?php echo 1;')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--lang');
    const inputs = await isola(['run', file('ok2.js', 'function main() { return 1; }'), '--inputs', `@${join(dir, 'missing.json')}`]);
    expect(inputs.code).toBe(2);
    expect(inputs.stderr).toContain('missing.json');
  });

  it('prints help with exit 0 and rejects unknown commands with exit 2', async () => {
    const help = await isola(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    const top = await isola(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('isola serve');
    const unknown = await isola(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('does not load the HTTP stack for run', async () => {
    const path = file('lean.js', 'function main() { return "lean"; }');
    // Run the CLI in-process, then list the CommonJS modules it pulled in (fastify, pino, prom-client are CJS).
    // A file, not `node -e`: worker threads inherit execArgv, and --input-type breaks them.
    const script = file(
      'lean-probe.mjs',
      `import { createRequire } from 'node:module';
      const { main } = await import(${JSON.stringify(pathToFileURL(MAIN).href)});
      const code = await main(['run', ${JSON.stringify(path)}]);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      process.stderr.write(JSON.stringify(loaded.filter((p) => /node_modules\\/(fastify|pino|prom-client|@fastify)\\//.test(p))));
      process.exit(code);`,
    );
    const run = await isola([], { script });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).output).toBe('lean');
    expect(JSON.parse(run.stderr)).toEqual([]);
  });
});
