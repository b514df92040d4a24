"""Isola's batch items, guest side, shared by the CPython (WASI) lane and the native lane: the `args` and
`ctx` that `def execute(args, ctx)` receives for one item, and the report the lane hands back,
`{"value": <what execute returned>, "ports": {<port>: [...]} | None}`. What the report means (fan-out,
item shapes, `paired`) is decided on the host (src/engine/items/item-output.ts), which checks it again:
this module only collects. The JavaScript lanes' twin is runtimes/shared/batch-item.js.

    args.input        the item's json          args.item        the item, {"json", "binary"?}
    args.item_index   its index in the batch   args.items       the whole batch (read on first use)
    ctx.emit_ports({"error": [{"json": {...}}]})   route items to named ports (calls add up)
    ctx.binary.get(name)                            an input attachment's bytes (/data/binary/<index>/<name>)
    ctx.binary.attach(name=, body=, mime_type=, filename=)   a new attachment; returns its reference

`args["input"]` works too, for code written against dicts.
"""

import json
import os
import re

import isola_runner as runner

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}\Z")
#: What attach()'s reference says until the host stored the bytes (src/lanes/lane.ts OUTBOX_ID_PREFIX).
_OUTBOX_ID_PREFIX = "outbox:"


class Args:
    __slots__ = ("_items", "_load_items", "input", "item", "item_index")

    def __init__(self, item, index, load_items):
        self.input = item.get("json")
        self.item = item
        self.item_index = index
        self._items = None
        self._load_items = load_items

    @property
    def items(self):
        if self._items is None:
            self._items = self._load_items()
        return self._items

    def __getitem__(self, key):
        if key in ("input", "item", "item_index", "items", "itemIndex"):
            return getattr(self, "item_index" if key == "itemIndex" else key)
        raise KeyError(key)

    def __repr__(self):
        return "Args(item_index=%d, input=%r)" % (self.item_index, self.input)


class Binary:
    """An item's attachments: read the ones it came with, attach new ones (bytes go to a file in the
    outbox directory, which the host collects after the item; only the reference travels in JSON)."""

    __slots__ = ("_index", "_names", "_outbox")

    def __init__(self, item, index, outbox):
        binary = item.get("binary")
        self._names = frozenset(binary) if isinstance(binary, dict) else frozenset()
        self._index = index
        self._outbox = outbox

    def get(self, name):
        if name not in self._names:
            return None
        with open("/data/binary/%d/%s" % (self._index, name), "rb") as handle:
            return handle.read()

    def attach(self, name, body, mime_type=None, filename=None, **kwargs):
        mime_type = kwargs.pop("mimeType", mime_type)  # the JavaScript spelling
        if kwargs:
            raise TypeError("ctx.binary.attach: unexpected arguments %s" % ", ".join(sorted(kwargs)))
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError("ctx.binary.attach: name must be letters, digits, _ . - (at most 128), got %r" % (name,))
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        elif not isinstance(body, bytes):
            raise TypeError("ctx.binary.attach: body must be str or bytes, got %s" % type(body).__name__)
        os.makedirs(self._outbox, exist_ok=True)
        with open(os.path.join(self._outbox, name), "wb") as handle:
            handle.write(body)
        ref = {"id": _OUTBOX_ID_PREFIX + name, "size": len(body)}
        if mime_type is not None:
            ref["mime_type"] = str(mime_type)
        if filename is not None:
            ref["filename"] = str(filename)
        return ref


class Context:
    __slots__ = ("_ports", "binary")

    def __init__(self, binary):
        self._ports = None
        self.binary = binary

    def emit_ports(self, by_port):
        """Route items to named ports: ctx.emit_ports({"error": [{"json": {...}}]})."""
        if not isinstance(by_port, dict):
            raise TypeError('ctx.emit_ports takes a dict of item lists by port name, e.g. {"error": [{"json": {...}}]}')
        for name, items in by_port.items():
            if not isinstance(items, (list, tuple)):
                raise TypeError('ctx.emit_ports: port "%s" must be a list of items' % name)
            if self._ports is None:
                self._ports = {}
            self._ports.setdefault(name, []).extend(items)

    emitPorts = emit_ports  # the JavaScript spelling, for code ported from a JS node


def execute(code, filename, item_json, index, load_items, output_limit, run_coroutine=None, stdin=None,
            outbox="/tmp/isola-outbox"):
    """One item: the module statements, then execute(args, ctx); the runner's result dict, whose
    return_json is the report. `outbox`: where ctx.binary.attach writes (the lane collects it)."""
    item = json.loads(item_json)
    args = Args(item, index, load_items)
    ctx = Context(Binary(item, index, outbox))
    return runner.execute(code, filename, "main", item_json, output_limit, run_coroutine=run_coroutine, stdin=stdin,
                          entry="execute", call=lambda entry: entry(args, ctx),
                          wrap=lambda value: {"value": value, "ports": ctx._ports})
