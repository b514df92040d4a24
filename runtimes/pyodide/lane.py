"""Isola's Pyodide lane, guest side: the glue between the realm (runtimes/pyodide/realm.js) and the
shared runner (runtimes/python/isola_runner.py).

The realm calls `entry()` with no arguments. The request comes from /dev/isola, a device the realm
registers: reading it returns the request JSON, writing "R<json>" replies, "S<ms>" sleeps on the
host's interrupt flag (0 bytes written means the deadline interrupted the sleep). Plain syscalls, so
talking to the realm never goes through the JavaScript FFI.

Requests:
  {"op": "execute", code, filename, mode, inputs, outputLimit}    script or function mode, in one go
  {"op": "prepare", code, filename, mode}                         compile; in function mode run the module
  {"op": "call", inputs, outputLimit}                             run what "prepare" left behind

Everything here is imported before the snapshot is taken, so its cost is paid once per build.
"""

import asyncio
import importlib
import json
import os
import random
import sys
import tempfile
import time
import warnings

import isola_runner as runner

_CONTROL = 100  # /dev/isola, opened by the realm at this descriptor in every instance
_MAX_SLEEP_MS = 2_000_000_000
_prepared = None
# Captured now: user code may replace json.dumps or os.write, and the reply must still get out.
_dumps = json.dumps
_write = os.write
_read = os.read


# ---- Requests and replies.

def _read_request():
    parts = []
    while True:
        chunk = _read(_CONTROL, 1 << 16)
        if not chunk:
            break
        parts.append(chunk)
    return json.loads(b"".join(parts))


def _reply(value):
    try:
        data = _dumps(value).encode("ascii")
    except BaseException as error:  # noqa: BLE001 - whatever user code broke, answer something
        data = b'{"internal": "the result could not be encoded (%s)"}' % type(error).__name__.encode("ascii", "replace")
    _write(_CONTROL, b"R" + data)


def entry():
    try:
        request = _read_request()
        operation = request["op"]
        if operation == "execute":
            result = _execute(request)
        elif operation == "prepare":
            result = _prepare(request)
        elif operation == "call":
            result = _call(request)
        elif operation == "install":
            result = _install(request)
        else:
            result = {"internal": "unknown operation %r" % (operation,)}
        _reply(result)
    except KeyboardInterrupt:
        _reply({"interrupted": True})
    except MemoryError:
        _reply({"memory": True})
    except BaseException as error:  # the runner handles the user's exceptions; this is the lane's own
        _reply({"internal": "%s: %s" % (type(error).__name__, error)})


def _fresh():
    """Per-execution state a memory snapshot would otherwise repeat: randomness and temp names."""
    random.seed()
    tempfile._name_sequence = None


def _execute(request):
    _fresh()
    return runner.execute(request["code"], request["filename"], request["mode"], request["inputs"],
                          request["outputLimit"], run_coroutine=run_coroutine)


def _prepare(request):
    global _prepared
    _prepared = None
    _fresh()
    prepared = runner.prepare(request["code"], request["filename"], request["mode"], run_coroutine)
    _prepared = prepared
    return {"mode": prepared.mode, "failed": prepared.failure_result is not None}


def _call(request):
    if _prepared is None:
        return {"internal": "call without prepare"}
    _fresh()
    return _prepared.run(request["inputs"], request["outputLimit"], run_coroutine)


def _install(request):
    """Unpack an environment's pure-Python wheels into its own directory, put it on sys.path and import
    the top-level packages, so the image taken next has them loaded."""
    import zipfile

    target = request["dir"]
    os.makedirs(target, exist_ok=True)
    tops = []
    for wheel in request["wheels"]:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
            names = archive.namelist()
        listed = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        if listed:
            with open(os.path.join(target, listed[0]), encoding="utf-8") as f:
                tops.extend(line.strip() for line in f if line.strip())
        else:
            for name in names:
                head = name.split("/", 1)[0]
                if head.endswith((".dist-info", ".data")):
                    continue
                module = head[:-3] if head.endswith(".py") and "/" not in name else head
                if module.isidentifier() and (("/" in name) or name.endswith(".py")) and module not in tops:
                    tops.append(module)
        os.remove(wheel)
    if target not in sys.path:
        sys.path.append(target)
    importlib.invalidate_caches()
    imported, failed = [], []
    for name in tops:
        try:
            importlib.import_module(name)
            imported.append(name)
        except Exception as error:  # a package that cannot be imported up front may still work when used
            failed.append("%s: %s: %s" % (name, type(error).__name__, error))
    return {"imported": imported, "failed": failed}


