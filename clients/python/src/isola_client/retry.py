"""When and how long the client waits before trying a call again.

Only answers that prove the server did not run the request are retried: 503 (overloaded, draining,
engine closed: refused before any execution started) and 429. Other failures, a 500 or a connection that
broke mid-request among them, may come after the code ran, and running untrusted code twice is the
caller's decision, so ``execute`` never retries them. Reads (``ready``, ``openapi``) are idempotent and are
also retried when the connection fails. The same rules as the TypeScript client (src/client/retry.ts).
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    #: Attempts in all, the first included; 1 turns retries off.
    max_attempts: int = 3
    #: Wait before the first retry when the server gave no Retry-After; doubles each retry.
    base_delay_s: float = 0.2
    #: Cap of one wait, whatever Retry-After asks.
    max_delay_s: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")


_DELTA_SECONDS = re.compile(r"\d+")


def parse_retry_after(header: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for: delta-seconds ("5") or an HTTP date (RFC 9110 10.2.3).

    A date in the past means now; anything unparsable is ignored (None).
    """
    if header is None:
        return None
    text = header.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(text)
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        return None
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


def retry_delay_s(policy: RetryPolicy, retry: int, asked_s: float | None) -> float:
    """The wait before attempt ``retry + 1`` (``retry`` from 1): what the server asked for, else
    exponential backoff jittered down by up to half, so that clients refused together do not return together."""
    if asked_s is None:
        asked_s = policy.base_delay_s * 2 ** (retry - 1) * (0.5 + random.random() / 2)
    return min(asked_s, policy.max_delay_s)
