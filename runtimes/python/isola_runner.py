"""Isola's Python entry conventions, shared by the Pyodide lane and the native (bubblewrap) lane.

Pure standard library; runs on CPython 3.11+ and in Pyodide (3.14). No pyodide or third-party imports.

Interface (fixed, see issue 3 "Behaviour"):

    execute(code, filename, mode, inputs_json, output_limit, run_coroutine=None) -> dict
    await execute_async(code, filename, mode, inputs_json, output_limit) -> dict
    prepare(code, filename, mode, run_coroutine=None) -> Prepared   # then Prepared.run(...) / run_async(...)
    await prepare_async(code, filename, mode) -> Prepared
    entry_mode(code, filename) -> "script"|"main"                     # what "auto" resolves to

The result dict is
    {"mode": "script"|"main", "exit_code": int, "return_json": str|None,
     "failure": None|{"type": str, "message": str, "traceback": str|None}}

Modes
- "auto": function mode iff the module defines `main` at top level (`def`, `async def` or `main = lambda`)
  and never calls it itself at top level (a call or a reference to `main` inside any call, e.g.
  `main()`, `asyncio.run(main())`, `fire.Fire(main)`, also under `if __name__ == '__main__':`), decided
  on the syntax tree (the C module _ast), never with a regex. "script" and "main" force a mode.
- Script mode runs the code as `__main__` (fresh module, __file__ = filename, sys.argv = [filename],
  sys.stdin = a fresh StringIO of inputs_json). Top-level `await` is allowed.
- Function mode runs the module statements as module "main" (so `if __name__ == '__main__'` blocks do not
  run), then calls main with the inputs as keyword arguments: keys the signature does not take are
  dropped unless it takes **kwargs; a missing required argument is an exception failure naming it.
  Inputs that are not a dict with string keys are passed as the single positional argument (or not at all
  when main takes no parameters).

Coroutines (`async def main`, top-level await): execute() drives them with `run_coroutine(awaitable)`,
default asyncio.run. Pyodide's webloop cannot asyncio.run inside a running loop: there, call
`await execute_async(...)` (it awaits in the current loop), or pass run_coroutine (e.g. pyodide.ffi.run_sync).

Return value -> JSON (return_json, compact, ensure_ascii=False, at most output_limit UTF-8 bytes, else
failure "output_limit"). Conversions, chosen to be friendly and lossless:
  tuple -> list; datetime/date/time -> ISO 8601 string; Decimal -> string (lossless); UUID -> string;
  dataclass instance -> dict of its fields; numpy scalars/arrays -> .tolist() (duck-typed, no import);
  dict keys of type int/float/bool/None -> strings as json does.
Everything else is failure "invalid_output" naming the type and path, e.g. `output["a"]: set`,
`output["rows"][3]["when"]: bytes`; NaN and Infinity too (JSON has none), and circular references.

Failures: exceptions give exit_code 1 and {"type": "exception", "message": "ZeroDivisionError: division
by zero", "traceback": <the user's frames only>}, the traceback also written to sys.stderr as Python
would. SyntaxError messages name line and column; the traceback shows the caret. sys.exit(n) -> exit_code
n without failure; sys.exit()/None -> 0; sys.exit("msg") -> "msg" on stderr, exit_code 1. MemoryError ->
{"type": "memory_limit"}, exit_code 1. KeyboardInterrupt is never caught: it propagates out of execute()
(the lanes turn it into a timeout).

Function mode with snapshots: prepare() runs the module statements (anything they print goes to the
then-current sys.stdout); a snapshot can be taken after it; Prepared.run() calls main. A failure during
prepare() is kept (Prepared.failure_result) and returned by every run(). Prepared.mode is the resolved mode.
A script-mode Prepared runs once (each run needs a fresh module): prepare again.

Numbers and bytes: bool is a JSON boolean; int subclasses (IntEnum) and str subclasses (StrEnum) are
their plain values; bytes/bytearray are refused (no encoding is the obvious one: decode or base64 them).
"""

import _ast
import io
import json
import linecache
import math
import sys
import types

# Imported here, not on the first annotated main(): in the CPython lane this line runs once, when the
# boot image is made, so an annotated main costs a dict lookup instead of an import per execution
# (~12 ms, the image forgets every import made after it).
import isola_typed_args

