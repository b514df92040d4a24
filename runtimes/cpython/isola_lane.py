"""Isola's CPython-on-WASI lane, guest side: the glue between the host (src/lanes/cpython/driver.ts)
and the shared runner (runtimes/python/isola_runner.py).

The host talks to the guest through one door, the `_host` module's `call(bytes) -> bytes`:
  b"J"            -> the job: JSON {code, filename, mode, inputs, outputLimit}
  b"R" + json     -> the result, once, at the end
  b"F" + ...      -> an HTTP exchange through the egress bridge (see isola_egress.py)

`boot()` runs once per worker, before the interpreter's image is taken; `entry()` runs once per
execution, on a copy of that image. Nothing an execution leaves behind survives it: the host puts
every byte of memory back afterwards. What the image would otherwise repeat for every execution
(random seeds, temp-file names) is renewed at the start of each one.
"""

import importlib
import json
import os
import random
import sys
import tempfile

import _host

import isola_runner as runner

# Captured now: user code may replace json.dumps, and the reply must still get out.
_dumps = json.dumps
_loads = json.loads
_call = _host.call


def _fresh():
    random.seed()
    tempfile._name_sequence = None
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _reply(value):
    try:
        data = _dumps(value).encode("ascii")
    except BaseException as error:  # noqa: BLE001 - whatever user code broke, answer something
        data = b'{"internal": "the result could not be encoded (%s)"}' % type(error).__name__.encode("ascii", "replace")
    _call(b"R" + data)


def entry():
    try:
        request = _loads(_call(b"J"))
        _fresh()
        os.chdir("/work")
        result = runner.execute(request["code"], request["filename"], request["mode"], request["inputs"],
                                request["outputLimit"])
        _reply(result)
    except KeyboardInterrupt:
        _reply({"interrupted": True})
    except MemoryError:
        _reply({"memory": True})
    except BaseException as error:  # the runner handles the user's exceptions; this is the lane's own
        _reply({"internal": "%s: %s" % (type(error).__name__, error)})


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
    for name in PRELOAD + list(extra_modules):
        importlib.import_module(name)
    sys.argv = ["main.py"]


def _exchange(message):
    return _call(b"F" + message)
