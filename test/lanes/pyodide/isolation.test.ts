/**
 * Ring 1 of the Pyodide lane: every execution starts from a clean interpreter although the instance is
 * reused (reset in place between jobs). Nothing of one job may be seen by the next: globals, modules,
 * files, timers, proxies, the freed part of the heap, or the random state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPyodide, type PyodideHarness } from './harness.js';

let py: PyodideHarness;
beforeAll(async () => {
  py = await startPyodide();
});
afterAll(async () => {
  await py?.close();
});

describe('reset between executions', () => {
  it('resets in place (no new instance) after plain Python, whatever of the standard library it uses', async () => {
    const before = (await py.describe())['rebuilds'];
    for (const code of [
      'import json, re, datetime, decimal, statistics\nprint(json.dumps({"d": str(decimal.Decimal(1) / 7)}), re.sub("a", "b", "aa"), statistics.mean([1, 2]))',
      'import hashlib, hmac, base64, uuid, secrets, random\nprint(hashlib.sha1(b"x").hexdigest(), uuid.uuid4(), secrets.token_hex(4), random.random())',
      'import sqlite3\nc = sqlite3.connect(":memory:")\nc.execute("create table t(x)")\nprint(c.execute("select count(*) from t").fetchall())',
      'import zipfile, io, gzip, csv\nb = io.BytesIO()\nzipfile.ZipFile(b, "w").writestr("a", "b")\nprint(len(gzip.compress(b"x" * 100)))',
      'import asyncio\n\nasync def main():\n    await asyncio.sleep(0.01)\n    return 1',
      'def f(n):\n    return f(n + 1)\n\nf(0)',
      'import tempfile, pathlib\nwith tempfile.NamedTemporaryFile() as f:\n    f.write(b"x")\npathlib.Path("a.txt").write_text("hi")',
      'import zoneinfo, datetime, logging, warnings\nlogging.warning("w")\nwarnings.warn("x")\nprint(datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).tzname())',
      'raise MemoryError',
      'import time\ntime.sleep(0.01)',
    ]) {
      await py.run({ code });
    }
    await py.recycled();
    expect((await py.describe())['rebuilds']).toBe(before);
  });

  it('leaves no globals, builtins, module state, imports, environment, cwd or path behind', async () => {
    const dirty = [
      'import builtins, json, os, sys, sqlite3',
      'builtins.leaked = 1',
      'LEAKED_GLOBAL = 2',
      'json.dumps = None',
      'sys.modules["planted"] = sys',
      'sys.path.append("/planted")',
      'os.environ["LEAKED_ENV"] = "x"',
      'os.chdir("/tmp")',
      'sys.setrecursionlimit(50)',
    ].join('\n');
    expect((await py.run({ code: dirty })).failure).toBeUndefined();
    const check = [
      'import builtins, json, os, sys',
      'print(json.dumps({',
      '  "builtin": hasattr(builtins, "leaked"), "global": "LEAKED_GLOBAL" in globals(),',
      '  "sqlite3": "sqlite3" in sys.modules, "planted": "planted" in sys.modules,',
      '  "env": "LEAKED_ENV" in os.environ,',
      '  "cwd": os.getcwd(), "recursion": sys.getrecursionlimit(), "path": sys.path,',
      '}))',
    ].join('\n');
    const result = await py.run({ code: check });
    expect(result.failure).toBeUndefined();
    expect(JSON.parse(result.stdout)).toEqual({
      builtin: false,
      global: false,
      sqlite3: false,
      planted: false,
      // Exactly the start-up path: nothing the previous job appended, no duplicate entry from a restore.
      path: ['', '/lib/python314.zip', '/lib/python3.14/lib-dynload', '/lib/python3.14/site-packages', '/lib/isola-tzdata.zip'],
      env: false,
      cwd: '/home/pyodide',
      recursion: 1000,
    });
  });

  it('gives every execution an empty /tmp and a working directory holding only inputs.json', async () => {
    await py.run({ code: 'open("/tmp/leak.txt", "w").write("x")\nopen("leak.txt", "w").write("y")\nimport os\nos.mkdir("/tmp/d")' });
    const result = await py.run({ code: 'import os\nprint(sorted(os.listdir(".")), sorted(os.listdir("/tmp")))' });
    expect(result.stdout).toBe("['inputs.json'] []\n");
  });

  it('keeps the rest of the file system read-only', async () => {
    const code = [
      'import os, sys',
      'results = []',
      'for path in ["/lib/python3.14/site-packages/evil.py", "/home/evil.py", "/evil.txt", "/lib/python314.zip"]:',
      '    try:',
      '        with open(path, "a") as f:',
      '            f.write("import os")',
      '        results.append("wrote " + path)',
      '    except OSError as error:',
      '        results.append(error.errno)',
      'for action in [lambda: os.remove("/lib/python314.zip"), lambda: os.rename("/lib", "/lib2"), lambda: os.chmod("/lib", 0o777), lambda: os.mkdir("/planted")]:',
      '    try:',
      '        action()',
      '        results.append("changed")',
      '    except OSError as error:',
      '        results.append(error.errno)',
      'print(results)',
    ].join('\n');
    const result = await py.run({ code });
    expect(result.stdout).not.toContain('wrote');
    expect(result.stdout).not.toContain('changed');
    const again = await py.run({ code: 'import os\nprint(os.path.exists("/lib/python3.14/site-packages/evil.py"), os.path.getsize("/lib/python314.zip") > 1000000)' });
    expect(again.stdout).toBe('False True\n');
  });

  it('caps what a job may write to its in-memory file systems', async () => {
    const code = 'try:\n    with open("/tmp/big", "wb") as f:\n        for _ in range(100):\n            f.write(b"x" * 1024 * 1024)\n    print("wrote")\nexcept OSError as e:\n    print("refused", e.errno)';
    const result = await py.run({ code, memoryBytes: 64 * 2 ** 20 });
    expect(result.stdout).toMatch(/^refused/);
  });

  it('does not let a timer of one job fire into the next', async () => {
    // Pyodide has no setitimer; timers exist only on the JavaScript side.
    const arm = 'import js\nfrom pyodide.ffi import create_proxy\njs.setTimeout(create_proxy(lambda: print("TIMER FROM PREVIOUS JOB")), 200)\nprint("armed")';
    expect((await py.run({ code: arm })).stdout).toBe('armed\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = await py.run({ code: 'import time\ntime.sleep(0.3)\nprint("quiet")' });
    expect(later.failure).toBeUndefined();
    expect(later.stdout).toBe('quiet\n');
  });

  it('gives every execution fresh randomness, from the same snapshot and from the same function image', async () => {
    const script = 'import random, uuid, secrets\nprint(random.random(), uuid.uuid4(), secrets.token_hex(8))';
    const a = await py.run({ code: script });
    const b = await py.run({ code: script });
    expect(a.stdout).not.toBe(b.stdout);
    const fn = 'import random, uuid, secrets\n\ndef main():\n    return [random.random(), str(uuid.uuid4()), secrets.token_hex(8)]';
    const c = JSON.parse((await py.run({ code: fn })).returnJson!) as unknown[];
    const d = JSON.parse((await py.run({ code: fn })).returnJson!) as unknown[];
    for (let i = 0; i < 3; i++) expect(c[i]).not.toEqual(d[i]);
  });

  it('keeps function-mode state from one call out of the next', async () => {
    const code = 'CALLS = []\n\ndef main(n):\n    CALLS.append(n)\n    return CALLS';
    expect((await py.run({ code, inputs: { n: 1 } })).returnJson).toBe('[1]');
    expect((await py.run({ code, inputs: { n: 2 } })).returnJson).toBe('[2]');
  });

  it('zeroes the heap a job grew before the next job can read it', async () => {
    const fill = 'data = bytearray(b"\\x5a" * (48 * 1024 * 1024))\nprint(len(data))';
    expect((await py.run({ code: fill })).stdout).toBe(String(48 * 1024 * 1024) + '\n');
    // ctypes reads raw linear memory (and marks the realm for replacement, which is fine after the read).
    const scan = [
      'import ctypes, pyodide_js',
      'size = pyodide_js._module.HEAPU8.length',
      'hits = 0',
      'step = 1 << 20',
      'for start in range(40 * step, size - step, step):',
      '    hits += ctypes.string_at(start, step).count(b"\\x5a" * 4096)',
      'print(size > 64 * step, hits)',
    ].join('\n');
    const result = await py.run({ code: scan });
    expect(result.failure, result.failure?.traceback).toBeUndefined();
    expect(result.stdout).toBe('True 0\n');
  });

  it('runs 20 queued executions, each with its own inputs', async () => {
    const code = 'def main(i):\n    return {"i": i, "sq": i * i}';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => py.run({ code, inputs: { i } })));
    results.forEach((result, i) => expect(JSON.parse(result.returnJson!)).toEqual({ i, sq: i * i }));
  });

  it('survives jobs that create and leak Python proxies into JavaScript', async () => {
    const code = 'import js\nfrom pyodide.ffi import create_proxy, to_js\nkeep = [create_proxy({"n": i}) for i in range(200)]\njs.globalThis.kept = to_js(keep)\nimport gc\ngc.collect()';
    for (let i = 0; i < 3; i++) expect((await py.run({ code })).failure).toBeUndefined();
    const after = await py.run({ code: 'import js, gc\ngc.collect()\nprint(getattr(js, "kept", None))' });
    expect(after.stdout).toBe('None\n');
  });
});
