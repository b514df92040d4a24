"""Isola's CPython-on-WASI lane, guest side: the glue between the host (src/lanes/cpython/driver.ts)
and the shared runner (runtimes/python/isola_runner.py).

The host talks to the guest through one door, the `_host` module's `call(bytes) -> bytes`:
  b"J"            -> the job: JSON {code, filename, mode, inputs, outputLimit, paths}
  b"R" + json     -> the result, once, at the end
  b"F" + ...      -> an HTTP exchange through the egress bridge (see isola_egress.py)
  b"I"            -> the whole batch's items as JSON (args.items of a batch item, asked for on first use)
  b"O"            -> main() returned: its value is being serialised (a stack overflow from now on is the
                     value's depth, reported as invalid_output; user code can only relabel its own overflow)

`boot()` runs once per worker, before the interpreter's image is taken; `entry()` runs once per
execution, on a copy of that image. Nothing an execution leaves behind survives it: the host puts
every byte of memory back afterwards. What the image would otherwise repeat for every execution
(random seeds, temp-file names) is renewed at the start of each one.
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

import _host

import isola_items
import isola_runner as runner

# Captured now: user code may replace json.dumps, and the reply must still get out.
_dumps = json.dumps
_loads = json.loads
_call = _host.call


_to_json = runner.to_json


def _to_json_marked(value, output_limit):
    # CPython's C json encoder recurses once per level of nesting; a value nested ~100,000 deep runs the
    # engine's native stack out before CPython's own recursion check fires, which traps the turn.
    _call(b"O")
    return _to_json(value, output_limit)


runner.to_json = _to_json_marked


def _fresh():
    random.seed()
    tempfile._name_sequence = None
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _reply(value):
    try:
        data = _dumps(value).encode("ascii")
    except BaseException as error:  # whatever user code broke, answer something
        data = b'{"lane_error": "the result could not be encoded (%s)"}' % type(error).__name__.encode("ascii", "replace")
    try:
        _call(b"R" + data)
    except OSError:
        pass  # the host takes one result: user code sent one through the door already, and it stands


def entry():
    try:
        request = _loads(_call(b"J"))
        _fresh()
        if request["paths"]:
            # An environment's pure wheels, imported from the archives themselves (zipimport). No
            # invalidate_caches(): the entries are new to the importer cache, and the call would import
            # importlib.metadata (~20 ms) in every execution.
            sys.path[0:0] = request["paths"]
        os.chdir("/work")
        item = request.get("item")
        if item is not None:  # one item of a batch: execute(args, ctx) (isola_items.py)
            result = isola_items.execute(request["code"], request["filename"], item["json"], item["index"],
                                         _load_items, request["outputLimit"], run_coroutine=run_coroutine,
                                         stdin=request.get("stdin"))
        else:
            result = runner.execute(request["code"], request["filename"], request["mode"], request["inputs"],
                                    request["outputLimit"], run_coroutine=run_coroutine, stdin=request.get("stdin"))
        _reply(result)
    except KeyboardInterrupt:
        _reply({"interrupted": True})
    except MemoryError:
        _reply({"memory": True})
    except BaseException as error:  # the runner handles the user's exceptions; this is
        # the lane's own, which user code can cause too (it shares the interpreter): the host reports it
        # as the code's failure, not the platform's (outcome.ts).
        try:
            text = "%s: %s" % (type(error).__name__, error)
        except BaseException:  # a hostile __str__
            text = "an exception that cannot be printed"
        _reply({"lane_error": text})


def _load_items():
    return _loads(_call(b"I"))


def precompile(sources, target_dir):
    """Writes a copy of each wheel archive into target_dir with a bytecode file beside every module
    (`x.pyc` next to `x.py`, where zipimport looks for it), as unchecked hash-based pycs: every
    execution restarts from the image, so without them each one would compile the package again.
    Runs as the lane's own code, before any user code sees the environment."""
    import importlib.util
    import zipfile
    from importlib._bootstrap_external import _code_to_hash_pyc

    os.makedirs(target_dir, exist_ok=True)
    for source in sources:
        target = os.path.join(target_dir, os.path.basename(source))
        with zipfile.ZipFile(source) as wheel, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
            names = set(wheel.namelist())
            for info in wheel.infolist():
                data = wheel.read(info)
                out.writestr(info.filename, data)
                if not info.filename.endswith(".py") or info.filename + "c" in names:
                    continue
                try:
                    code = compile(data, "%s/%s" % (source, info.filename), "exec", dont_inherit=True)
                except (SyntaxError, ValueError):
                    continue  # left to fail at import, where the user sees it
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                out.writestr(info.filename + "c", bytes(pyc))


# ---- asyncio without sockets: WASI has none, so asyncio's default loop cannot make its self-pipe. This
# loop's "selector" sleeps until the next timer (time.sleep waits on the host's deadline flag); it runs
# coroutines to completion, interruptibly.

class _Selector:
    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError("asyncio: nothing left to run and nothing to wait for (a future that is never set?)")
        if timeout > 0:
            time.sleep(timeout)
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)

        class Policy(asyncio.DefaultEventLoopPolicy):
            def new_event_loop(self):
                return IsolaEventLoop()

        asyncio.set_event_loop_policy(Policy())
        asyncio.set_event_loop(None)


PRELOAD = (
    "abc argparse array ast base64 binascii bisect calendar collections collections.abc contextlib copy csv "
    "dataclasses datetime decimal difflib email.utils enum fnmatch fractions functools glob gzip hashlib heapq "
    "hmac html inspect io itertools json logging math numbers operator os pathlib pprint "
    "queue random re secrets shlex statistics string struct textwrap time traceback typing unicodedata "
    "urllib.parse uuid xml.etree.ElementTree zipfile zlib asyncio"
).split()


def boot(extra_modules=()):
    # The worker's hash seed reached the interpreter through the environment; the guest need not see it.
    os.environ.pop("PYTHONHASHSEED", None)
    importlib.import_module("isola_egress").install(_exchange)
    _install_event_loop()
    for name in PRELOAD + list(extra_modules):
        importlib.import_module(name)
    sys.argv = ["main.py"]


def preload_environment(paths, candidates):
    """Imports the modules of `candidates` that the environment's wheels (`paths`) provide, as the last
    step of an environment image (src/lanes/cpython/driver.ts): executions of that environment then
    start with them imported. Any import error fails the turn, and the driver keeps importing per
    execution. sys.path is left as the base image has it: entry() adds the paths for every execution."""
    import zipfile

    provided = set()
    for path in paths:
        with zipfile.ZipFile(path) as wheel:
            for name in wheel.namelist():
                top, _, rest = name.partition("/")
                if rest in ("__init__.py", "__init__.pyc"):
                    provided.add(top)
                elif not rest and name.endswith((".py", ".pyc")):
                    provided.add(name.rsplit(".", 1)[0])
    sys.path[0:0] = paths
    try:
        for name in candidates:
            if name in provided:
                importlib.import_module(name)
    finally:
        del sys.path[0:len(paths)]


def _exchange(message):
    return _call(b"F" + message)
