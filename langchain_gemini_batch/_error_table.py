"""The one table from Google's error codes to langchain-core's exception classes.

Google reports a failure with an HTTP status (`429`), a `google.rpc` status name
(`RESOURCE_EXHAUSTED`), a `google.rpc.Code` number inside batch results (`8`) and sometimes an
`ErrorInfo` reason (`API_KEY_INVALID`). `model_error_class` turns any of them into the
langchain-core class LangChain code catches (`ModelRateLimitError`, ...), the one
langchain-google-genai raises for the same failure (see `STATUS_CLASSES` for where this table
is deliberately finer). Pure data and one function: no I/O, no package imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelTimeoutError,
)

__all__ = [
    "CONNECTION_FAILED",
    "HTTP_STATUS_NAMES",
    "REASON_CLASSES",
    "RPC_CODE_NAMES",
    "STATUS_CLASSES",
    "model_error_class",
    "status_name",
]

RPC_CODE_NAMES: dict[int, str] = {
    0: "OK",
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}
"""`google.rpc.Code` numbers (batch per-request errors) to their canonical names."""

HTTP_STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
"""The `google.rpc` status Google sends with each HTTP error status."""

CONNECTION_FAILED = "CONNECTION_FAILED"
"""Pseudo status of a call that got no answer at all (DNS, refused, reset)."""

STATUS_CLASSES: dict[str, type[ModelError]] = {
    # HTTP 400 and friends: the request itself is wrong; retrying cannot help.
    "INVALID_ARGUMENT": ModelInvalidRequestError,
    "FAILED_PRECONDITION": ModelInvalidRequestError,
    "OUT_OF_RANGE": ModelInvalidRequestError,
    "ALREADY_EXISTS": ModelInvalidRequestError,
    "UNAUTHENTICATED": ModelAuthenticationError,  # 401
    "PERMISSION_DENIED": ModelPermissionDeniedError,  # 403
    "NOT_FOUND": ModelNotFoundError,  # 404
    "RESOURCE_EXHAUSTED": ModelRateLimitError,  # 429
    # lcgg: 504 is a ServerError -> ModelAPIError; a deadline is a timeout here.
    "DEADLINE_EXCEEDED": ModelTimeoutError,
    "CANCELLED": ModelAPIError,
    "ABORTED": ModelAPIError,
    "UNKNOWN": ModelAPIError,
    "INTERNAL": ModelAPIError,  # 500
    "UNIMPLEMENTED": ModelAPIError,  # 501 (lcgg: every 5xx is ModelAPIError)
    "UNAVAILABLE": ModelAPIError,  # 503
    "DATA_LOSS": ModelAPIError,
    CONNECTION_FAILED: ModelConnectionError,
    # A job of a split batch that ended without results fails each of its requests.
    "JOB_STATE_FAILED": ModelAPIError,
    "JOB_STATE_CANCELLED": ModelAPIError,
    "JOB_STATE_EXPIRED": ModelTimeoutError,
    # A prompt Google blocked (`promptFeedback.blockReason`): the model declined.
    "SAFETY": ModelRefusalError,
    "OTHER": ModelRefusalError,
    "BLOCKLIST": ModelRefusalError,
    "PROHIBITED_CONTENT": ModelRefusalError,
    "IMAGE_SAFETY": ModelRefusalError,
    "NO_CANDIDATES": ModelRefusalError,
}
"""`google.rpc` status names (and the few other codes Google reports) to langchain-core."""

REASON_CLASSES: dict[str, type[ModelError]] = {
    # Google answers a bad key with HTTP 400 INVALID_ARGUMENT; it is an auth failure.
    "API_KEY_INVALID": ModelAuthenticationError,
    "API_KEY_EXPIRED": ModelAuthenticationError,
    "ACCESS_TOKEN_EXPIRED": ModelAuthenticationError,
    "SERVICE_DISABLED": ModelPermissionDeniedError,
    "RATE_LIMIT_EXCEEDED": ModelRateLimitError,
}
"""`google.rpc.ErrorInfo.reason` values that decide the class before the status does."""

_CONTEXT_OVERFLOW = ("exceeds the maximum number of tokens allowed", "token limit")
"""Message fragments langchain-google-genai reads as a context overflow (4xx only)."""


def status_name(code: int | None, status: str | None = None) -> str | None:
    """The `google.rpc` status name for an HTTP status or a `google.rpc.Code` number.

    Args:
        code: An HTTP status (`>= 100`) or a `google.rpc.Code` number (`0..16`).
        status: A status name already known; returned unchanged when given.
    """
    if status:
        return status
    if code is None:
        return None
    return RPC_CODE_NAMES.get(code) if code < 100 else HTTP_STATUS_NAMES.get(code)


def _reasons(details: Any) -> list[str]:
    """`ErrorInfo.reason` values found in a Google error body or its `details` list."""
    if isinstance(details, Mapping):
        inner = details.get("error", details)
        details = inner.get("details") if isinstance(inner, Mapping) else None
    if not isinstance(details, list):
        return []
    return [str(d["reason"]) for d in details if isinstance(d, Mapping) and d.get("reason")]


def model_error_class(
    *,
    code: int | None = None,
    status: str | None = None,
    message: str | None = None,
    details: Any = None,
) -> type[ModelError]:
    """The langchain-core class for one Google failure.

    The first rule that applies wins: an `ErrorInfo` reason in `REASON_CLASSES`; a 4xx whose
    message says the prompt is over the token limit (`ContextOverflowError`, as
    langchain-google-genai decides it); the status name in `STATUS_CLASSES` (derived from
    `code` when not given); any other 4xx (`ModelInvalidRequestError`); anything else
    (`ModelAPIError`).

    Args:
        code: HTTP status, or `google.rpc.Code` number for per-request batch errors.
        status: The `google.rpc` status name (or a block reason, or a job state).
        message: Google's message.
        details: Google's error body or its `details` list.
    """
    for reason in _reasons(details):
        if reason in REASON_CLASSES:
            return REASON_CLASSES[reason]
    name = status_name(code, status)
    client_side = (code is not None and 400 <= code < 500) or name == "INVALID_ARGUMENT"
    lowered = (message or "").lower()
    if client_side and any(marker in lowered for marker in _CONTEXT_OVERFLOW):
        return ContextOverflowError
    if name in STATUS_CLASSES:
        return STATUS_CLASSES[name]
    if code is not None and 400 <= code < 500:
        return ModelInvalidRequestError
    return ModelAPIError
