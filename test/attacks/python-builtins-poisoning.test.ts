/**
 * Poisoning what the next execution would trust: builtins, the standard library's modules and
 * classes, built-in types' own dicts, the interpreter's hooks, the import machinery, and the lane's
 * own glue (isola_lane, isola_runner, _host). Each attack runs on a one-worker engine; then the canary
 * on the same worker must see exactly what a fresh engine's canary sees (test/attacks/canary.ts).
 *
 * The attack itself may fail (its own code is broken by its own poison), but it must end with a typed
 * result: never 'internal', never a dead worker.
 */
import { describe, expect, it } from 'vitest';
import { useCanaryLane } from './canary.js';

const lane = useCanaryLane('cpython');

const ATTACKS: Record<string, string> = {
  'builtins replaced, deleted and added': `
import builtins
real_import = builtins.__import__
def spy_import(name, *args, **kwargs):
    return real_import(name, *args, **kwargs)
builtins.__import__ = spy_import
builtins.open = lambda *a, **k: (_ for _ in ()).throw(OSError("poisoned open"))
builtins.len = lambda x: 42
builtins.isinstance = lambda a, b: True
del builtins.max
builtins.planted = "from an earlier job"
builtins.print = lambda *a, **k: None
`,
  'json, io and sys.stdout monkeypatched': `
import io, json, json.encoder, json.decoder, sys
json.dumps = lambda *a, **k: '"hijacked"'
json.loads = lambda *a, **k: {"hijacked": True}
json.encoder.c_make_encoder = None
json.JSONEncoder.default = lambda self, o: "hijacked"
json.decoder.JSONDecoder.decode = lambda self, s, *a: "hijacked"
io.StringIO = None
sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
sys.__stdout__ = sys.stdout
sys.stderr = sys.stdout
`,
  'the lane glue: isola_lane, isola_runner and _host replaced': `
import sys, isola_lane, isola_runner, isola_egress, _host
isola_lane.entry = lambda: print("planted entry")
isola_lane._fresh = lambda: None
isola_lane._loads = lambda b: {"code": "print('planted')", "filename": "x.py", "mode": "script", "inputs": "{}", "outputLimit": 10, "paths": []}
isola_runner.execute = lambda *a, **k: {"mode": "script", "exit_code": 0, "return_json": "\\"planted\\"", "failure": None}
isola_runner.to_json = lambda value, limit: '"planted"'
isola_runner._trim = None
isola_egress.install(lambda message: b'{"ok": true}\\nplanted')
_host.call = lambda frame: b"planted"
_host.planted = True
`,
  'sys.modules entries replaced and removed': `
import sys, types
fake = types.ModuleType("json")
fake.dumps = lambda *a, **k: '"fake"'
sys.modules["json"] = fake
sys.modules["hashlib"] = types.ModuleType("hashlib")
sys.modules["isola_runner"] = types.ModuleType("isola_runner")
sys.modules["planted_module"] = types.ModuleType("planted_module")
del sys.modules["random"]
del sys.modules["os"]
`,
  'atexit, trace, profile, gc callbacks and audit hooks': `
import atexit, gc, sys, threading
atexit.register(print, "atexit ran in a later job")
def tracer(frame, event, arg):
    return tracer
sys.settrace(tracer)
sys.setprofile(lambda *a: None)
threading.settrace(tracer)
gc.callbacks.append(lambda phase, info: print("gc callback", phase))
gc.set_threshold(1, 1, 1)
gc.disable()
gc.garbage.append(object())
sys.addaudithook(lambda event, args: print("audit", event) if event == "open" else None)
sys.excepthook = sys.displayhook = sys.unraisablehook = sys.breakpointhook = lambda *a: print("hooked")
sys.setrecursionlimit(60)
sys.set_int_max_str_digits(640)
sys.setswitchinterval(1.0)
sys.dont_write_bytecode = False
`,
  'codecs registry and encodings cache': `
import codecs, encodings
utf8 = codecs.lookup("utf-8")
def fake_encode(text, errors="strict"):
    return (b"HIJACKED", len(text))
fake = codecs.CodecInfo(fake_encode, utf8.decode, name="utf-8")
encodings._cache["utf-8"] = fake
encodings._cache["utf_8"] = fake
encodings._cache["ascii"] = fake
codecs.register(lambda name: fake)
encodings._cache["planted"] = fake
`,
  'built-in types patched through gc.get_referents': `
import gc
gc.get_referents(str.__dict__)[0]["upper"] = lambda self: "hijacked"
gc.get_referents(str.__dict__)[0]["planted"] = 1
gc.get_referents(dict.__dict__)[0]["__repr__"] = lambda self: "hijacked"
gc.get_referents(int.__dict__)[0]["__format__"] = lambda self, spec: "hijacked"
gc.get_referents(object.__dict__)[0]["planted"] = property(lambda self: "from an earlier job")
assert "abc".upper() == "hijacked"
`,
  'import machinery: meta_path, path_hooks, sys.path and sitecustomize files': `
import importlib, os, sys
class Finder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        print("finder saw", name)
        return None
sys.meta_path.insert(0, Finder)
sys.path_hooks.insert(0, lambda path: (_ for _ in ()).throw(ImportError()))
sys.path_importer_cache.clear()
for directory in ("/tmp", "/work", "."):
    for name in ("sitecustomize.py", "usercustomize.py", "json.py", "hashlib.py", "random.py", "isola_runner.py"):
        with open(os.path.join(directory, name), "w") as handle:
            handle.write("print('planted module ran')\\n")
    with open(os.path.join(directory, "planted.pth"), "w") as handle:
        handle.write("import os; print('pth ran')\\n")
sys.path[0:0] = ["/tmp", "/work"]
importlib.invalidate_caches()
import sitecustomize
`,
  'process state: environ, cwd, umask, random, warnings, logging, stdin': `
import logging, os, random, sys, io, warnings
os.environ["PLANTED"] = "1"
os.environ["PYTHONPATH"] = "/tmp"
os.environ.pop("HOME", None)
os.putenv("PLANTED_PUT", "1")
os.chdir("/tmp")
os.umask(0o777)
random.seed(42)
random.random = lambda: 4
warnings.simplefilter("error")
logging.basicConfig(level=logging.DEBUG, stream=sys.stdout)
logging.getLogger().addHandler(logging.StreamHandler(sys.stdout))
sys.stdin = io.StringIO('{"planted": true}')
sys.argv = ["planted"]
`,
};

describe('poisoning the interpreter for the next execution (CPython lane)', () => {
  for (const [name, code] of Object.entries(ATTACKS)) {
    it(`does not outlive its execution: ${name}`, async () => {
      const attack = await lane.attackThenCanary({ code });
      expect(attack.error?.type, JSON.stringify(attack.error)).not.toBe('internal');
      expect(attack.error?.type ?? 'none').toMatch(/^(none|exception)$/);
      // Still the same worker: the canary ran on the interpreter the attack poisoned, reset.
      expect(lane.restarts()).toBe(0);
    });
  }

  it('every poison at once, in function mode, three times', async () => {
    const all = Object.values(ATTACKS).map((code) => `try:\n    exec(${JSON.stringify(code)}, {})\nexcept BaseException:\n    pass\n`).join('');
    for (let i = 0; i < 3; i++) {
      const attack = await lane.run({ code: `${all}\ndef main():\n    return "done"\n` });
      expect(attack.error?.type ?? 'none').not.toBe('internal');
    }
    await lane.expectClean();
  });
});
