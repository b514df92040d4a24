"""The retry rules against real servers: an Isola server that refuses every execution (503 overloaded,
Retry-After: 1), and a real front server that refuses a scripted number of times, then proxies."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import formatdate

import pytest
from conftest import ADD_JS, Front, Scripted
from isola_client import ExecuteRequest, IsolaClient, IsolaError, RetryEvent, RetryPolicy, parse_retry_after

OVERLOADED = '{"error":{"code":"overloaded","message":"the execution queue is full","retry_after_s":1}}'
REQUEST = ExecuteRequest(language="javascript", code=ADD_JS, inputs={"a": 1, "b": 2})


def test_an_overloaded_server_is_retried_after_retry_after_then_reported(overloaded_url: str) -> None:
    events: list[RetryEvent] = []
    started = time.monotonic()
    with IsolaClient(overloaded_url, retry=RetryPolicy(max_attempts=3), on_retry=events.append) as client, pytest.raises(IsolaError) as raised:
        client.execute(REQUEST)
    error = raised.value
    assert (error.code, error.status, error.retry_after_s) == ("overloaded", 503, 1.0)
    assert [(event.attempt, event.delay_s, event.status) for event in events] == [(1, 1.0, 503), (2, 1.0, 503)]
    assert time.monotonic() - started >= 1.9


def test_the_refusal_comes_at_once_when_waiting_would_outlast_the_timeout(overloaded_url: str) -> None:
    events: list[RetryEvent] = []
    with IsolaClient(overloaded_url, on_retry=events.append) as client, pytest.raises(IsolaError) as raised:
        client.execute(REQUEST, timeout=0.5)
    assert raised.value.code == "overloaded"
    assert events == []


def test_a_503_and_a_429_with_an_http_date_are_retried_then_the_result_returned(front: Callable[[list[Scripted]], Front]) -> None:
    def in_two_seconds() -> dict[str, str]:
        return {"retry-after": formatdate(time.time() + 2, usegmt=True)}

    proxy = front([Scripted(503, OVERLOADED, {"retry-after": "1"}), Scripted(429, '{"error":{"code":"overloaded","message":"slow down"}}', in_two_seconds)])
    events: list[RetryEvent] = []
    with IsolaClient(proxy.url, on_retry=events.append) as client:
        result = client.execute(REQUEST)
    assert result.output == {"sum": 3}
    assert len(proxy.requests) == 3
    assert [event.status for event in events] == [503, 429]
    assert events[0].delay_s == 1.0
    # The date was 2 s ahead when sent, cut to whole seconds: more than 1 s of it is left.
    assert 0.5 < events[1].delay_s <= 2


def test_every_wait_is_capped_at_max_delay(front: Callable[[list[Scripted]], Front]) -> None:
    proxy = front([Scripted(503, OVERLOADED, {"retry-after": "3600"})])
    events: list[RetryEvent] = []
    with IsolaClient(proxy.url, retry=RetryPolicy(max_delay_s=0.05), on_retry=events.append) as client:
        assert client.execute(REQUEST).output == {"sum": 3}
    assert [event.delay_s for event in events] == [0.05]


def test_a_500_is_not_retried(front: Callable[[list[Scripted]], Front]) -> None:
    proxy = front([Scripted(500, '{"error":{"code":"internal","message":"Internal error; the request may be retried"}}')])
    with IsolaClient(proxy.url) as client, pytest.raises(IsolaError) as raised:
        client.execute(REQUEST)
    assert (raised.value.code, raised.value.status) == ("internal", 500)
    assert len(proxy.requests) == 1


def test_a_proxy_html_page_is_client_bad_response(front: Callable[[list[Scripted]], Front]) -> None:
    proxy = front([Scripted(502, "<html>Bad Gateway</html>", {"content-type": "text/html"})])
    with IsolaClient(proxy.url) as client, pytest.raises(IsolaError) as raised:
        client.execute(REQUEST)
    assert (raised.value.code, raised.value.status) == ("client_bad_response", 502)
    assert "Bad Gateway" in raised.value.message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        (" 12 ", 12.0),
        ("Thu, 01 Jan 2026 00:00:03 GMT", 3.0),
        ("Wed, 31 Dec 2025 23:59:00 GMT", 0.0),
        ("soon", None),
        ("-1", None),
        ("1.5", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=1767225600.0) == expected  # 2026-01-01T00:00:00Z
