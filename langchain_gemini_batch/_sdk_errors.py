"""Turn what google-genai and its HTTP client raise into the package's `GeminiAPIError`.

Used at every call site of `_client.GeminiClient`. The translated error keeps Google's code,
status, message and error body (with the API key replaced wherever it occurs) and drops
everything else: the SDK's `APIError.response` holds the HTTP request, whose
`x-goog-api-key` header is the key. The caller raises the translation *outside* its `except`
block, so neither `__cause__` nor `__context__` leads back to the original exception.
"""

from __future__ import annotations

from typing import Any

from google.genai.errors import APIError
from pydantic import SecretStr

from langchain_gemini_batch._error_table import CONNECTION_FAILED
from langchain_gemini_batch.errors import GeminiAPIError, GeminiBatchError

__all__ = ["REDACTED", "scrub", "translate_error"]

REDACTED = "**********"
_MIN_SECRET = 8
"""Shorter "keys" (test placeholders; Google's keys have 39 characters) are not masked."""
"""What replaces the API key in a translated error."""

_TIMEOUTS = frozenset({"TimeoutException", "ReadTimeout", "ConnectTimeout", "ServerTimeoutError"})
_CONNECTION = frozenset(
    {
        "TransportError",
        "NetworkError",
        "ConnectError",
        "RemoteProtocolError",
        "ProtocolError",
        "ClientConnectionError",
        "ClientConnectorError",
        "ServerDisconnectedError",
    }
)


def scrub(value: Any, secret: SecretStr | None) -> Any:
    """`value` with every occurrence of the secret replaced, in nested dicts and lists too."""
    if secret is None:
        return value
    if isinstance(value, str):
        hidden = secret.get_secret_value()
        if len(hidden) < _MIN_SECRET:  # a placeholder such as "k": masking it would garble text
            return value
        return value.replace(hidden, REDACTED) if hidden in value else value
    if isinstance(value, dict):
        return {scrub(k, secret): scrub(v, secret) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, secret) for v in value]
    return value


def _kind(error: BaseException) -> str | None:
    names = {cls.__name__ for cls in type(error).__mro__}
    if names & _TIMEOUTS or isinstance(error, TimeoutError):
        return "DEADLINE_EXCEEDED"
    if names & _CONNECTION or isinstance(error, ConnectionError):
        return CONNECTION_FAILED
    return None


def translate_error(
    error: BaseException, *, operation: str, secret: SecretStr | None
) -> GeminiAPIError | None:
    """The `GeminiAPIError` for an exception raised by an SDK call, or `None` to re-raise it.

    Args:
        error: What the SDK (or its HTTP client) raised.
        operation: What was being done, named in the message (e.g. a request path).
        secret: The API key, removed from every text kept.

    Returns:
        `None` for the package's own errors and for exceptions that are not HTTP, timeout or
        connection failures (programming errors are not disguised).
    """
    if isinstance(error, GeminiBatchError):
        return None
    if isinstance(error, APIError):
        return GeminiAPIError(
            code=error.code if isinstance(error.code, int) else None,
            status=scrub(error.status, secret),
            message=scrub(str(error.message or error.status or "no message"), secret),
            details=scrub(error.details, secret),
            operation=operation,
        )
    kind = _kind(error)
    if kind is None:
        return None
    text = str(error) or type(error).__name__
    return GeminiAPIError(
        code=None, status=kind, message=scrub(text, secret), details=None, operation=operation
    )
