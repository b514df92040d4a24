"""Convert main()'s JSON arguments to the types its annotations declare, before the call.

Shared by both Python lanes (the CPython WASI lane and the native lane), through isola_runner: only a main
with annotations imports this module. `def main(count: int, tags: list[str])` called with
{"count": "3", "tags": "a,b"} gets count=3 and tags=["a", "b"]. A value that cannot be converted raises
InvalidInput naming the parameter (and the position inside it), which the runner reports as the failure
type "invalid_input" instead of letting main fail somewhere inside with a TypeError.

Conversions (annotation <- JSON value):
  int <- int, integral float, "42";  float <- int, float, "4.5";  bool <- bool, "true"/"false", 0/1
  str <- str, number, bool;  list[T]/tuple[T, ...]/set[T] <- list, JSON list text, "a, b" (items converted)
  dict[K, V] <- dict, JSON object text (values converted);  T | None, Optional[T] <- None or T
  A | B <- the first that converts;  Literal[...] <- one of its values
  date/datetime/time (any class with fromisoformat) <- ISO text;  a dataclass <- dict of its fields;
  a class with model_validate (pydantic) <- what model_validate takes
Anything else (Any, object, unknown classes, string annotations that do not resolve) is passed as is.
Pure standard library; typing is only touched when the annotations already loaded it.
"""

import json
import sys
import types

__all__ = ["InvalidInput", "convert_arguments"]


class InvalidInput(Exception):
    """An argument that does not convert to its annotation; the message names the parameter."""


class _Mismatch(Exception):
    def __init__(self, where, expected, value):
        super().__init__(where)
        self.where = where
        self.expected = expected
        self.value = value


def _hints(main):
    try:
        annotations = getattr(main, "__annotations__", None)
    except Exception:  # 3.14+ evaluates lazily: an unresolvable name raises here
        return {}
    if not isinstance(annotations, dict) or not annotations:
        return {}
    if any(isinstance(value, str) for value in annotations.values()):
        # `from __future__ import annotations` or quoted hints: resolve them in main's module.
        import typing

        try:
            return typing.get_type_hints(main)
        except Exception:
            # An unresolvable name: keep what is already a type, pass the rest unconverted.
            return {name: value for name, value in annotations.items() if not isinstance(value, str)}
    return annotations


def convert_arguments(main, positional, keywords, names):
    """(positional, keywords) with every annotated argument converted. `names` are the positional
    parameters' names, in order. Raises InvalidInput."""
    hints = _hints(main)
    if not hints:
        return positional, keywords
    converted = list(positional)
    for index, value in enumerate(converted):
        name = names[index] if index < len(names) else None
        if name in hints:
            converted[index] = _argument(name, hints[name], value)
    out = dict(keywords)
    for name, value in out.items():
        if name in hints:
            out[name] = _argument(name, hints[name], value)
    return converted, out


def _argument(name, annotation, value):
    try:
        return _convert(annotation, value, "")
    except _Mismatch as error:
        raise InvalidInput("main() argument '%s'%s: expected %s, got %s" % (
            name, error.where, error.expected, _describe(error.value))) from None


def _describe(value):
    text = json.dumps(value, ensure_ascii=False, default=repr)
    if len(text) > 60:
        text = text[:57] + "..."
    return "%s %s" % (_json_type(value), text)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _name(annotation):
    if isinstance(annotation, type):
        return annotation.__name__
    return repr(annotation).replace("typing.", "")


def _typing_is(origin, attribute):
    typing = sys.modules.get("typing")
    return typing is not None and origin is getattr(typing, attribute, None)


def _convert(annotation, value, where):
    if annotation is None or annotation is type(None):
        if value is None:
            return None
        raise _Mismatch(where, "null", value)
    if annotation is object or _typing_is(annotation, "Any"):
        return value
    origin = getattr(annotation, "__origin__", None)
    if isinstance(annotation, types.UnionType) or _typing_is(origin, "Union"):
        return _union(annotation.__args__, value, where)
    if _typing_is(origin, "Literal"):
        if value in annotation.__args__:
            return value
        raise _Mismatch(where, "one of %s" % ", ".join(json.dumps(a) for a in annotation.__args__), value)
    if origin is not None:
        return _generic(annotation, origin, getattr(annotation, "__args__", ()), value, where)
    if not isinstance(annotation, type):
        return value  # a TypeVar, a NewType, a string that did not resolve: nothing to go by
    return _plain(annotation, value, where)


