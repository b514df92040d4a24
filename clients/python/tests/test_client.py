"""The sync client against a real Isola server: results, typed refusals, deadlines, reads."""

from __future__ import annotations

import time

import pytest
from conftest import ADD_JS, ADD_PY, busy_js
from isola_client import ExecuteRequest, IsolaClient, IsolaError, RetryEvent, RetryPolicy


def test_runs_javascript(isola_url: str) -> None:
    with IsolaClient(isola_url) as client:
        result = client.execute(ExecuteRequest(language="javascript", code=ADD_JS, inputs={"a": 2, "b": 3}))
    assert result.ok
    assert result.output == {"sum": 5}
    assert result.environment.lane == "quickjs"
    assert result.id.startswith("ex_")
    assert result.raw["output"] == {"sum": 5}


def test_runs_python(isola_url: str) -> None:
    with IsolaClient(isola_url) as client:
        result = client.execute(ExecuteRequest(language="python", code=ADD_PY, inputs={"a": 40, "b": 2}))
    assert result.status == "completed"
    assert result.output == {"sum": 42}
    assert result.environment.lane != "quickjs"


def test_a_failed_run_is_a_result(isola_url: str) -> None:
    with IsolaClient(isola_url) as client:
        result = client.execute(ExecuteRequest(language="python", code="raise ValueError('boom')"))
    assert result.status == "completed"
    assert not result.ok
    assert result.error is not None
    assert result.error.type == "exception"
    assert "boom" in (result.error.traceback or result.error.message)


def test_a_400_is_isola_error_with_code_status_and_field(isola_url: str) -> None:
    with IsolaClient(isola_url) as client, pytest.raises(IsolaError) as raised:
        client.execute(ExecuteRequest(language="javascript", code=ADD_JS, timeout_ms=0), request_id="py-client-400")
    error = raised.value
    assert error.code == "invalid_request"
    assert error.status == 400
    assert error.field == "timeout_ms"
    assert [issue.field for issue in error.issues] == ["timeout_ms"]
    assert error.request_id == "py-client-400"


def test_gives_up_at_the_timeout_with_client_timeout(isola_url: str) -> None:
    started = time.monotonic()
    with IsolaClient(isola_url) as client, pytest.raises(IsolaError) as raised:
        client.execute(ExecuteRequest(language="javascript", code=busy_js(5_000), timeout_ms=20_000), timeout=0.3)
    assert raised.value.code == "client_timeout"
    assert raised.value.status is None
    assert time.monotonic() - started < 3


def test_execute_is_not_retried_when_the_connection_fails(unreachable_url: str) -> None:
    events: list[RetryEvent] = []
    with IsolaClient(unreachable_url, on_retry=events.append) as client, pytest.raises(IsolaError) as raised:
        client.execute(ExecuteRequest(language="javascript", code=ADD_JS))
    assert raised.value.code == "client_network"
    assert events == []


def test_a_read_is_retried_when_the_connection_fails(unreachable_url: str) -> None:
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_attempts=3, base_delay_s=0.01)
    with IsolaClient(unreachable_url, retry=policy, on_retry=events.append) as client, pytest.raises(IsolaError) as raised:
        client.ready()
    assert raised.value.code == "client_network"
    assert [event.attempt for event in events] == [1, 2]


def test_ready_and_openapi(isola_url: str) -> None:
    with IsolaClient(isola_url) as client:
        report = client.ready()
        document = client.openapi()
    assert report.status == "ready"
    assert report.ready
    assert report.lanes["quickjs"]["available"] is True
    assert document["openapi"] == "3.1.0"
