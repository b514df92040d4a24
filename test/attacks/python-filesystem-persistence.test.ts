/**
 * Leaving files for the next execution: write, create, rename and truncate everywhere a job might be
 * able to (/tmp, the working directory, /, /isola-env, the lane's runtime directory, the standard library,
 * __pycache__ directories, site-packages-like paths, output.json). The next job must see none of it:
 * the canary on the same worker sees exactly a fresh engine's file tree, and a probe finds none of the
 * planted names. The same attack runs in the native lane (each job its own scratch tmpfs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaneDriver } from '../../src/lanes/lane.js';
import { createDriver } from '../../src/lanes/native/worker-entry.js';
import { pythonJob, testHost } from '../lanes/native/native-fixture.js';
import { useCanaryLane } from './canary.js';
import { useCanary } from './native-canary.js';

const PLANT = String.raw`
import json, os, sys, importlib, py_compile, zipfile
targets = ["/tmp", "/work", ".", "/", "/isola-env", "/usr", "/usr/local/lib", "/usr/local/lib/isola",
           "/usr/local/lib/python3.15", "/usr/local/lib/python3.15/site-packages", "/tmp/__pycache__",
           "/work/__pycache__", "/usr/local/lib/isola/__pycache__", "/home", "/etc", "/var/tmp", "/dev/shm"]
written, refused = [], {}
for directory in targets:
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        refused[directory + " (mkdir)"] = error.errno
    for name in ("planted.txt", "sitecustomize.py", "planted.pth", "json.py"):
        path = os.path.join(directory, name)
        try:
            with open(path, "w") as handle:
                handle.write("planted = True\n")
            written.append(path)
        except OSError as error:
            refused[path] = error.errno
# Overwrite, truncate, rename and delete files that exist in every job.
for path in ("/usr/local/lib/isola/isola_lane.py", "/usr/local/lib/isola/isola_runner.py", "/usr/local/lib/python315.zip", "inputs.json"):
    for mode in ("r+b", "ab", "wb"):
        try:
            with open(path, mode) as handle:
                handle.write(b"planted")
            written.append(path + " " + mode)
        except OSError as error:
            refused[path + " " + mode] = error.errno
for old, new in (("/usr/local/lib/isola/isola_lane.py", "/tmp/stolen.py"), ("/usr/local/lib/isola", "/tmp/isola"),
                 ("/tmp", "/work/tmp-moved"), ("/work", "/tmp/work-moved"), ("inputs.json", "/tmp/inputs.json")):
    try:
        os.rename(old, new)
        written.append("rename " + old)
    except OSError as error:
        refused["rename " + old] = error.errno
for path in ("/usr/local/lib/isola/isola_runner.py", "/usr/local/lib/python315.zip"):
    try:
        os.remove(path)
        written.append("remove " + path)
    except OSError as error:
        refused["remove " + path] = error.errno
# Bytecode: a compiled module where the next job's imports might look.
sys.dont_write_bytecode = False
for directory in ("/tmp", "/work"):
    try:
        with open(os.path.join(directory, "plantedmod.py"), "w") as handle:
            handle.write("X = 1\n")
        py_compile.compile(os.path.join(directory, "plantedmod.py"))
    except OSError:
        pass
sys.path[0:0] = ["/tmp", "/work"]
importlib.invalidate_caches()
try:
    import plantedmod
except ImportError:
    pass
with open("output.json", "w") as handle:
    handle.write('{"planted": true}')
# Many small files and a deep tree, up to what the job's budget allows.
try:
    for i in range(2000):
        os.makedirs("/tmp/deep/" + "/".join(["d"] * (i % 40)), exist_ok=True)
        with open("/tmp/many-%d" % i, "w") as handle:
            handle.write("x")
except OSError:
    pass
print(json.dumps({"written": written, "refused": refused}))
`;

const PROBE = `
import os
found = []
for top, dirs, files in os.walk("/"):
    if top.startswith(("/proc", "/sys")):
        dirs[:] = []
        continue
    for name in files + dirs:
        if name.startswith(("planted", "stolen", "many-", "plantedmod", "tmp-moved", "work-moved")) or name in ("sitecustomize.py", "json.py", "deep", "__pycache__"):
            found.append(os.path.join(top, name))
def main():
    return {"found": found, "cwd": sorted(os.listdir(".")), "output": os.path.exists("output.json")}
`;

describe('files left behind (CPython lane)', () => {
  const lane = useCanaryLane('cpython');

  it('a job can write only its own /tmp and /work, and the next job sees neither', async () => {
    const attack = await lane.attackThenCanary({ code: PLANT, timeout_ms: 5000 });
    expect(attack.error, JSON.stringify(attack.error)).toBeNull();
    const { written } = JSON.parse(attack.stdout) as { written: string[] };
    // Only the job's own writable directories took anything.
    for (const path of written) expect(path, path).toMatch(/^(\/tmp|\/work|\.\/|inputs\.json|rename \/tmp|rename \/work|rename inputs\.json)/);
    expect(written).toContain('/tmp/planted.txt');
    const probe = await lane.run({ code: PROBE });
    expect(probe.output).toEqual({ found: [], cwd: ['inputs.json'], output: false });
  });

  it('three jobs in a row, each planting, each see a clean tree', async () => {
    for (let i = 0; i < 3; i++) {
      const attack = await lane.run({ code: `${PLANT}\nopen("/tmp/round-${i}", "w").write("${i}")`, timeout_ms: 5000 });
      expect(attack.error).toBeNull();
      const probe = await lane.run({ code: `import os\ndef main():\n    return sorted(os.listdir("/tmp")) + sorted(os.listdir("/work"))` });
      expect(probe.output).toEqual(['inputs.json']);
    }
    await lane.expectClean();
  });
});

describe('files left behind (native lane)', () => {
  let driver: LaneDriver;
  beforeAll(async () => {
    driver = await createDriver(testHost(), { options: {} });
  });
  afterAll(async () => {
    await driver.dispose();
  });
  const canary = useCanary(() => driver);

  it('the next job on the same driver sees a fresh file tree', async () => {
    const result = await driver.run(pythonJob(PLANT, { timeoutMs: 20_000 }));
    expect(result.failure, result.stderr).toBeUndefined();
    await canary.expectClean();
  });
});
