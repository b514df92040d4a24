"""Equivalence canary (Python): prints what a job can observe of its sandbox and of its interpreter.

After any job, a canary on the same worker or driver must print exactly what it prints on a fresh one.
It runs in the native lane (a new process per job: the file tree is the point) and in the CPython lane
(one interpreter reset per job: the interpreter state is the point), so everything lane-specific is
optional. Fields that legitimately differ per job are masked here and listed in the helpers
(test/attacks/native-canary.ts, test/attacks/canary.ts); the per-job random values are reported under
"random" so that the helpers can check they are NOT the same as another job's.
"""
_GLOBALS_AT_START = sorted(globals())  # before this file defines anything

import builtins
import hashlib
import json
import os
import stat
import sys

SKIP = {"/proc", "/sys"}  # per-process views; /proc/self/limits is read on its own below
MASKED_ENV = {"PYTHONHASHSEED"}  # a fresh random seed per job, by design


def entry(path):
    info = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else None
    return [path, info.st_size, oct(info.st_mode), info.st_uid, info.st_gid, target]


def walk(top):
    """Every path under top (not following symlinks), with size, mode, owner and link target."""
    found = []
    try:
        names = sorted(os.listdir(top))
    except OSError as error:
        return [[top, "unreadable", error.errno]]
    for name in names:
        path = os.path.join(top, name)
        if path in SKIP:
            found.append([path, "skipped"])
            continue
        try:
            found.append(entry(path))
            if stat.S_ISDIR(os.lstat(path).st_mode):
                found.extend(walk(path))
        except OSError as error:
            found.append([path, "error", error.errno])
    return found


def digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=repr).encode()).hexdigest()


def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as error:
        return ["error", error.errno]


def describe(value):
    """What a value is, stably across processes: functions by their code's origin, others by type."""
    code = getattr(value, "__code__", None) if callable(value) else None
    if type(code).__name__ == "code":
        return ["function", getattr(value, "__module__", None), getattr(value, "__qualname__", None),
                code.co_filename, code.co_firstlineno, hashlib.sha256(code.co_code).hexdigest()[:16]]
    kind = type(value)
    if kind.__name__ in ("builtin_function_or_method", "method_descriptor", "wrapper_descriptor"):
        return ["builtin", getattr(value, "__module__", None), getattr(value, "__qualname__", None),
                type(getattr(value, "__self__", None)).__name__]
    if isinstance(value, type):
        return ["type", value.__module__, value.__qualname__, [c.__qualname__ for c in value.__mro__],
                sorted(value.__dict__)]
    if isinstance(value, (int, float, str, bytes, bool, type(None))):
        return ["value", repr(value)[:200]]
    return ["object", kind.__module__, kind.__qualname__]


def namespace(module):
    return {name: describe(value) for name, value in sorted(vars(module).items()) if not name.startswith("__")}


def interpreter():
    import atexit
    import codecs
    import gc
    import warnings

    watched = ["builtins", "json", "json.decoder", "json.encoder", "io", "os", "sys", "codecs", "random",
               "secrets", "uuid", "importlib", "importlib._bootstrap", "importlib._bootstrap_external",
               "isola_lane", "isola_runner", "isola_egress", "asyncio", "time", "traceback", "linecache",
               "tempfile", "warnings", "atexit", "gc", "_host", "zipimport", "encodings", "site"]
    modules = {}
    for name in watched:
        module = sys.modules.get(name)
        if module is not None:
            modules[name] = digest(namespace(module))
    hooks = {
        "trace": repr(sys.gettrace()), "profile": repr(sys.getprofile()),
        "recursionlimit": sys.getrecursionlimit(), "switchinterval": sys.getswitchinterval(),
        "int_max_str_digits": sys.get_int_max_str_digits(), "dont_write_bytecode": sys.dont_write_bytecode,
        "excepthook": describe(sys.excepthook), "displayhook": describe(sys.displayhook),
        "breakpointhook": describe(sys.breakpointhook), "unraisablehook": describe(sys.unraisablehook),
        "stdio": [[describe(s), getattr(s, "name", None), getattr(s, "encoding", None)]
                  for s in (sys.stdin, sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)],
        "path": list(sys.path), "meta_path": [describe(f) for f in sys.meta_path],
        "path_hooks": [describe(h) for h in sys.path_hooks], "path_importer_cache": sorted(sys.path_importer_cache),
        "argv": list(sys.argv), "flags": repr(sys.flags),
        "gc": [gc.isenabled(), gc.get_threshold(), [describe(c) for c in gc.callbacks], len(gc.garbage)],
        "atexit": atexit._ncallbacks(),
        "codecs": [describe(codecs.lookup(name).encode) for name in ("utf-8", "ascii", "latin-1", "utf-16")],
        "codec_search": sorted(getattr(sys.modules.get("encodings"), "_cache", {})),
        "warnings": [repr(f) for f in warnings.filters],
        "getattr_hooks": [describe(getattr(m, "__getattr__", None)) for m in (builtins, json, os, sys)],
    }
    text = json.dumps({"a": [1, 2.5, "é", None, True]}, sort_keys=True)
    return {
        "builtins": digest({name: describe(value) for name, value in sorted(vars(builtins).items())}),
        "builtin_names": sorted(vars(builtins)),
        # Built-in types' own dicts: gc.get_referents(str.__dict__)[0] reaches them from Python.
        "types": {kind.__name__: digest({name: describe(value) for name, value in sorted(vars(kind).items())})
                  for kind in (object, type, str, bytes, int, float, list, dict, tuple, set, BaseException,
                               type(sys), type(len), type(describe))},
        "modules": sorted(sys.modules),
        "namespaces": modules,
        "hooks": hooks,
        "globals": _GLOBALS_AT_START,
        "main": describe(sys.modules.get("__main__")),
        "behaviour": [text, json.loads(text), repr(print), "%s" % int("12345"), str(b"x", "ascii"), "abc".upper(),
                      sorted([3, 1, 2]), len("abcd"), repr({"k": (1, 2)}), "{:>4}".format(7), b"ab".hex()],
    }


def randomness():
    import random
    import secrets
    import uuid

    return [random.random(), random.getrandbits(64), secrets.token_hex(16), str(uuid.uuid4()), os.urandom(16).hex()]


tree = walk("/")
by_top = {}
for item in tree:
    top = "/" + item[0].split("/")[1]
    by_top.setdefault(top, []).append(item)
env = {key: ("<masked>" if key in MASKED_ENV else value) for key, value in os.environ.items()}
try:
    with open("/proc/self/limits") as handle:
        limits = handle.read()
except OSError as error:
    limits = ["error", error.errno]
ids = [getattr(os, name, lambda: None)() for name in ("getuid", "geteuid", "getgid", "getegid")]
try:
    ids.append(sorted(os.getgroups()))
except (AttributeError, OSError):
    ids.append(None)
view = {
    "tree": {top: [len(items), digest(items)] for top, items in sorted(by_top.items())},
    "env": dict(sorted(env.items())),
    "cwd": [os.getcwd(), listing(".")],
    "tmp": listing("/tmp"),
    "shm": listing("/dev/shm"),
    "ids": ids,
    "limits": limits,
    "interpreter": interpreter(),
    "random": randomness(),
}
sys.stdout.write(json.dumps(view, sort_keys=True) + "\n")
