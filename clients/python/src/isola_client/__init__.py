"""Python client of the Isola HTTP API: run untrusted Python and JavaScript in sandboxes.

    from isola_client import ExecuteRequest, IsolaClient

    with IsolaClient("http://127.0.0.1:8080") as client:
        result = client.execute(ExecuteRequest(language="python", code="def main(a, b):\\n    return a + b", inputs={"a": 1, "b": 2}))
        print(result.status, result.output)  # completed 3
"""

from .async_client import AsyncIsolaClient
from .calls import EXECUTE_SLACK_S, ROUTES, RetryEvent
from .client import IsolaClient
from .errors import CLIENT_ERROR_CODES, SERVER_ERROR_CODES, FieldIssue, IsolaError
from .models import Environment, ExecuteRequest, ExecuteResult, ReadyReport, RunError, Timings
from .retry import RetryPolicy, parse_retry_after

__all__ = [
    "CLIENT_ERROR_CODES",
    "EXECUTE_SLACK_S",
    "ROUTES",
    "SERVER_ERROR_CODES",
    "AsyncIsolaClient",
    "Environment",
    "ExecuteRequest",
    "ExecuteResult",
    "FieldIssue",
    "IsolaClient",
    "IsolaError",
    "ReadyReport",
    "RetryEvent",
    "RetryPolicy",
    "RunError",
    "Timings",
    "parse_retry_after",
]
