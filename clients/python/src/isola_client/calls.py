"""What a call sends and how its answer reads, shared by the sync and the async client.

The two clients differ only in how they wait (``time.sleep`` or ``asyncio.sleep``) and which httpx client
they hold; every decision (the request, when to retry, which error an answer is) is made here, once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import IsolaError, error_from_body
from .models import DEFAULT_TIMEOUT_MS, ExecuteRequest
from .retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after, retry_delay_s

#: The routes the client calls, as (method, path). tests/test_openapi_contract.py checks them against
#: a real server's /openapi.json.
ROUTES: Mapping[str, tuple[str, str]] = {
    "execute": ("POST", "/v1/execute"),
    "ready": ("GET", "/readyz"),
    "openapi": ("GET", "/openapi.json"),
}

#: Time the server may spend on an execution beyond its own timeout_ms before the client gives up: the
#: queue, a worker's boot and an environment build (package installs) all come before the deadline starts.
EXECUTE_SLACK_S = 60.0
DEFAULT_READ_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """Told to ``on_retry`` before each retry wait."""

    call: str
    #: The attempt that failed, from 1.
    attempt: int
    delay_s: float
    #: The refusing status, or None when the connection failed.
    status: int | None


@dataclass(frozen=True, slots=True)
class Call:
    route: str
    body: bytes | None
    headers: Mapping[str, str]
    #: Whole call, retries and waits included; None for no deadline.
    timeout_s: float | None
    #: Retry a failed connection too: only for reads, whose repetition changes nothing.
    idempotent: bool
    #: Retry 503/429. Off for /readyz, whose 503 is an answer ("not ready"), not a refusal.
    retry_refusals: bool

    @property
    def method(self) -> str:
        return ROUTES[self.route][0]

    @property
    def path(self) -> str:
        return ROUTES[self.route][1]

    @property
    def what(self) -> str:
        return f"{self.method} {self.path}"


def _headers(request_id: str | None, with_body: bool) -> dict[str, str]:
    headers = {"accept": "application/json"}
    if with_body:
        headers["content-type"] = "application/json"
    if request_id is not None:
        headers["x-request-id"] = request_id
    return headers


def execute_call(request: ExecuteRequest, timeout_s: float | None, request_id: str | None) -> Call:
    if timeout_s is None:
        timeout_s = (request.timeout_ms or DEFAULT_TIMEOUT_MS) / 1000 + EXECUTE_SLACK_S
    body = json.dumps(request.to_json(), ensure_ascii=False, allow_nan=False).encode()
    return Call("execute", body, _headers(request_id, True), timeout_s, idempotent=False, retry_refusals=True)


def read_call(route: str, timeout_s: float | None) -> Call:
    return Call(route, None, _headers(None, False), timeout_s, idempotent=True, retry_refusals=route != "ready")


class Deadline:
    """The monotonic end of a call; ``remaining()`` is what each attempt and wait may still use."""

    def __init__(self, timeout_s: float | None) -> None:
        self.timeout_s = timeout_s
        self._end = None if timeout_s is None else time.monotonic() + timeout_s

    def remaining(self) -> float | None:
        return None if self._end is None else self._end - time.monotonic()

    def httpx_timeout(self, call: Call) -> httpx.Timeout:
        left = self.remaining()
        if left is not None and left <= 0:
            raise self.expired(call)
        return httpx.Timeout(left)

    def expired(self, call: Call, cause: BaseException | None = None) -> IsolaError:
        error = IsolaError("client_timeout", f"{call.what} did not finish within {self.timeout_s} s")
        error.__cause__ = cause
        return error


def network_error(call: Call, cause: httpx.TransportError) -> IsolaError:
    error = IsolaError("client_network", f"{call.what} failed: {type(cause).__name__}: {cause}")
    error.__cause__ = cause
    return error


def refusal_wait(policy: RetryPolicy, call: Call, attempt: int, response: httpx.Response, deadline: Deadline) -> float | None:
    """Seconds to wait before trying a refused call again, or None to report the answer as it is."""
    if not call.retry_refusals or response.status_code not in RETRYABLE_STATUSES or attempt >= policy.max_attempts:
        return None
    delay = retry_delay_s(policy, attempt, parse_retry_after(response.headers.get("retry-after")))
    left = deadline.remaining()
    # A wait that would outlast the deadline only ends in client_timeout: report the refusal instead.
    return None if left is not None and delay >= left else delay


def network_wait(policy: RetryPolicy, call: Call, attempt: int, deadline: Deadline) -> float | None:
    """Seconds to wait before trying again after a failed connection, or None to give up."""
    if not call.idempotent or attempt >= policy.max_attempts:
        return None
    delay = retry_delay_s(policy, attempt, None)
    left = deadline.remaining()
    return None if left is not None and delay >= left else delay


def _json(call: Call, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as cause:
        message = f"{call.what} answered HTTP {response.status_code} with a body that is not JSON: {response.text[:200]}"
        error = IsolaError("client_bad_response", message, status=response.status_code, request_id=response.headers.get("x-request-id"))
        raise error from cause


def _refusal(response: httpx.Response, body: Any) -> IsolaError:
    return error_from_body(
        body,
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
        retry_after_s=parse_retry_after(response.headers.get("retry-after")),
    )


def answer_json(call: Call, response: httpx.Response, ok_statuses: tuple[int, ...] = (200,)) -> Any:
    """The answer's JSON body; a refusal (any other status) raises its IsolaError."""
    body = _json(call, response)
    if response.status_code not in ok_statuses:
        raise _refusal(response, body)
    return body
