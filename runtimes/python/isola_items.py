"""Isola's batch items, guest side, shared by the CPython (WASI) lane and the native lane: the `args` and
`ctx` that `def execute(args, ctx)` receives for one item, and the report the lane hands back,
`{"value": <what execute returned>, "ports": {<port>: [...]} | None}`. What the report means (fan-out,
item shapes, `paired`) is decided on the host (src/engine/items/item-output.ts), which checks it again:
this module only collects. The JavaScript lanes' twin is runtimes/shared/batch-item.js.

    args.input        the item's json          args.item        the item, {"json", "binary"?}
    args.item_index   its index in the batch   args.items       the whole batch (read on first use)
    ctx.emit_ports({"error": [{"json": {...}}]})   route items to named ports (calls add up)

`args["input"]` works too, for code written against dicts.
"""

import json

import isola_runner as runner


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


class Context:
    __slots__ = ("_ports",)

    def __init__(self):
        self._ports = None

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


def execute(code, filename, item_json, index, load_items, output_limit, run_coroutine=None, stdin=None):
    """One item: the module statements, then execute(args, ctx); the runner's result dict, whose
    return_json is the report."""
    args = Args(json.loads(item_json), index, load_items)
    ctx = Context()
    return runner.execute(code, filename, "main", item_json, output_limit, run_coroutine=run_coroutine, stdin=stdin,
                          entry="execute", call=lambda entry: entry(args, ctx),
                          wrap=lambda value: {"value": value, "ports": ctx._ports})
