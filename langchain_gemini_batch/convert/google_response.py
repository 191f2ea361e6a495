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

from langchain_gemini_batch._error_table import RPC_CODE_NAMES
from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.schema import (
    Attachment,
    LMOutput,
    LMOutputItem,
    Thinking,
    TokenUsage,
    ToolCall,
)

__all__ = ["RPC_CODE_NAMES", "error_to_failure", "response_to_output", "wire_usage"]

_OCTET_STREAM = "application/octet-stream"
_CANDIDATE_DETAILS = {
    "finishMessage": "finish_message",
    "safetyRatings": "safety_ratings",
    "groundingMetadata": "grounding_metadata",
    "citationMetadata": "citation_metadata",
    "urlContextMetadata": "url_context_metadata",
    "avgLogprobs": "avg_logprobs",
    "logprobsResult": "logprobs_result",
}
"""Candidate fields kept in `LMOutput.finish_details` (under these names, values as sent)."""
_PLAIN_CANDIDATE = frozenset({"content", "finishReason", "index"})
"""A candidate with only these fields has none of `_CANDIDATE_DETAILS`."""


def _item(kind: str, output: Any, signature: bytes | None = None) -> LMOutputItem:
    return LMOutputItem._trusted({"type": kind, "output": output, "signature": signature})


def _decode(raw: str) -> bytes:
    """Base64 in either alphabet (Google sends the standard one, the SDK the URL-safe one)."""
    padded = raw + "=" * (-len(raw) % 4)
    return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))


def _signature(part: Mapping[str, Any]) -> bytes | None:
    raw = part.get("thoughtSignature") or part.get("thought_signature")
    return _decode(raw) if raw else None


def _blob(blob: Mapping[str, Any]) -> Attachment:
    return Attachment._trusted(
        {
            "mime_type": blob.get("mimeType")
            or blob.get("mime_type")
            or "application/octet-stream",
            "data": base64.b64decode(blob.get("data", "")),
            "url": None,
            "filename": None,
        }
    )


def _server_part(part: Mapping[str, Any], signature: bytes | None) -> LMOutputItem | None:
    if (code := part.get("executableCode")) is not None:
        value = {"code": code.get("code"), "language": code.get("language")}
        return _item("executable_code", value, signature)
    if (result := part.get("codeExecutionResult")) is not None:
        value = {"output": result.get("output"), "outcome": result.get("outcome")}
        return _item("code_execution_result", value, signature)
    if (call := part.get("toolCall")) is not None:
        value = {"id": call.get("id"), "tool_type": call.get("toolType"), "args": call.get("args")}
        return _item("server_tool_call", value, signature)
    if (response := part.get("toolResponse")) is not None:
        value = {
            "id": response.get("id"),
            "tool_type": response.get("toolType"),
            "response": response.get("response"),
        }
        return _item("server_tool_result", value, signature)
    return None


def _parts_to_items(
    parts: list[dict[str, Any]], request_id: str, structured: bool
) -> list[LMOutputItem]:
    items: list[LMOutputItem] = []
    for index, part in enumerate(parts):
        signature = _signature(part)
        if "text" in part:
            if part.get("thought"):
                thought = Thinking._trusted({"thinking": part["text"], "signature": signature})
                items.append(_item("thinking", thought, signature))
            else:
                items.append(_item("text", part["text"], signature))
        elif (call := part.get("functionCall")) is not None:
            call_id = call.get("id") or f"{request_id}-call-{index}"
            tool_call = ToolCall._trusted(
                {
                    "id": call_id,
                    "name": call.get("name", ""),
                    "args": call.get("args") or {},
                    "signature": signature,
                }
            )
            items.append(_item("tool_call", tool_call, signature))
        elif (blob := part.get("inlineData")) is not None:
            items.append(_item("attachment", _blob(blob), signature))
        elif (server := _server_part(part, signature)) is not None:
            items.append(server)
    if structured:
        text = "".join(i.output for i in items if i.type == "text")
        if text:
            # A failure is reported through finish_details["structured_output_error"].
            with contextlib.suppress(ValueError):
                items.append(_item("structured", json.loads(text)))
    return items


def wire_usage(raw: Mapping[str, Any] | None) -> TokenUsage | None:
    """Gemini's `usageMetadata` (camelCase) as a `TokenUsage`; `None` when absent."""
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

    A response with no candidate (the prompt was blocked) is a failure carrying Google's
    `promptFeedback` (`RequestFailedError.prompt_feedback`), never an empty answer; the chat
    model turns it into the empty message langchain-google-genai returns.

    Args:
        response: The response JSON (camelCase keys).
        request_id: The request's ID, used in errors and metadata.
        structured: Decode the text as JSON into a `structured` output item.
        batch_job: The batch job's name, recorded in the metadata.

    Returns:
        The output, or a `RequestFailedError` when the prompt was blocked.
    """
    candidates = response.get("candidates") or []
    feedback = response.get("promptFeedback")
    if not candidates:
        reason = (feedback or {}).get("blockReason", "NO_CANDIDATES")
        return RequestFailedError(
            request_id=request_id,
            code=None,
            status=reason,
            error_message=(feedback or {}).get("blockReasonMessage")
            or f"the response has no candidates (block reason {reason})",
            batch_job=batch_job,
            prompt_feedback=feedback or {},
        )
    candidate = candidates[0]
    parts = (candidate.get("content") or {}).get("parts") or []
    items = _parts_to_items(parts, request_id, structured)
    finish: dict[str, Any] = {"finish_reason": candidate.get("finishReason")}
    if len(candidate) > len(_PLAIN_CANDIDATE) or candidate.keys() - _PLAIN_CANDIDATE:
        for wire_name, name in _CANDIDATE_DETAILS.items():
            if candidate.get(wire_name) is not None:
                finish[name] = candidate[wire_name]
    if structured and not any(i.type == "structured" for i in items):
        finish["structured_output_error"] = "the response text is not valid JSON"
    metadata: dict[str, Any] = {
        "model_version": response.get("modelVersion"),
        "response_id": response.get("responseId"),
        "request_id": request_id,
    }
    if response.get("usageMetadata") is not None:
        metadata["usage_metadata"] = response["usageMetadata"]
    if feedback:
        metadata["prompt_feedback"] = feedback
    if batch_job:
        metadata["batch_job"] = batch_job
    return LMOutput._trusted(
        {
            "outputs": items,
            "token_usage": wire_usage(response.get("usageMetadata")),
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
