"""The synchronous client. Its async twin, async_client.py, makes the same calls with the same rules."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from itertools import count
from types import TracebackType
from typing import Any, Self

import httpx

from .calls import (
    DEFAULT_READ_TIMEOUT_S,
    Call,
    Deadline,
    RetryEvent,
    answer_json,
    execute_call,
    network_error,
    network_wait,
    read_call,
    refusal_wait,
)
from .models import ExecuteRequest, ExecuteResult, ReadyReport
from .retry import RetryPolicy


class IsolaClient:
    """A client of one Isola server. Use it as a context manager, or call ``close()``.

    ``timeout`` bounds ``ready()`` and ``openapi()``; ``execute()`` defaults to the request's own
    ``timeout_ms`` plus a minute of slack for queueing and environment builds. Every timeout covers the
    whole call, retries and their waits included.
    """

    def __init__(
        self,
        base_url: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | None = DEFAULT_READ_TIMEOUT_S,
        headers: Mapping[str, str] | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._on_retry = on_retry
        # A client handed in belongs to the caller, who closes it.
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client()

    def execute(self, request: ExecuteRequest, *, timeout: float | None = None, request_id: str | None = None) -> ExecuteResult:
        """Run one request: the result envelope whenever the code ran, IsolaError when it was refused."""
        call = execute_call(request, timeout, request_id)
        return ExecuteResult.from_json(answer_json(call, self._send(call)))

    def ready(self, *, timeout: float | None = None) -> ReadyReport:
        """GET /readyz; returns the report whether or not the server is ready, and never retries its 503."""
        call = read_call("ready", timeout or self._timeout)
        return ReadyReport.from_json(answer_json(call, self._send(call), ok_statuses=(200, 503)))

    def openapi(self, *, timeout: float | None = None) -> dict[str, Any]:
        """GET /openapi.json: the server's OpenAPI 3.1 document."""
        call = read_call("openapi", timeout or self._timeout)
        return answer_json(call, self._send(call))

    def _send(self, call: Call) -> httpx.Response:
        deadline = Deadline(call.timeout_s)
        url = f"{self._base_url}{call.path}"
        headers = {**self._headers, **call.headers}
        for attempt in count(1):
            try:
                response = self._http.request(call.method, url, content=call.body, headers=headers, timeout=deadline.httpx_timeout(call))
            except httpx.TimeoutException as timed_out:
                raise deadline.expired(call, timed_out) from timed_out
            except httpx.TransportError as failed:
                delay = network_wait(self._retry, call, attempt, deadline)
                if delay is None:
                    raise network_error(call, failed) from failed
                self._wait(call, attempt, delay, None)
                continue
            delay = refusal_wait(self._retry, call, attempt, response, deadline)
            if delay is None:
                return response
            self._wait(call, attempt, delay, response.status_code)
        raise AssertionError("unreachable: count() never ends")

    def _wait(self, call: Call, attempt: int, delay: float, status: int | None) -> None:
        if self._on_retry is not None:
            self._on_retry(RetryEvent(call.what, attempt, delay, status))
        time.sleep(delay)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()