def _union(options, value, where):
    if value is None and type(None) in options:
        return None
    # An exact match wins over a conversion: `int | str` keeps "7" a string.
    for option in options:
        if isinstance(option, type) and option is not type(None) and _exact(option, value):
            return value
    for option in options:
        if option is type(None):
            continue
        try:
            return _convert(option, value, where)
        except _Mismatch:
            continue
    raise _Mismatch(where, " | ".join(_name(option) for option in options), value)


def _exact(kind, value):
    if kind is bool or isinstance(value, bool):
        return kind is bool and isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float))
    return kind in (int, str, list, dict) and isinstance(value, kind)


def _plain(kind, value, where):
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise _Mismatch(where, "bool", value)
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise _Mismatch(where, "int", value)
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
            if number is not None and number == number and number not in (float("inf"), float("-inf")):
                return number
        raise _Mismatch(where, "float", value)
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        raise _Mismatch(where, "str", value)
    if kind in (list, tuple, set, frozenset):
        return kind(_sequence(value, where, kind.__name__))
    if kind is dict:
        return _mapping(value, where)
    if isinstance(value, kind):
        return value
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and dataclasses.is_dataclass(kind) and isinstance(value, dict):
        return _dataclass(kind, value, where)
    if hasattr(kind, "model_validate"):
        try:
            return kind.model_validate(value)
        except Exception:
            raise _Mismatch(where, kind.__name__, value) from None
    if isinstance(value, str) and hasattr(kind, "fromisoformat"):
        try:
            return kind.fromisoformat(value)
        except (TypeError, ValueError):
            raise _Mismatch(where, "%s (ISO 8601)" % kind.__name__, value) from None
    return value  # a class we know nothing about: main gets the JSON value


def _sequence(value, where, expected):
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        return [] if text == "" else [part.strip() for part in text.split(",")]
    raise _Mismatch(where, expected, value)


def _mapping(value, where):
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    raise _Mismatch(where, "dict", value)


def _generic(annotation, origin, args, value, where):
    if origin in (list, set, frozenset) or _abstract_sequence(origin):
        items = _sequence(value, where, _name(annotation))
        item_type = args[0] if args else object
        converted = [_convert(item_type, item, "%s[%d]" % (where, i)) for i, item in enumerate(items)]
        return origin(converted) if origin in (set, frozenset) else converted
    if origin is tuple:
        items = _sequence(value, where, _name(annotation))
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item, "%s[%d]" % (where, i)) for i, item in enumerate(items))
        if args and len(args) != len(items):
            raise _Mismatch(where, "%s (%d items)" % (_name(annotation), len(args)), value)
        return tuple(_convert(kind, item, "%s[%d]" % (where, i)) for i, (kind, item) in enumerate(zip(args, items, strict=False)))  # lengths checked above
    if origin is dict or _abstract_mapping(origin):
        mapping = _mapping(value, where)
        value_type = args[1] if len(args) == 2 else object
        return {key: _convert(value_type, item, "%s[%s]" % (where, json.dumps(key))) for key, item in mapping.items()}
    return value


def _abstract_sequence(origin):
    abc = sys.modules.get("collections.abc")
    return abc is not None and origin in (abc.Sequence, abc.Iterable, abc.Collection, abc.MutableSequence)


def _abstract_mapping(origin):
    abc = sys.modules.get("collections.abc")
    return abc is not None and origin in (abc.Mapping, abc.MutableMapping)


def _dataclass(kind, value, where):
    dataclasses = sys.modules["dataclasses"]
    hints = _hints(kind)
    fields = {field.name for field in dataclasses.fields(kind)}
    arguments = {}
    for key, item in value.items():
        if key in fields:
            arguments[key] = _convert(hints.get(key, object), item, "%s[%s]" % (where, json.dumps(key)))
    try:
        return kind(**arguments)
    except TypeError as error:
        raise _Mismatch(where, "%s (%s)" % (kind.__name__, error), value) from None
