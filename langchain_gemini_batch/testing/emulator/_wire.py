"""Google's wire shapes: error bodies, `@type` names, the JSON encoding used everywhere.

Every success is HTTP 200 (google-genai treats any other 2xx as an error). Every failure is
`{"error": {"code": <http>, "message": ..., "status": <CANONICAL>, "details": [...]}}`,
`details` present only when Google sends some.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "BATCH_OUTPUT_TYPE",
    "BATCH_TYPE",
    "EMBED_BATCH_OUTPUT_TYPE",
    "EMBED_BATCH_TYPE",
    "RPC_CODES",
    "STATUS_NAMES",
    "ApiError",
    "dumps",
    "http_error",
    "int64",
    "invalid_argument",
    "invalid_key",
    "missing_key",
    "not_found",
    "quota_exceeded",
    "rpc_code",
    "rpc_status",
    "server_error",
]

BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
BATCH_OUTPUT_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
)
EMBED_BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch"
# Real captures disagree (`...EmbedContentBatch` or `...Output`); the SDK never reads it.
EMBED_BATCH_OUTPUT_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput"
)
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# google.rpc.Code: (name, the message Google's front end gives when nothing more specific is said).
RPC_CODES: dict[int, tuple[str, str]] = {
    1: ("CANCELLED", "The operation was cancelled."),
    2: ("UNKNOWN", "Unknown error."),
    3: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    4: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
    5: ("NOT_FOUND", "Requested entity was not found."),
    6: ("ALREADY_EXISTS", "Requested entity already exists."),
    7: ("PERMISSION_DENIED", "The caller does not have permission."),
    8: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    9: ("FAILED_PRECONDITION", "Precondition check failed."),
    10: ("ABORTED", "The operation was aborted."),
    11: ("OUT_OF_RANGE", "Operation was attempted past the valid range."),
    12: ("UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    13: ("INTERNAL", "Internal error encountered."),
    14: ("UNAVAILABLE", "The service is currently unavailable."),
    15: ("DATA_LOSS", "Unrecoverable data loss or corruption."),
    16: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
    ),
}
_RPC_BY_NAME = {name: code for code, (name, _) in RPC_CODES.items()}


def rpc_code(value: int | str) -> int:
    """A google.rpc.Code from its number (`8`, `"8"`) or name (`"RESOURCE_EXHAUSTED"`).

    Raises:
        ValueError: Not a code between 1 and 16.
    """
    text = str(value).strip()
    code = int(text) if text.isdigit() else _RPC_BY_NAME.get(text.upper(), 0)
    if code not in RPC_CODES:
        raise ValueError(
            f"not a google.rpc.Code (1-16 or a name like RESOURCE_EXHAUSTED): {value!r}"
        )
    return code


def rpc_status(code: int) -> tuple[int, str]:
    """`(code, message)` of a per-request error: a bare google.rpc.Status, as Google sends."""
    return code, RPC_CODES[code][1]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Encodes JSON compactly (UTF-8 text, no ASCII escaping), as every emulator body is."""
    return _ENCODER.encode(value)


def int64(value: int) -> str:
    """Encodes an int64 field as proto3 JSON does: a decimal string."""
    return str(value)


class ApiError(Exception):
    """An HTTP error answer in Google's shape.

    Args:
        code: The HTTP status.
        message: Google's message.
        details: `google.rpc` detail objects (each with `@type`), if any.
        status: The canonical status name; derived from `code` when omitted.
    """

    def __init__(
        self,
        code: int,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        status: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        """Returns the JSON body Google sends for this error."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid_argument(message: str, violations: list[tuple[str, str]] | None = None) -> ApiError:
    """A 400 INVALID_ARGUMENT, with a `google.rpc.BadRequest` detail when fields are named.

    Args:
        message: The message.
        violations: `(field path, description)` pairs for the BadRequest detail.
    """
    details: list[dict[str, Any]] = []
    if violations:
        field_violations = [
            {"field": path, "description": text} if path else {"description": text}
            for path, text in violations
        ]
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": field_violations,
            }
        )
    return ApiError(400, message, details)


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    """A 404 NOT_FOUND with Google's generic message."""
    return ApiError(404, message)


def missing_key() -> ApiError:
    """Google's 403 for a call without any API key."""
    return ApiError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def invalid_key() -> ApiError:
    """Google's 400 for an API key it does not know (reason `API_KEY_INVALID`)."""
    return ApiError(
        400,
        "API key not valid. Please pass a valid API key.",
        [
            {
                "@type": _ERROR_INFO,
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": "API key not valid. Please pass a valid API key.",
            },
        ],
    )


def quota_exceeded(
    retry_delay_seconds: int,
    *,
    message: str | None = None,
    quota_id: str = "GenerateRequestsPerMinutePerProjectPerModel",
) -> ApiError:
    """Google's 429 RESOURCE_EXHAUSTED with Help, QuotaFailure and RetryInfo details.

    Args:
        retry_delay_seconds: The `RetryInfo.retryDelay`, in whole seconds.
        message: The message; Google's usual quota text when omitted.
        quota_id: The `QuotaFailure` violation's quota id.
    """
    text = message or (
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
    )
    return ApiError(
        429,
        text,
        [
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/generate_requests",
                        "quotaId": quota_id,
                        "quotaDimensions": {"location": "global"},
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": f"{retry_delay_seconds}s",
            },
        ],
    )


def server_error(code: int) -> ApiError:
    """Google's 500 INTERNAL, 503 UNAVAILABLE or 504 DEADLINE_EXCEEDED."""
    if code == 504:
        return ApiError(504, "Deadline expired before operation could complete.")
    if code == 503:
        return ApiError(503, "The model is overloaded. Please try again later.")
    return ApiError(
        500,
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    )


def http_error(code: int, retry_delay_seconds: int) -> ApiError:
    """The error answer used by fault injection for an HTTP status.

    Args:
        code: 400, 403, 404, 429, 500, 503 or 504.
        retry_delay_seconds: `RetryInfo.retryDelay` for a 429.
    """
    if code == 429:
        return quota_exceeded(retry_delay_seconds)
    if code == 403:
        return missing_key()
    if code == 400:
        return invalid_argument("Request contains an invalid argument.")
    if code == 404:
        return not_found()
    return server_error(code)
