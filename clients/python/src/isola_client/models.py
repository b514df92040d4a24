"""Requests and results of the Isola API as dataclasses.

Field names are the wire names (src/contract/request.ts and response.ts); tests/test_openapi_contract.py
checks the request's against a real server's /openapi.json. Results keep the whole JSON in ``raw``, so a
field a newer server adds is still reachable before this package learns its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from .errors import IsolaError

Language = Literal["javascript", "typescript", "python"]
Entrypoint = Literal["auto", "script", "main"]
Runtime = Literal["auto", "wasm", "native"]

#: Server default of ``timeout_ms`` (LIMITS.timeoutMs.default), used to size the client's own timeout.
DEFAULT_TIMEOUT_MS = 10_000


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecuteRequest:
    """One execution. Fields left as None are not sent, and the server applies its defaults."""

    language: Language
    #: Source code; for ``language="wasm"``, a base64 module, or leave it empty and name an uploaded one in ``module``.
    code: str = ""
    #: ``{"id": <blob id from POST /v1/blobs>}``: an uploaded WASI module to run (``language="wasm"`` only).
    module: Mapping[str, str] | None = None
    inputs: Mapping[str, Any] | None = None
    entrypoint: Entrypoint | None = None
    timeout_ms: int | None = None
    memory_mb: int | None = None
    packages: Sequence[str] | None = None
    #: The egress allow-list, ``{"allow": ["api.example.com"]}``; none (the default) means no network.
    network: Mapping[str, Sequence[str]] | None = None
    runtime: Runtime | None = None
    prebuild: str | None = None
    #: ``"bash"`` (or a ``#!/bin/bash`` first line in ``prebuild``): a shell prebuild, run in the native lane.
    prebuild_language: str | None = None
    #: JSON Schema (2020-12) the inputs must match (a 400 naming the JSON pointer when they do not).
    input_schema: Mapping[str, Any] | bool | None = None
    #: JSON Schema the output must match (else the result error ``invalid_output``).
    output_schema: Mapping[str, Any] | bool | None = None
    #: Dify's output guards: ``"dify"`` or ``{"max_string_length", "max_depth", "max_array_length", "number_range"}``.
    output_guards: Mapping[str, Any] | str | None = None
    #: Convert inputs to input_schema's types first, as Dify does ("42" -> 42).
    coerce: bool | None = None
    stdin: str | None = None
    #: A batch: ``[{"json": {...}, "binary": {name: {"id": ...}}}]``; the code's ``execute(args, ctx)`` runs per item.
    items: Sequence[Mapping[str, Any]] | None = None
    continue_on_fail: bool | None = None
    #: ``"skip"`` (default) or ``"run_once"``: what an empty ``items`` does.
    empty_batch: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or (item.name == "code" and value == "" and self.module is not None):
                continue
            if item.name == "packages":
                value = list(value)
            elif item.name == "items":
                value = [dict(entry) for entry in value]
            elif item.name in ("inputs", "network", "module") or (item.name in ("input_schema", "output_schema", "output_guards") and isinstance(value, Mapping)):
                value = dict(value)
            body[item.name] = value
        return body


def _bad(what: str, data: Any) -> IsolaError:
    return IsolaError("client_bad_response", f"expected {what}, got {repr(data)[:200]}", status=200)


@dataclass(frozen=True, slots=True)
class RunError:
    """Why a run did not end normally (``type``: exception, timeout, memory_limit, ...)."""

    type: str
    message: str
    traceback: str | None = None
    #: invalid_output from output_schema or output_guards: the JSON pointer into the output, and the rule.
    pointer: str | None = None
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class Timings:
    queue_ms: float
    setup_ms: float
    run_ms: float


@dataclass(frozen=True, slots=True)
class Environment:
    lane: str
    hash: str
    cache: str
    mode: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecuteResult:
    """The result envelope: the code ran, whatever became of it (see ``status`` and ``error``)."""

    id: str
    status: Literal["completed", "error"]
    return_code: int | None
    output: Any
    stdout: str
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    #: Present only when stdout is valid JSON (``has_stdout_json`` tells a JSON null from absent).
    stdout_json: Any
    has_stdout_json: bool
    error: RunError | None
    started_at: str
    finished_at: str
    elapsed_ms: float
    timings: Timings
    environment: Environment
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        """The code ran to its end and exited 0."""
        return self.status == "completed" and self.return_code == 0

    @classmethod
    def from_json(cls, data: Any) -> ExecuteResult:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or data.get("status") not in ("completed", "error"):
            raise _bad("a result envelope", data)
        try:
            error = data.get("error")
            timings = data["timings"]
            environment = data["environment"]
            return cls(
                id=data["id"],
                status=data["status"],
                return_code=data["return_code"],
                output=data.get("output"),
                stdout=data["stdout"],
                stderr=data["stderr"],
                stdout_truncated=data["stdout_truncated"],
                stderr_truncated=data["stderr_truncated"],
                stdout_json=data.get("stdout_json"),
                has_stdout_json="stdout_json" in data,
                error=None if error is None else RunError(error["type"], error["message"], error.get("traceback"), error.get("pointer"), error.get("rule")),
                started_at=data["started_at"],
                finished_at=data["finished_at"],
                elapsed_ms=data["elapsed_ms"],
                timings=Timings(timings["queue_ms"], timings["setup_ms"], timings["run_ms"]),
                environment=Environment(
                    environment["lane"], environment["hash"], environment["cache"], environment.get("mode"), environment.get("reason")
                ),
                raw=data,
            )
        except (KeyError, TypeError) as missing:
            raise _bad(f"a result envelope ({missing!r})", data) from missing


@dataclass(frozen=True, kw_only=True, slots=True)
class ReadyReport:
    """GET /readyz: whether the engine accepts work, and what each lane and isolation ring reports."""

    status: Literal["ready", "unavailable"]
    ready: bool
    draining: bool
    lanes: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Any) -> ReadyReport:
        if not isinstance(data, dict) or data.get("status") not in ("ready", "unavailable"):
            raise _bad("a readiness report", data)
        return cls(
            status=data["status"],
            ready=bool(data.get("ready")),
            draining=bool(data.get("draining")),
            lanes=data.get("lanes") or {},
            raw=data,
        )
