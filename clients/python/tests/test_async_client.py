"""The async client against a real Isola server: the same calls and rules as the sync one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from conftest import ADD_JS, ADD_PY, Front, Scripted, busy_js
from isola_client import AsyncIsolaClient, ExecuteRequest, IsolaError, RetryEvent


def test_runs_python_and_javascript_concurrently(isola_url: str) -> None:
    async def run() -> list[object]:
        async with AsyncIsolaClient(isola_url) as client:
            results = await asyncio.gather(
                client.execute(ExecuteRequest(language="python", code=ADD_PY, inputs={"a": 1, "b": 2})),
                client.execute(ExecuteRequest(language="javascript", code=ADD_JS, inputs={"a": 3, "b": 4})),
            )
        return [result.output for result in results]

    assert asyncio.run(run()) == [{"sum": 3}, {"sum": 7}]


def test_a_400_is_isola_error(isola_url: str) -> None:
    async def run() -> None:
        async with AsyncIsolaClient(isola_url) as client:
            await client.execute(ExecuteRequest(language="javascript", code=ADD_JS, memory_mb=1))

    with pytest.raises(IsolaError) as raised:
        asyncio.run(run())
    assert (raised.value.code, raised.value.status, raised.value.field) == ("invalid_request", 400, "memory_mb")


def test_gives_up_at_the_timeout_with_client_timeout(isola_url: str) -> None:
    async def run() -> None:
        async with AsyncIsolaClient(isola_url) as client:
            await client.execute(ExecuteRequest(language="javascript", code=busy_js(5_000), timeout_ms=20_000), timeout=0.3)

    started = time.monotonic()
    with pytest.raises(IsolaError) as raised:
        asyncio.run(run())
    assert raised.value.code == "client_timeout"
    assert time.monotonic() - started < 3


def test_retries_a_503_then_returns_the_result(front: Callable[[list[Scripted]], Front]) -> None:
    proxy = front([Scripted(503, '{"error":{"code":"overloaded","message":"full","retry_after_s":1}}', {"retry-after": "1"})])
    events: list[RetryEvent] = []

    async def run() -> object:
        async with AsyncIsolaClient(proxy.url, on_retry=events.append) as client:
            return (await client.execute(ExecuteRequest(language="javascript", code=ADD_JS, inputs={"a": 1, "b": 1}))).output

    assert asyncio.run(run()) == {"sum": 2}
    assert [(event.status, event.delay_s) for event in events] == [(503, 1.0)]
    assert proxy.requests == ["POST /v1/execute", "POST /v1/execute"]
