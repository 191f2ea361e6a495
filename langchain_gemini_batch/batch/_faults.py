"""Which failures are worth another try, and whether a failed create may still have made a job.

- *Transient*: HTTP 408, 429, 500, 502, 503, 504, and network failures (timeouts, refused or
  dropped connections) of any HTTP stack the SDK may use (httpx, httpx2, aiohttp), and of
  `requests` (google-cloud-storage). Reads are retried on these.
- *Ambiguous create*: a transient failure other than 429. Google may have created the job
  before the failure (a timeout, a 5xx, a dropped connection), so the engine looks for it
  before sending the create again. A 429 means the job was not created.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from langchain_core.exceptions import ModelConnectionError, ModelTimeoutError

from langchain_gemini_batch.errors import GeminiAPIError

__all__ = [
    "TRANSIENT_HTTP",
    "create_may_have_succeeded",
    "http_status",
    "is_transient",
    "retry_after",
    "with_retries",
]

logger = logging.getLogger("langchain_gemini_batch")

T = TypeVar("T")

TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})
_NETWORK_BASES = {
    "httpx": ("TransportError",),
    "httpx2": ("TransportError",),
    "aiohttp": ("ClientConnectionError", "ServerTimeoutError"),
    "requests": ("ConnectionError", "Timeout"),  # google-cloud-storage's transport
}


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of an SDK `APIError` (or of this package's errors that carry one)."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, int) and 100 <= code <= 599 else None


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, GeminiAPIError):  # translated: no answer came (timeout, connection)
        return exc.code is None and isinstance(exc, (ModelConnectionError, ModelTimeoutError))
    for klass in type(exc).__mro__:
        root = klass.__module__.split(".")[0]
        if klass.__name__ in _NETWORK_BASES.get(root, ()):
            return True
    return False


def is_transient(exc: BaseException) -> bool:
    """Whether a failed idempotent call is worth another try."""
    status = http_status(exc)
    if status is not None:
        return status in TRANSIENT_HTTP
    return _is_network_error(exc)


def create_may_have_succeeded(exc: BaseException) -> bool:
    """Whether a failed create call may nevertheless have created the job."""
    return is_transient(exc) and http_status(exc) != 429


_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def retry_after(exc: BaseException) -> float | None:
    """Google's `RetryInfo.retryDelay` in seconds, when the error carries one."""
    details: Any = getattr(exc, "details", None)
    error = details.get("error") if isinstance(details, dict) else None
    for detail in (error or {}).get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("RetryInfo"):
            match = _DELAY.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def backoff(attempt: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Exponential backoff with jitter for `attempt` (1, 2, ...): about base * 2^(attempt-1)."""
    delay: float = min(cap, base * 2 ** (attempt - 1))
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not cryptography


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    attempts: int = 5,
    base_delay: float = 1.0,
) -> T:
    """Run an idempotent `call`, retrying transient failures with backoff.

    Args:
        call: Makes one attempt.
        what: Named in log lines (`downloading files/batch-x`).
        attempts: Tries in all (at least 1).
        base_delay: The first wait; it doubles (with jitter) up to 30 s.

    Raises:
        Exception: The last failure, when every attempt failed or a failure is not transient.
    """
    for attempt in range(1, max(1, attempts) + 1):
        try:
            return await call()
        except Exception as exc:
            if attempt >= attempts or not is_transient(exc):
                raise
            delay = retry_after(exc) or backoff(attempt, base=base_delay)
            logger.warning(
                "%s failed (%s); retry %d of %d in %.1f s",
                what,
                type(exc).__name__,
                attempt,
                attempts - 1,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