# ---- time.sleep that the deadline can interrupt.

def sleep(seconds):
    """time.sleep on the host's interrupt flag: a deadline wakes it and raises KeyboardInterrupt."""
    seconds = float(seconds)
    if seconds != seconds:
        raise ValueError("Invalid value NaN (not a number)")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    remaining = seconds * 1000.0
    while remaining > 0:
        chunk = min(remaining, _MAX_SLEEP_MS)
        if _write(_CONTROL, b"S%.3f" % chunk) == 0:
            raise KeyboardInterrupt
        remaining -= chunk


# ---- asyncio without the browser event loop: a loop whose "selector" sleeps until the next timer.
# Pyodide's WebLoop needs the JavaScript event loop (and stack switching for run_until_complete);
# this one runs coroutines to completion synchronously, interruptibly, and never touches the FFI.

class _Selector:
    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError("asyncio: nothing left to run and nothing to wait for (a future that is never set?)")
        if timeout > 0:
            sleep(timeout)
        return []

    def close(self):
        pass

    def get_map(self):
        return {}


class IsolaEventLoop(asyncio.BaseEventLoop):
    def __init__(self):
        super().__init__()
        self._selector = _Selector()

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass

    def close(self):
        if self._selector is not None:
            self._selector.close()
        super().close()


def run_coroutine(awaitable):
    if not asyncio.iscoroutine(awaitable):
        async def wrap():
            return await awaitable
        awaitable = wrap()
    return asyncio.run(awaitable, loop_factory=IsolaEventLoop)


def _install_event_loop():
    # Undo pyodide.webloop's start-up: its WebLoop registers itself as the running loop (so asyncio.run
    # refuses) and it wraps asyncio.run and time.sleep for the browser.
    webloop = sys.modules.get("pyodide.webloop")
    if webloop is not None:
        asyncio.run = webloop._orig_run
    asyncio.events._set_running_loop(None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)

        class Policy(asyncio.DefaultEventLoopPolicy):
            def new_event_loop(self):
                return IsolaEventLoop()

        asyncio.set_event_loop_policy(Policy())
        asyncio.set_event_loop(None)


# ---- Boot.

PRELOAD = (
    "abc argparse array ast base64 binascii bisect calendar collections collections.abc contextlib copy csv "
    "dataclasses datetime decimal difflib email.utils enum fnmatch fractions functools glob gzip hashlib heapq "
    "hmac html importlib.metadata inspect io itertools json logging math numbers operator os pathlib pprint "
    "queue random re secrets shlex statistics string struct textwrap time traceback typing unicodedata "
    "urllib.parse uuid xml.etree.ElementTree zipfile zlib zoneinfo"
).split()


def boot(extra_modules=()):
    time.sleep = sleep
    _install_event_loop()
    importlib.import_module("_isola_egress").install()
    for name in PRELOAD + list(extra_modules):
        importlib.import_module(name)
    # zoneinfo reads its database lazily; load the zones people use so the data is in the snapshot.
    # The realm writes the time-zone database as a tzdata package zip (the npm package has no wheel).
    sys.path.append("/lib/isola-tzdata.zip")
    zoneinfo = importlib.import_module("zoneinfo")
    zoneinfo.reset_tzpath([])
    for key in ("UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo"):
        zoneinfo.ZoneInfo(key)
    list(importlib.import_module("importlib.metadata").distributions())
    sys.argv = ["main.py"]
