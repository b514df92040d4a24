"""The client's errors, matched by ``code`` (never by message).

A failure the server reported keeps the server's catalog code and HTTP status (``docs/errors.md``); a
failure the client saw itself gets one of the ``client_*`` codes, which never travel on the wire and so
have no status. The codes are the TypeScript client's (``isola/client``), so both sides read alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The server's error catalog (src/contract/errors.ts). tests/test_openapi_contract.py checks it against
#: the codes a real server's /openapi.json can answer with.
SERVER_ERROR_CODES = frozenset(
    {
        "invalid_request",
        "unsupported",
        "payload_too_large",
        "unsupported_media_type",
        "not_found",
        "blob_not_found",
        "range_not_satisfiable",
        "overloaded",
        "shutting_down",
        "engine_closed",
        "internal",
        "unauthorized",
        "key_revoked",
        "egress_not_allowed",
        "quota_exceeded",
        "job_not_found",
        "idempotency_key_reused",
        "too_many_jobs",
        "conflict",
        "sql_refused",
        "sql_failed",
        "statement_timeout",
        "result_too_large",
        "database_quota_exceeded",
        "download_url_invalid",
        "download_url_expired",
        "quota_store_unavailable",
        "blob_quota_exceeded",
    }
)

#: Failures the client sees itself, with what each means.
CLIENT_ERROR_CODES: Mapping[str, str] = {
    "client_timeout": "The call did not finish within its timeout (retries and their waits included)",
    "client_network": "The server could not be reached, or the connection broke before an answer",
    "client_bad_response": "The answer is outside the Isola contract: an unexpected status, content type or body",
}


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One bad field the server named: a dotted path ("network.allow.0"), or "(body)" for the whole body."""

    field: str
    message: str


class IsolaError(Exception):
    """A refused request or a failed call. ``status`` is None for the ``client_*`` codes."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        issues: Sequence[FieldIssue] = (),
        retry_after_s: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.issues = tuple(issues)
        self.retry_after_s = retry_after_s
        self.request_id = request_id

    @property
    def field(self) -> str | None:
        """The first bad field, for the common case of one."""
        return self.issues[0].field if self.issues else None

    def __repr__(self) -> str:
        return f"IsolaError(code={self.code!r}, status={self.status!r}, field={self.field!r}, message={self.message!r})"


def error_from_body(
    body: Any,
    *,
    status: int | None,
    request_id: str | None = None,
    retry_after_s: float | None = None,
) -> IsolaError:
    """The error an ``{"error": {code, message, issues?, retry_after_s?}}`` body stands for.

    Anything else, or a code this client does not know (a newer server), is ``client_bad_response``.
    """
    where = "" if status is None else f" (HTTP {status})"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        shown = repr(body)[:200]
        return IsolaError("client_bad_response", f"expected an Isola error body{where}, got {shown}", status=status, request_id=request_id)
    code = error.get("code")
    if code not in SERVER_ERROR_CODES:
        message = f"unknown error code {code!r}{where}: {error['message']}"
        return IsolaError("client_bad_response", message, status=status, request_id=request_id)
    issues = [
        FieldIssue(issue["field"], issue["message"])
        for issue in error.get("issues") or []
        if isinstance(issue, dict) and isinstance(issue.get("field"), str) and isinstance(issue.get("message"), str)
    ]
    body_retry_after = error.get("retry_after_s")
    if retry_after_s is None and isinstance(body_retry_after, int | float):
        retry_after_s = float(body_retry_after)
    return IsolaError(code, error["message"], status=status, issues=issues, retry_after_s=retry_after_s, request_id=request_id)
