"""Vertex AI online endpoints: `generateContent`, `streamGenerateContent`, `countTokens`.

Path: `{v1|v1beta1}/projects/{p}/locations/{l}/publishers/{publisher}/models/{m}:<method>`.
Answers come from the same deterministic model as the Gemini API endpoints, plus Vertex's
`createTime` on each response. An unknown model gets Vertex's 404 `Publisher Model ... was not
found`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field, unknown_request_fields
from langchain_gemini_batch.testing.emulator._inputs import contents_problem
from langchain_gemini_batch.testing.emulator._model import generate_response
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._stream import stream_chunks
from langchain_gemini_batch.testing.emulator._validation import (
    Violation,
    request_violations,
    violations_error,
)
from langchain_gemini_batch.testing.emulator._vertex_io import vertex_time
from langchain_gemini_batch.testing.emulator._wire import dumps, invalid_argument, not_found

__all__ = ["count_tokens", "generate_content", "stream_generate_content"]


def _model_id(call: Call) -> str:
    """The called model's id, or Vertex's 404 for a model that does not exist."""
    project, location, publisher, model_id = call.params[:4]
    if publisher != "google" or not model_id.startswith("gemini-"):
        raise not_found(
            f"Publisher Model `projects/{project}/locations/{location}/publishers/{publisher}/"
            f"models/{model_id}` was not found or your project does not have access to it. "
            "Please ensure you are using a valid model version. For more information, see: "
            "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"
        )
    return model_id


def _request(call: Call) -> Mapping[str, Any]:
    body = call.body
    if not isinstance(body, Mapping):
        raise invalid_argument("* GenerateContentRequest.contents: contents is not specified")
    violations = [Violation(v.path, v.description) for v in unknown_request_fields(body)]
    violations += request_violations(body)
    if violations:
        raise violations_error(violations)
    problem = contents_problem(body)
    if problem:
        raise invalid_argument(problem)
    return body


def _answer(state: State, call: Call) -> dict[str, Any]:
    model_id = _model_id(call)
    response = generate_response(_request(call), model=model_id)
    response["createTime"] = vertex_time(state.clock.now())
    return response


def generate_content(state: State, call: Call) -> HttpReply:
    """`POST .../publishers/google/models/{m}:generateContent`: one deterministic answer."""
    return HttpReply.json(_answer(state, call))


def stream_generate_content(state: State, call: Call) -> HttpReply:
    """`POST ...:streamGenerateContent`: SSE chunks with `alt=sse`, else a JSON array."""
    response = _answer(state, call)
    chunks = stream_chunks(response)
    for chunk in chunks:
        chunk["createTime"] = response["createTime"]
    if call.request.query.get("alt") == "sse":
        text = "".join(f"data: {dumps(chunk)}\r\n\r\n" for chunk in chunks)
        return HttpReply(200, text.encode(), content_type="text/event-stream")
    return HttpReply.json(chunks)


def count_tokens(state: State, call: Call) -> HttpReply:
    """`POST ...:countTokens`: the prompt's tokens by the emulator's rule."""
    del state
    model_id = _model_id(call)
    body = call.body if isinstance(call.body, Mapping) else {}
    usage = generate_response(body, model=model_id)["usageMetadata"]
    tokens = usage["promptTokenCount"]
    characters = sum(
        len(part.get("text", ""))
        for content in (field(body, "contents") or [])
        for part in (field(content, "parts") or [])
        if isinstance(part, Mapping)
    )
    return HttpReply.json(
        {
            "totalTokens": tokens,
            "totalBillableCharacters": characters,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}],
        }
    )
