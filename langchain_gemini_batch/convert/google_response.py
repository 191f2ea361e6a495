"""Gemini wire responses to `LMOutput`, and per-request errors to `RequestFailedError`.

Works on the raw JSON dicts (camelCase, as Google sends them) with no pydantic validation of
the SDK types, so reading 100,000 results stays cheap. Outputs are built with
`model_construct`: the values come from this module, already of the right types.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.schema import (
    Attachment,
    LMOutput,
    LMOutputItem,
    Thinking,
    TokenUsage,
    ToolCall,
)

__all__ = ["RPC_CODE_NAMES", "error_to_failure", "response_to_output"]

RPC_CODE_NAMES = {
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
"""`google.rpc.Code` numbers to their canonical names."""


def _item(kind: str, output: Any) -> LMOutputItem:
    return LMOutputItem._trusted({"type": kind, "output": output})


def _signature(part: Mapping[str, Any]) -> bytes | None:
    raw = part.get("thoughtSignature") or part.get("thought_signature")
    return base64.b64decode(raw) if raw else None


def _parts_to_items(
    parts: list[dict[str, Any]], request_id: str, structured: bool
) -> list[LMOutputItem]:
    items: list[LMOutputItem] = []
    for index, part in enumerate(parts):
        if "text" in part:
            if part.get("thought"):
                thought = Thinking._trusted(
                    {"thinking": part["text"], "signature": _signature(part)}
                )
                items.append(_item("thinking", thought))
            else:
                items.append(_item("text", part["text"]))
        elif (call := part.get("functionCall")) is not None:
            call_id = call.get("id") or f"{request_id}-call-{index}"
            tool_call = ToolCall._trusted(
                {
                    "id": call_id,
                    "name": call.get("name", ""),
                    "args": call.get("args") or {},
                    "signature": _signature(part),
                }
            )
            items.append(_item("tool_call", tool_call))
        elif (blob := part.get("inlineData")) is not None:
            attachment = Attachment._trusted(
                {
                    "mime_type": blob.get("mimeType", "application/octet-stream"),
                    "data": base64.b64decode(blob.get("data", "")),
                    "url": None,
                    "filename": None,
                }
            )
            items.append(_item("attachment", attachment))
    if structured:
        text = "".join(i.output for i in items if i.type == "text")
        if text:
            # A failure is reported through finish_details["structured_output_error"].
            with contextlib.suppress(ValueError):
                items.append(_item("structured", json.loads(text)))
    return items


def _usage(raw: Mapping[str, Any] | None) -> TokenUsage | None:
    if not raw:
        return None
    thoughts = int(raw.get("thoughtsTokenCount", 0))
    return TokenUsage._trusted(
        {
            "input_tokens": int(raw.get("promptTokenCount", 0))
            + int(raw.get("toolUsePromptTokenCount", 0)),
            "output_tokens": int(raw.get("candidatesTokenCount", 0)) + thoughts,
            "thinking_tokens": thoughts,
            "cached_tokens": int(raw.get("cachedContentTokenCount", 0)),
        }
    )


def response_to_output(
    response: Mapping[str, Any],
    *,
    request_id: str,
    structured: bool = False,
    batch_job: str | None = None,
) -> LMOutput | RequestFailedError:
    """Convert one wire `GenerateContentResponse` into an `LMOutput`.

    A response with no candidate (the prompt was blocked) is a failure, never an empty answer.

    Args:
        response: The response JSON (camelCase keys).
        request_id: The request's ID, used in errors and metadata.
        structured: Decode the text as JSON into a `structured` output item.
        batch_job: The batch job's name, recorded in the metadata.

    Returns:
        The output, or a `RequestFailedError` when the prompt was blocked.
    """
    candidates = response.get("candidates") or []
    if not candidates:
        feedback = response.get("promptFeedback") or {}
        reason = feedback.get("blockReason", "NO_CANDIDATES")
        return RequestFailedError(
            request_id=request_id,
            code=None,
            status=reason,
            error_message=feedback.get("blockReasonMessage")
            or f"the response has no candidates (block reason {reason})",
            batch_job=batch_job,
        )
    candidate = candidates[0]
    parts = (candidate.get("content") or {}).get("parts") or []
    items = _parts_to_items(parts, request_id, structured)
    finish: dict[str, Any] = {"finish_reason": candidate.get("finishReason")}
    if candidate.get("finishMessage"):
        finish["finish_message"] = candidate["finishMessage"]
    if candidate.get("safetyRatings"):
        finish["safety_ratings"] = candidate["safetyRatings"]
    if structured and not any(i.type == "structured" for i in items):
        finish["structured_output_error"] = "the response text is not valid JSON"
    metadata: dict[str, Any] = {
        "model_version": response.get("modelVersion"),
        "response_id": response.get("responseId"),
        "request_id": request_id,
    }
    if batch_job:
        metadata["batch_job"] = batch_job
    return LMOutput._trusted(
        {
            "outputs": items,
            "token_usage": _usage(response.get("usageMetadata")),
            "finish_details": finish,
            "metadata": metadata,
        }
    )


def error_to_failure(
    error: Mapping[str, Any], *, request_id: str, batch_job: str | None = None
) -> RequestFailedError:
    """Convert a per-request `google.rpc.Status` into a `RequestFailedError`."""
    code = error.get("code")
    status = error.get("status") or (RPC_CODE_NAMES.get(code) if isinstance(code, int) else None)
    return RequestFailedError(
        request_id=request_id,
        code=code if isinstance(code, int) else None,
        status=status,
        error_message=str(error.get("message") or "no message"),
        batch_job=batch_job,
    )