# Start-up cost matters in the native lane, where every job is a new interpreter: the C module _ast
# stands in for ast (whose import costs more than the rest of this file), traceback is imported on the
# first failure, inspect only for callables that are not plain functions, asyncio for coroutines; and
# datetime, decimal, uuid and dataclasses are looked up in sys.modules (a value can only be a Decimal if
# the user imported decimal).

__all__ = ["Prepared", "detect_mode", "entry_mode", "execute", "execute_async", "prepare", "prepare_async"]

_FUNCTION_MODULE = "main"


_FUNCTIONS = (_ast.FunctionDef, _ast.AsyncFunctionDef)


def _parse(code, filename):
    return compile(code, filename, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)


def _children(node):
    # ast.iter_child_nodes without importing ast.
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _ast.AST):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, _ast.AST):
                    yield item


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_children(current))


def entry_mode(code, filename="main.py"):
    """The mode "auto" resolves to for this code; "script" when it does not parse."""
    try:
        return detect_mode(_parse(code, filename))
    except (SyntaxError, ValueError):
        return "script"


def detect_mode(tree):
    """"main" iff the module defines main at top level and never calls or hands it off at top level."""
    defines = False
    for node in tree.body:
        if isinstance(node, _FUNCTIONS) and node.name == "main":
            defines = True
        elif isinstance(node, _ast.Assign) and isinstance(node.value, _ast.Lambda):
            if any(isinstance(t, _ast.Name) and t.id == "main" for t in node.targets):
                defines = True
    if not defines:
        return "script"
    return "script" if _calls_main(tree.body) else "main"


def _calls_main(statements):
    # Walk what runs at import time: everything except the bodies of functions and lambdas.
    stack = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, _ast.Call):
            for part in _walk(node):
                if isinstance(part, _ast.Name) and part.id == "main" and isinstance(part.ctx, _ast.Load):
                    if not _inside_deferred(node, part):
                        return True
        if isinstance(node, _FUNCTIONS):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, _ast.Lambda):
            continue
        stack.extend(_children(node))
    return False


def _inside_deferred(call, target):
    # `register(lambda: main())` does not call main now; a reference inside a nested def/lambda is deferred.
    for node in _walk(call):
        if node is not call and isinstance(node, (_ast.Lambda, *_FUNCTIONS)):
            if any(n is target for n in _walk(node)):
                return True
    return False


