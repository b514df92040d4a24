/**
 * Shell prebuilds (prebuild_language "bash", or a #!/bin/bash first line) through the engine: real
 * bubblewrap, real bash, real pip. pip reaches a package index on 127.0.0.1 (the operator's
 * ISOLA_PIP_INDEX_URL) only through the egress proxy and the request's allow-list; private addresses are
 * opened for the test. Each test's script carries a fresh nonce, so every run builds its environments anew.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel } from '../environments/helpers.js';
import { useEngine } from './helpers.js';

const storeDir = mkdtempSync(join(tmpdir(), 'isola-shell-prebuild-'));
chmodSync(storeDir, 0o755); // the sandbox uid binds the prebuilt files from there
let index: Server;
let indexHost = '';
let modelDownloads = 0;
const savedIndexUrl = process.env['ISOLA_PIP_INDEX_URL'];
beforeAll(async () => {
  const wheel = makeWheel(storeDir, 'isola_shell_demo', '1.0', 'py3-none-any', 'VALUE = "from the local index"\n');
  const bytes = readFileSync(join(storeDir, wheel));
  index = createServer((req, res) => {
    if (req.url === '/simple/isola-shell-demo/') res.writeHead(200, { 'content-type': 'text/html' }).end(`<a href="/files/${wheel}">${wheel}</a>`);
    else if (req.url === `/files/${wheel}`) res.end(bytes);
    else if (req.url === '/model') {
      modelDownloads++;
      res.end(`downloaded ${randomBytes(8).toString('hex')}`);
    }
    else res.writeHead(404).end();
  });
  await new Promise<void>((ready) => index.listen(0, '127.0.0.1', ready));
  const address = index.address();
  indexHost = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // Read by the environment manager when the engine first needs it; it hands the index to the lane.
  process.env['ISOLA_PIP_INDEX_URL'] = `http://${indexHost}/simple/`;
});
afterAll(async () => {
  if (savedIndexUrl === undefined) delete process.env['ISOLA_PIP_INDEX_URL'];
  else process.env['ISOLA_PIP_INDEX_URL'] = savedIndexUrl;
  await new Promise<void>((closed) => index.close(() => closed()));
  rmSync(storeDir, { recursive: true, force: true });
});
const { run } = useEngine({ storeDir, egress: { allowPrivate: true }, workers: { quickjs: 1, native: 1 } });

const script = (...lines: string[]): string => [...lines, `# nonce ${randomBytes(8).toString('hex')}`, ''].join('\n');

const modelPrebuild = script(
  '#!/bin/bash',
  'set -e',
  'mkdir -p model',
  'python3 << EOF',
  'import secrets',
  'open("model/weights.txt", "w").write("weights " + secrets.token_hex(8))',
  'EOF',
  'echo "model saved"',
);
const readModel = 'def main():\n    return {"weights": open("model/weights.txt").read()}';

describe('shell prebuild', () => {
  it('runs a bash script once per environment; what it leaves in ./model is there for every later run', async () => {
    const request = { language: 'python' as const, code: readModel, prebuild: modelPrebuild, prebuild_language: 'bash' as const, timeout_ms: 30_000 };
    const first = await run(request);
    expect(first.error, first.stderr).toBeNull();
    expect(first.output).toEqual({ weights: expect.stringMatching(/^weights [0-9a-f]{16}$/) });
    expect(first.environment).toMatchObject({ lane: 'native', reason: expect.stringMatching(/shell prebuild/) });
    expect(first.environment.cache).toBe('miss');
    // Same environment: the script does not run again (a new token would show it did).
    const second = await run(request);
    expect(second.error).toBeNull();
    expect(second.output).toEqual(first.output);
    expect(second.environment.cache).toBe('hit');
  }, 120_000);

  it('downloads a model once through the allow-list for concurrent first requests', async () => {
    const prebuild = script(
      '#!/bin/bash',
      'set -e',
      'mkdir -p model',
      'python3 << EOF',
      'import urllib.request',
      `data = urllib.request.urlopen("http://${indexHost}/model", timeout=10).read()`,
      'open("model/weights.txt", "wb").write(data)',
      'EOF',
    );
    const request = { language: 'python' as const, code: readModel, prebuild, network: { allow: [indexHost] }, timeout_ms: 30_000 };
    const before = modelDownloads;
    const answers = await Promise.all([run(request), run(request), run(request)]);
    for (const answer of answers) expect(answer.error, answer.stderr).toBeNull();
    expect(new Set(answers.map((answer) => JSON.stringify(answer.output)))).toEqual(new Set([JSON.stringify(answers[0]?.output)]));
    expect(answers[0]?.output).toEqual({ weights: expect.stringMatching(/^downloaded [0-9a-f]{16}$/) });
    expect(modelDownloads - before).toBe(1);
  }, 120_000);

  it('knows a #!/bin/bash first line for a shell prebuild without prebuild_language', async () => {
    const response = await run({ language: 'python', code: readModel, prebuild: modelPrebuild, timeout_ms: 30_000 });
    expect(response.error, response.stderr).toBeNull();
    expect(response.output).toEqual({ weights: expect.stringMatching(/^weights [0-9a-f]{16}$/) });
    expect(response.environment.lane).toBe('native');
  }, 120_000);

  it('pip install in the script installs into the environment: later runs import it', async () => {
    const prebuild = script('#!/bin/bash', 'set -e', 'pip install --quiet isola-shell-demo', 'python3 -c "import isola_shell_demo as d; print(d.VALUE)" > seen.txt');
    const code = 'import isola_shell_demo, sys\ndef main():\n    return {"value": isola_shell_demo.VALUE, "seen": open("seen.txt").read().strip(), "in_venv": sys.prefix != sys.base_prefix}';
    const response = await run({ language: 'python', code, prebuild, network: { allow: [indexHost] }, timeout_ms: 30_000 });
    expect(response.error, response.stderr).toBeNull();
    expect(response.output).toEqual({ value: 'from the local index', seen: 'from the local index', in_venv: true });
  }, 120_000);

  it('pip cannot reach an index the allow-list leaves out', async () => {
    const prebuild = script('#!/bin/bash', 'pip install --retries 0 --timeout 5 isola-shell-demo');
    const response = await run({ language: 'python', code: 'print(1)', prebuild, timeout_ms: 30_000 });
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toMatch(/the script exited with code 1: .*isola-shell-demo/s);
  }, 120_000);

  it('answers apt-get at once with an error naming the package, and keeps nothing', async () => {
    const started = Date.now();
    const prebuild = script('#!/bin/bash', 'apt-get install -y libgl1 || echo "carrying on"', 'mkdir -p model && echo ok > model/x');
    const response = await run({ language: 'python', code: 'print(1)', prebuild, timeout_ms: 30_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(response.status).toBe('error');
    expect(response.error?.type).toBe('package_install');
    expect(response.error?.message).toMatch(/apt-get cannot run in the Isola sandbox: system package "libgl1" is not installable/);
    expect(prebuiltDirs()).not.toContainEqual(expect.stringMatching(/\.partial$/));
  }, 120_000);

  it('reports a failing script as package_install with its stderr, and runs it again next time', async () => {
    const prebuild = script('#!/bin/bash', 'echo "token $(head -c 8 /dev/urandom | od -An -tx1 | tr -d " \\n")" >&2', 'exit 3');
    const request = { language: 'python' as const, code: 'print(1)', prebuild, timeout_ms: 30_000 };
    const first = await run(request);
    expect(first.error?.type).toBe('package_install');
    expect(first.error?.message).toMatch(/^The environment's prebuild failed: the script exited with code 3: token [0-9a-f]{16}$/);
    const second = await run(request);
    expect(second.error?.type).toBe('package_install');
    expect(second.error?.message).toMatch(/token [0-9a-f]{16}$/);
    expect(second.error?.message).not.toBe(first.error?.message); // a new token: the failed build was not kept
  }, 120_000);

  it('runs a shell prebuild for JavaScript in the native lane too', async () => {
    const prebuild = script('#!/bin/sh', 'mkdir -p data && node -e "require(\'fs\').writeFileSync(\'data/n.json\', JSON.stringify({ n: 42 }))"');
    const code = 'const fs = require("fs");\nfunction main() { return JSON.parse(fs.readFileSync("data/n.json", "utf8")); }';
    const response = await run({ language: 'javascript', code, prebuild, timeout_ms: 30_000 });
    expect(response.error, response.stderr).toBeNull();
    expect(response.output).toEqual({ n: 42 });
    expect(response.environment.lane).toBe('native');
  }, 120_000);
});

function prebuiltDirs(): string[] {
  try {
    return readdirSync(join(storeDir, 'native-prebuilds'));
  } catch {
    return [];
  }
}
