"""Online endpoints: `generateContent`, `streamGenerateContent` and `countTokens`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field, unknown_request_fields
from langchain_gemini_batch.testing.emulator._inputs import contents_problem
from langchain_gemini_batch.testing.emulator._model import generate_response
from langchain_gemini_batch.testing.emulator._model_api import require_model
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._stream import stream_chunks
from langchain_gemini_batch.testing.emulator._validation import (
    Violation,
    request_violations,
    violations_error,
)
from langchain_gemini_batch.testing.emulator._wire import dumps, invalid_argument

__all__ = ["count_tokens", "generate_content", "stream_generate_content"]


def _request(call: Call) -> Mapping[str, Any]:
    body = call.body
    if not isinstance(body, Mapping):
        raise invalid_argument("* GenerateContentRequest.contents: contents is not specified")
    violations = [Violation(v.path, v.description) for v in unknown_request_fields(body)]
    violations += request_violations(body, version=call.version)
    if violations:
        raise violations_error(violations)
    problem = contents_problem(body)
    if problem:
        raise invalid_argument(problem)
    return body


def generate_content(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:generateContent`: one deterministic answer."""
    model = require_model(state, call, "generateContent").name
    return HttpReply.json(generate_response(_request(call), model=model))


def stream_generate_content(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:streamGenerateContent`: SSE chunks with `alt=sse`, else a JSON array."""
    model = require_model(state, call, "streamGenerateContent").name
    chunks = stream_chunks(generate_response(_request(call), model=model))
    if call.request.query.get("alt") == "sse":
        text = "".join(f"data: {dumps(chunk)}\r\n\r\n" for chunk in chunks)
        return HttpReply(200, text.encode(), content_type="text/event-stream")
    return HttpReply.json(chunks)


def count_tokens(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:countTokens`: the prompt's tokens by the emulator's rule."""
    model = require_model(state, call, "countTokens").name
    body = call.body if isinstance(call.body, Mapping) else {}
    inner = field(body, "generateContentRequest")
    violations = request_violations(
        inner or body,
        "generate_content_request" if inner else "",
        owner="CountTokensRequest",
        version=call.version,
    )
    if violations:
        raise violations_error(violations)
    request = inner or body
    usage = generate_response(request, model=model)["usageMetadata"]
    tokens = usage["promptTokenCount"]
    return HttpReply.json(
        {"totalTokens": tokens, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}]}
    )
