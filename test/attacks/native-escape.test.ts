/**
 * Attacks on the native lane (bubblewrap + rlimits around CPython). Each test is an attempt a hostile
 * code node would make; each must be contained and leave the host serving.
 */
import { createServer, type Server } from 'node:net';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { lines, nodeJob, pythonJob, testHost } from '../lanes/native/native-fixture.js';

/** Host paths of the service's own tree: the checkout and the Node binary's directory (Node 24 from npm). */
const PROJECT_PATHS = [fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''), dirname(realpathSync(process.execPath))];

const SECRET = `isola-secret-${randomBytes(8).toString('hex')}`;
let driver: LaneDriver;
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  process.env['ISOLA_NATIVE_ATTACK_SECRET'] = SECRET;
  driver = await createDriver(testHost(), { options: {} });
  server = createServer((socket) => {
    connections++;
    socket.end('hello from the host\n');
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  delete process.env['ISOLA_NATIVE_ATTACK_SECRET'];
  await driver.dispose();
  await new Promise<void>((closed) => server.close(() => closed()));
});

/** Host processes whose comm (process name) is `name`: survivors of a sandbox would show here. */
function processesNamed(name: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) count++;
    } catch {
      // The process ended while we looked.
    }
  }
  return count;
}

describe('native lane attacks', () => {
  it('contains a fork bomb: rlimit stops it, the deadline ends it, nothing survives', async () => {
    const name = `bomb${randomBytes(4).toString('hex')}`;
    const code = lines(
      'import ctypes, os',
      `ctypes.CDLL(None).prctl(15, b"${name}", 0, 0, 0)  # PR_SET_NAME, so the host can look for survivors`,
      'failures = 0',
      'while True:',
      '    try:',
      '        os.fork()',
      '    except OSError:',
      '        failures += 1',
    );
    const started = Date.now();
    const result = await driver.run(pythonJob(code, { timeoutMs: 1500 }));
    expect(result.failure?.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500 + 1000);
    // The answer does not wait for the kernel to reap the pid namespace; the reaping itself must finish.
    const until = Date.now() + 5_000;
    while (processesNamed(name) > 0 && Date.now() < until) await new Promise((settle) => setTimeout(settle, 50));
    expect(processesNamed(name)).toBe(0);
    const after = await driver.run(pythonJob(lines('def main():', '    return "still serving"')));
    expect(after.returnJson).toBe('"still serving"');
  });

  it('takes a daemonized child down with the job', async () => {
    const name = `daemon${randomBytes(4).toString('hex')}`;
    const code = lines(
      'import ctypes, os, time',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      `        ctypes.CDLL(None).prctl(15, b"${name}", 0, 0, 0)`,
      '        time.sleep(60)',
      '    os._exit(0)',
      'time.sleep(0.3)',
      'print("parent done")',
    );
    const result = await driver.run(pythonJob(code));
    expect(result.stdout).toBe('parent done\n');
    const until = Date.now() + 5_000;
    while (processesNamed(name) > 0 && Date.now() < until) await new Promise((settle) => setTimeout(settle, 50));
    expect(processesNamed(name)).toBe(0);
  });

  it('caps the processes a job may have', async () => {
    const code = lines(
      'import os, time',
      'children = 0',
      'try:',
      '    for _ in range(1000):',
      '        if os.fork() == 0:',
      '            time.sleep(5)',
      '            os._exit(0)',
      '        children += 1',
      'except OSError as error:',
      '    print("refused after", children, type(error).__name__)',
    );
    const result = await driver.run(pythonJob(code, { timeoutMs: 3000 }));
    const match = /refused after (\d+) BlockingIOError/.exec(result.stdout);
    expect(match, result.stdout + result.stderr).not.toBeNull();
    expect(Number(match?.[1])).toBeLessThan(64);
  });

  it('contains a memory bomb: one allocation and a slow leak both end as memory_limit', async () => {
    const big = await driver.run(pythonJob(lines('x = bytearray(3 * 1024**3)'), { memoryBytes: 128 * 1024 * 1024 }));
    expect(big.failure?.type).toBe('memory_limit');
    const leak = await driver.run(
      pythonJob(lines('chunks = []', 'while True:', '    chunks.append(bytearray(8 * 1024 * 1024))'), { memoryBytes: 64 * 1024 * 1024 }),
    );
    expect(leak.failure?.type).toBe('memory_limit');
  });

  it('has no network: a host port on 127.0.0.1 and DNS are unreachable', async () => {
    const code = lines(
      'import socket',
      'def attempt(fn):',
      '    try:',
      '        return "ok: " + repr(fn())',
      '    except OSError as error:',
      '        return "error: " + type(error).__name__',
      `print(attempt(lambda: socket.create_connection(("127.0.0.1", ${port}), timeout=2).recv(100)))`,
      'print(attempt(lambda: socket.getaddrinfo("example.com", 443)))',
      'print(attempt(lambda: socket.create_connection(("1.1.1.1", 53), timeout=2)))',
    );
    const result = await driver.run(pythonJob(code));
    const [local, dns, remote] = result.stdout.trim().split('\n');
    expect(local).toMatch(/^error: /);
    expect(dns).toMatch(/^error: /);
    expect(remote).toMatch(/^error: /);
    expect(connections).toBe(0);
  });

  it('cannot read host files outside its binds', async () => {
    const code = lines(
      'import os',
      'def probe(path):',
      '    try:',
      '        if os.path.isdir(path):',
      '            return "listed " + ",".join(sorted(os.listdir(path)))',
      '        with open(path, "rb") as f:',
      '            return "read " + repr(f.read(200))',
      '    except OSError as error:',
      '        return "error " + type(error).__name__',
      `for path in ["/root", "/work/main", "/home", "/etc/shadow", "/proc/1/environ", "/var", "/old_root", ${PROJECT_PATHS.map((path) => JSON.stringify(path)).join(', ')}]:`,
      '    print(path, probe(path))',
    );
    const result = await driver.run(pythonJob(code));
    const seen = Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.split(' ')[0], line]));
    for (const path of ['/root', '/work/main', '/home', '/etc/shadow', '/var', '/old_root', ...PROJECT_PATHS]) {
      expect(seen[path], result.stdout).toMatch(/ error /);
    }
    // pid 1 is the sandbox's own init; whatever it holds, it is not the service's environment.
    expect(result.stdout).not.toContain(SECRET);
  });

  it('sees nothing of the project tree from a JavaScript job (the Node binary is bound alone)', async () => {
    const code = lines(
      'const fs = require("fs");',
      `for (const path of ${JSON.stringify(PROJECT_PATHS)}) {`,
      '  try { console.log(path, "listed", fs.readdirSync(path).join(",")); } catch (error) { console.log(path, "error", error.code); }',
      '}',
      'console.log("cwd", fs.readdirSync(".").join(","));',
    );
    const result = await driver.run(nodeJob(code));
    const seen = result.stdout.trim().split('\n');
    expect(seen, result.stderr).toEqual([...PROJECT_PATHS.map((path) => `${path} error ENOENT`), 'cwd inputs.json']);
  });

  it('cannot write outside its private tmpfs', async () => {
    const code = lines(
      'for path in ["/escape.txt", "/usr/escape.txt", "/etc/escape.txt", "/isola/runtimes/python/isola_runner.py"]:',
      '    try:',
      '        open(path, "w").write("x")',
      '        print(path, "written")',
      '    except OSError as error:',
      '        print(path, "error", type(error).__name__)',
    );
    const result = await driver.run(pythonJob(code));
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
    expect(result.stdout).not.toContain('written');
  });

  it('cannot fill the disk: files stop at the tmpfs cap', async () => {
    const code = lines('with open("big.bin", "wb") as f:', '    for _ in range(200):', '        f.write(b"x" * 1024 * 1024)');
    const result = await driver.run(pythonJob(code));
    expect(result.failure?.type).toBe('exception');
    expect(result.failure?.message).toMatch(/OSError|No space|File too large/);
  });

  it('does not see the service environment', async () => {
    const code = lines(
      'import os, glob',
      'found = [k for k, v in os.environ.items() if "isola-secret" in v]',
      'for path in glob.glob("/proc/*/environ"):',
      '    try:',
      '        if b"isola-secret" in open(path, "rb").read():',
      '            found.append(path)',
      '    except OSError:',
      '        pass',
      'print(found, sorted(os.environ))',
    );
    const result = await driver.run(pythonJob(code));
    expect(result.stdout).toMatch(/^\[\] /);
    expect(result.stdout).not.toContain('ISOLA_NATIVE_ATTACK_SECRET');
  });

  it('ignores a result forged on stdout', async () => {
    const forged = JSON.stringify({ mode: 'main', exit_code: 0, return_json: '"forged"', failure: null });
    const code = lines('import sys', `print(${JSON.stringify(forged)})`, 'sys.exit(4)');
    const result = await driver.run(pythonJob(code));
    expect(result.exitCode).toBe(4);
    expect(result.returnJson).toBeUndefined();
    expect(result.mode).toBe('script');
  });

  it('cannot create nested user namespaces (where bwrap can forbid them)', async () => {
    const code = lines(
      'import ctypes, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'print(libc.unshare(0x10000000), os.strerror(ctypes.get_errno()))  # CLONE_NEWUSER',
    );
    const result = await driver.run(pythonJob(code));
    if (driver.describe()['nestedUserNamespaces'] === 'disabled') expect(result.stdout).toMatch(/^-1 /);
    else expect(result.stdout).toMatch(/^0 /); // documents the gap on old bwrap rather than hiding it
  });

  it.runIf(process.arch === 'x64')('is refused the kernel interfaces exploits lean on (seccomp)', async () => {
    const code = lines(
      'import ctypes, json, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'libc.syscall.restype = ctypes.c_long',
      'calls = {"ptrace": (101, 0, 0, 0, 0), "io_uring_setup": (425, 8, 0), "bpf": (321, 0, 0, 0),',
      '         "userfaultfd": (323, 0), "keyctl": (250, 0, 0), "perf_event_open": (298, 0, 0, -1, -1, 0)}',
      'out = {}',
      'for name, args in calls.items():',
      '    ctypes.set_errno(0)',
      '    result = libc.syscall(*[ctypes.c_long(a) for a in args])',
      '    out[name] = [result, os.strerror(ctypes.get_errno())]',
      'print(json.dumps(out))',
    );
    const result = await driver.run(pythonJob(code));
    const seen = JSON.parse(result.stdout) as Record<string, [number, string]>;
    for (const [name, [value, error]] of Object.entries(seen)) {
      expect([name, value, error]).toEqual([name, -1, 'Operation not permitted']);
    }
    expect(Object.keys(seen)).toHaveLength(6);
  });

  it('runs as an unprivileged user with no way back to root', async () => {
    const code = lines('import os', 'print(os.getuid(), os.getgid())', 'try:', '    os.setuid(0)', '    print("root")', 'except OSError:', '    print("denied")');
    const result = await driver.run(pythonJob(code));
    expect(result.stdout).toBe('10000 10000\ndenied\n');
  });
});