class Prepared:
    """Code compiled (script mode) or imported (function mode), ready to run once per call of run()."""

    def __init__(self, code, filename, mode, entry="main"):
        self.code = code[1:] if code.startswith("\ufeff") else code  # editors' byte-order mark
        self.filename = filename
        self.entry = entry  # the function called in function mode: main, or a batch item's execute
        self.requested = mode
        self.mode = "script" if mode == "auto" else mode
        self.compiled = None
        self.module = None
        self.main = None
        self.failure_result = None
        self.ran = False

    def run(self, inputs_json="{}", output_limit=10 * 1024 * 1024, run_coroutine=None, call=None, wrap=None):
        """call(entry) calls the entry function instead of main's keyword convention; wrap(value) is what
        gets serialised instead of the value itself (isola_items.py: a batch item's report)."""
        return _drive(self._run_steps(inputs_json, output_limit, call, wrap), run_coroutine)

    async def run_async(self, inputs_json="{}", output_limit=10 * 1024 * 1024):
        return await _drive_async(self._run_steps(inputs_json, output_limit))

    def _prepare_steps(self, inputs_json):
        try:
            tree = _parse(self.code, self.filename)
        except SyntaxError as error:
            self.failure_result = _syntax_failure(self.mode if self.requested != "auto" else "script", error)
            return
        if self.requested == "auto":
            self.mode = detect_mode(tree)
        flags = _ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        try:
            self.compiled = compile(tree, self.filename, "exec", flags=flags, dont_inherit=True)
        except SyntaxError as error:
            self.failure_result = _syntax_failure(self.mode, error)
            return
        _register_source(self.filename, self.code)
        if self.mode != "main":
            return
        self.module = types.ModuleType(_FUNCTION_MODULE)
        self.module.__file__ = self.filename
        outcome = yield from _guarded(self, inputs_json, lambda: self._exec_module())
        if outcome is not None:
            self.failure_result = outcome
            return
        main = self.module.__dict__.get(self.entry)
        if main is None:
            missing = ("items were given but the code defines no execute(args, ctx)" if self.entry == "execute"
                       else "entrypoint 'main' requested but the code defines no main()")
            self.failure_result = _failure_result("main", 1, "exception", "NameError: " + missing)
        elif not callable(main):
            self.failure_result = _failure_result(
                "main", 1, "exception", "TypeError: %s is not callable (it is %s)" % (self.entry, type(main).__name__))
        else:
            self.main = main

    def _exec_module(self):
        result = eval(self.compiled, self.module.__dict__)
        return result  # a coroutine when the module uses top-level await

    def _run_steps(self, inputs_json, output_limit, call=None, wrap=None):
        if self.failure_result is not None:
            return dict(self.failure_result)
        if self.mode == "script":
            if self.ran:
                raise RuntimeError("a script-mode Prepared runs once")  # a fresh module per run: prepare again
            self.ran = True
            self.module = types.ModuleType("__main__")
            self.module.__file__ = self.filename
            outcome = yield from _guarded(self, inputs_json, lambda: eval(self.compiled, self.module.__dict__))
            if outcome is not None:
                return outcome
            return _failure_result("script", 0, None, None)
        value_box = []

        def call_main():
            value = call(self.main) if call is not None else _call_main(self.main, json.loads(inputs_json))
            value_box.append(value)
            return value

        outcome = yield from _guarded(self, inputs_json, call_main, value_box)
        if outcome is not None:
            return outcome
        try:
            return_json = to_json(value_box[-1] if wrap is None else wrap(value_box[-1]), output_limit)
        except _OutputError as error:
            return _failure_result("main", 1, error.kind, error.message)
        except MemoryError:
            return _failure_result("main", 1, "memory_limit", "MemoryError while serializing the return value")
        result = _failure_result("main", 0, None, None)
        result["return_json"] = return_json
        return result


def _guarded(prepared, inputs_json, action, value_box=None):
    """Run action() (and await what it returns) as the user's code: a generator yielding awaitables.

    Returns None on success, else a result dict. KeyboardInterrupt and other BaseExceptions pass through.
    """
    mode = prepared.mode
    module_name = "__main__" if mode == "script" else _FUNCTION_MODULE
    saved = (sys.stdin, sys.argv, sys.modules.get(module_name))
    sys.stdin = _LazyStdin(_stdin_text if _stdin_text is not None else inputs_json)
    sys.argv = [prepared.filename]
    sys.modules[module_name] = prepared.module
    try:
        try:
            value = action()
            if _is_awaitable(value):
                value = yield value
                if value_box is not None:
                    value_box.append(value)
        except SystemExit as error:
            return _exit_result(mode, error.code)
        except _InvalidInput as error:
            _write_stderr("InvalidInput: %s\n" % error)
            return _failure_result(mode, 1, "invalid_input", str(error))
        except MemoryError as error:
            report = _format_exception(error, prepared.filename, module_name)
            _write_stderr(report)
            return _failure_result(mode, 1, "memory_limit", _exception_message(error, module_name), report)
        except OverflowError as error:
            # On wasm32 a request for more memory than the address space (bytearray(3 * 1024**3),
            # [0] * 10**10) fails converting its size, before any allocation: 64-bit CPython raises
            # MemoryError for the same code. Only that conversion's message is a memory failure.
            report = _format_exception(error, prepared.filename, module_name)
            _write_stderr(report)
            kind = "memory_limit" if str(error) == _INDEX_OVERFLOW else "exception"
            return _failure_result(mode, 1, kind, _exception_message(error, module_name), report)
        except Exception as error:
            report = _format_exception(error, prepared.filename, module_name)
            _write_stderr(report)
            return _failure_result(mode, 1, "exception", _exception_message(error, module_name), report)
        return None
    finally:
        sys.stdin, sys.argv = saved[0], saved[1]
        if saved[2] is None:
            sys.modules.pop(module_name, None)
        else:
            sys.modules[module_name] = saved[2]
        _flush()


_INDEX_OVERFLOW = "cannot fit 'int' into an index-sized integer"


class _LazyStdin(io.TextIOBase):
    """sys.stdin over the request's text, made into a StringIO only when read.

    A StringIO with an initial value keeps it as 4 bytes per character: 40 MB more for a 10 MiB input
    that most code never reads from stdin (it gets the same inputs as main's arguments or inputs.json).
    """

    def __init__(self, text):
        super().__init__()
        self._text = text
        self._io = None

    def _real(self):
        if self._io is None:
            self._io = io.StringIO(self._text)
            self._text = None
        return self._io

    def read(self, size=-1):
        return self._real().read(size)

    def readline(self, size=-1):
        return self._real().readline(size)

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        return self._real().seek(offset, whence)

    def tell(self):
        return self._real().tell()

    def getvalue(self):
        return self._real().getvalue()


def _is_awaitable(value):
    return isinstance(value, types.CoroutineType) or hasattr(type(value), "__await__")


_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08


def _parameters(main):
    """[(name, kind, required)] of main's signature, kind one of posonly, pos, varpos, kwonly, varkw.

    Plain functions are read from their code object (inspect costs a native start-up several ms);
    anything else (decorated with functools.wraps, classes, partials) through inspect.signature.
    None when there is no signature to read.
    """
    if isinstance(main, types.FunctionType) and not hasattr(main, "__wrapped__"):
        code = main.__code__
        names, positional, kwonly = code.co_varnames, code.co_argcount, code.co_kwonlyargcount
        first_default = positional - len(main.__defaults__ or ())
        kwdefaults = main.__kwdefaults__ or {}
        params = [(names[i], "posonly" if i < code.co_posonlyargcount else "pos", i < first_default)
                  for i in range(positional)]
        params += [(name, "kwonly", name not in kwdefaults) for name in names[positional:positional + kwonly]]
        cursor = positional + kwonly
        if code.co_flags & _CO_VARARGS:
            params.append((names[cursor], "varpos", False))
            cursor += 1
        if code.co_flags & _CO_VARKEYWORDS:
            params.append((names[cursor], "varkw", False))
        return params
    import inspect

    try:
        signature = inspect.signature(main)
    except (TypeError, ValueError):
        return None
    kinds = {inspect.Parameter.POSITIONAL_ONLY: "posonly", inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos",
             inspect.Parameter.VAR_POSITIONAL: "varpos", inspect.Parameter.KEYWORD_ONLY: "kwonly",
             inspect.Parameter.VAR_KEYWORD: "varkw"}
    return [(p.name, kinds[p.kind], p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
            for p in signature.parameters.values()]


def _call_main(main, inputs):
    params = _parameters(main)
    if params is None:
        return main(**inputs) if _is_kwargs(inputs) else main(inputs)
    if not _is_kwargs(inputs):
        takes_positional = any(kind in ("posonly", "pos", "varpos") for _, kind, _ in params)
        return _call_typed(main, params, [inputs], {}) if takes_positional else main()
    if any(kind == "varkw" for _, kind, _ in params):
        keywords = dict(inputs)
    else:
        names = {name for name, kind, _ in params if kind in ("pos", "kwonly")}
        keywords = {key: value for key, value in inputs.items() if key in names}
    positional = []
    for name, kind, _ in params:
        if kind != "posonly" or name not in inputs:
            break  # positional-only arguments can be given in order only, up to the first one missing
        positional.append(inputs[name])
        keywords.pop(name, None)
    missing = [name for name, _, required in params if required and name not in inputs]
    if missing:
        names = ", ".join("'%s'" % name for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise TypeError("main() missing required argument%s: %s" % (plural, names))
    return _call_typed(main, params, positional, keywords)


def _call_typed(main, params, positional, keywords):
    # Annotated parameters get their JSON converted first (isola_typed_args.py).
    annotations = _annotations_of(main)
    if annotations:
        names = [name for name, kind, _ in params if kind in ("posonly", "pos")]
        try:
            positional, keywords = isola_typed_args.convert_arguments(main, positional, keywords, names)
        except isola_typed_args.InvalidInput as error:
            raise _InvalidInput(str(error)) from None
    return main(*positional, **keywords)


def _annotations_of(main):
    try:
        annotations = getattr(main, "__annotations__", None)
    except Exception:  # 3.14+ evaluates annotations lazily: a name that does not resolve raises here
        return None
    if not isinstance(annotations, dict):
        return None
    return {name: value for name, value in annotations.items() if name != "return"}


class _InvalidInput(Exception):
    """main()'s arguments do not convert to its annotations: the failure type invalid_input."""


def _is_kwargs(inputs):
    return isinstance(inputs, dict) and all(isinstance(key, str) for key in inputs)


def _exit_result(mode, code):
    if code is None:
        return _failure_result(mode, 0, None, None)
    if isinstance(code, int):  # bool included, as CPython does
        return _failure_result(mode, int(code) & 0xFF, None, None)  # what a process exit status keeps
    _write_stderr(str(code) + "\n")
    return _failure_result(mode, 1, None, None)


def _failure_result(mode, exit_code, kind, message, report=None):
    failure = None if kind is None else {"type": kind, "message": message, "traceback": report}
    return {"mode": mode, "exit_code": exit_code, "return_json": None, "failure": failure}


def _syntax_failure(mode, error):
    import traceback

    report = "".join(traceback.format_exception_only(type(error), error))
    _write_stderr(report)
    where = "line %s" % error.lineno
    if error.offset:
        where += ", column %s" % error.offset
    message = "%s: %s (%s)" % (type(error).__name__, error.msg, where)
    return _failure_result(mode, 1, "exception", message, report)


def _exception_message(error, module_name):
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__", module_name):
        name = "%s.%s" % (kind.__module__, name)
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not turn the report into a crash
        text = "<exception str() failed>"
    return "%s: %s" % (name, text) if text else name


def _format_exception(error, filename, module_name):
    import traceback

    summary = traceback.TracebackException(type(error), error, error.__traceback__, compact=True)
    _trim(summary, filename, set())
    lines = "".join(summary.format())
    # CPython names classes of the script's own module without a prefix; do the same for module "main".
    if module_name == "__main__":
        return lines
    return ("\n" + lines).replace("\n%s." % module_name, "\n")[1:]


def _trim(summary, filename, seen):
    """Drop the runner's frames: keep the stack from the first frame of the user's file on."""
    import traceback

    if summary is None or id(summary) in seen:
        return
    seen.add(id(summary))
    frames = list(summary.stack)
    for index, frame in enumerate(frames):
        if frame.filename == filename:
            summary.stack = traceback.StackSummary.from_list(frames[index:])
            break
    else:
        # No user frame (raised by the runner on the user's behalf, e.g. a missing argument).
        summary.stack = traceback.StackSummary.from_list([])
    _trim(summary.__cause__, filename, seen)
    _trim(summary.__context__, filename, seen)
    for inner in getattr(summary, "exceptions", None) or []:
        _trim(inner, filename, seen)


def _register_source(filename, code):
    # Tracebacks and inspect.getsource read lines through linecache; mtime None keeps checkcache away.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)


def _write_stderr(text):
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:  # a closed or replaced stderr must not turn a result into a crash
        pass


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


class _OutputError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def to_json(value, output_limit):
    """Serialize a return value under the rules of the module docstring. Raises _OutputError."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        # Slow path only when the fast one fails: convert friendly types and find the offending path.
        try:
            plain = _to_plain(value, "output", set())
            text = json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except RecursionError:
            # Deep values can exhaust the stack before _to_plain's own depth check (3.11 spends two
            # frames per level); that is still the output's fault, not a crash of the runner.
            raise _OutputError("invalid_output", "output: nested too deep to serialize as JSON") from None
    size = len(text.encode("utf-8"))
    if size > output_limit:
        raise _OutputError("output_limit", "main() returned %d bytes of JSON, over the output limit of %d bytes"
                           % (size, output_limit))
    return text


def _loaded(module_name, attribute):
    module = sys.modules.get(module_name)
    return getattr(module, attribute, ()) if module is not None else ()


def _to_plain(value, path, active):
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _OutputError("invalid_output", "%s: float %r is not JSON (no NaN or Infinity)" % (path, value))
    if isinstance(value, _loaded("datetime", "date")) or isinstance(value, _loaded("datetime", "time")):
        return value.isoformat()  # datetime.datetime is a date
    if isinstance(value, _loaded("decimal", "Decimal")):
        if not value.is_finite():
            raise _OutputError("invalid_output", "%s: Decimal %s is not JSON" % (path, value))
        return str(value)
    if isinstance(value, _loaded("uuid", "UUID")):
        return str(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _to_plain(value.tolist(), path, active)
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            raise _OutputError("invalid_output", "%s: circular reference" % path)
        if len(active) > 500:
            raise _OutputError("invalid_output", "%s: nested more than 500 levels deep" % path)
        active.add(id(value))
        try:
            if isinstance(value, dict):
                plain = {}
                for key, item in value.items():
                    if not (key is None or isinstance(key, (str, int, float, bool))):
                        raise _OutputError("invalid_output", "%s: dict key of type %s" % (path, _type_name(key)))
                    plain[key] = _to_plain(item, "%s[%s]" % (path, json.dumps(key, ensure_ascii=False)), active)
                return plain
            return [_to_plain(item, "%s[%d]" % (path, index), active) for index, item in enumerate(value)]
        finally:
            active.discard(id(value))
    raise _OutputError("invalid_output", "%s: %s" % (path, _type_name(value)))


def _type_name(value):
    kind = type(value)
    if kind.__module__ in ("builtins", "__main__", _FUNCTION_MODULE):
        return kind.__qualname__
    return kind.__qualname__ if kind.__module__.startswith("_") else "%s.%s" % (kind.__module__, kind.__qualname__)


def _drive(steps, run_coroutine):
    """Run a step generator to its end, awaiting what it yields with run_coroutine (default asyncio.run)."""
    runner = run_coroutine or _run_default
    try:
        awaitable = next(steps)
        while True:
            try:
                value = runner(awaitable)
            except BaseException as error:  # thrown into the generator; it re-raises what it does not handle
                if isinstance(awaitable, types.CoroutineType):
                    awaitable.close()  # a driver that could not start it must not leave it "never awaited"
                awaitable = steps.throw(error)
            else:
                awaitable = steps.send(value)
    except StopIteration as stop:
        return stop.value


async def _drive_async(steps):
    try:
        awaitable = next(steps)
        while True:
            try:
                value = await awaitable
            except BaseException as error:
                awaitable = steps.throw(error)
            else:
                awaitable = steps.send(value)
    except StopIteration as stop:
        return stop.value


def _run_default(awaitable):
    import asyncio

    if isinstance(awaitable, types.CoroutineType):
        return asyncio.run(awaitable)

    async def wrap():
        return await awaitable

    return asyncio.run(wrap())


def prepare(code, filename="main.py", mode="auto", run_coroutine=None, inputs_json="{}", entry="main"):
    """Compile, decide the mode, and in function mode run the module statements. Returns a Prepared."""
    prepared = Prepared(code, filename, mode, entry)
    _drive(prepared._prepare_steps(inputs_json), run_coroutine)
    return prepared


async def prepare_async(code, filename="main.py", mode="auto", inputs_json="{}"):
    prepared = Prepared(code, filename, mode)
    await _drive_async(prepared._prepare_steps(inputs_json))
    return prepared


# What sys.stdin reads during one execute(): the request's stdin when it has one, else inputs_json.
_stdin_text = None


def execute(code, filename="main.py", mode="auto", inputs_json="{}", output_limit=10 * 1024 * 1024,
            run_coroutine=None, stdin=None, entry="main", call=None, wrap=None):
    global _stdin_text
    _stdin_text = stdin
    prepared = prepare(code, filename, mode, run_coroutine, inputs_json, entry)
    try:
        return prepared.run(inputs_json, output_limit, run_coroutine, call, wrap)
    finally:
        _stdin_text = None
        linecache.cache.pop(filename, None)


async def execute_async(code, filename="main.py", mode="auto", inputs_json="{}", output_limit=10 * 1024 * 1024):
    prepared = await prepare_async(code, filename, mode, inputs_json)
    try:
        return await prepared.run_async(inputs_json, output_limit)
    finally:
        linecache.cache.pop(filename, None)
