"""Embedding endpoints: `embedContent`, `batchEmbedContents` and `asyncBatchEmbedContent`.

`asyncBatchEmbedContent` creates a batch job exactly like `batchGenerateContent` does (same
`batches/<id>` names, get / list / cancel / delete, states, `batchStats`, faults), from inline
requests (`batch.inputConfig.requests.requests[]` of `{"request": EmbedContentRequest,
"metadata": {...}}`) or a JSONL file (`batch.inputConfig.fileName`, also `file_name` as the SDK
sends it; lines `{"key": ..., "request": EmbedContentRequest}`). Its Operation's `@type` is
`...EmbedContentBatch`; once succeeded, inline results sit under
`output.inlinedResponses.inlinedResponses[]` as `{"response": {"embedding": {"values"},
"usageMetadata"}, "metadata": <echoed>}` (google-genai renames the list to
`dest.inlined_embed_content_responses`), file results in `files/batch-<id>` as
`{"key": ..., "response": {"embedding": {"values": [...]}}}` lines. The vectors and the checks
are in `_embeddings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._batch_api import create_job
from langchain_gemini_batch.testing.emulator._embeddings import (
    DEFAULT_DIMENSION,
    embed_problem,
    embed_response,
    embed_violations,
)
from langchain_gemini_batch.testing.emulator._inputs import RequestKind
from langchain_gemini_batch.testing.emulator._model_api import require_model
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._validation import Violation, violations_error
from langchain_gemini_batch.testing.emulator._wire import invalid_argument

__all__ = ["MAX_BATCH_EMBED_REQUESTS", "async_batch_embed_content", "batch_embed_contents",
           "embed_content"]  # fmt: skip

MAX_BATCH_EMBED_REQUESTS = 100
_BATCH = "BatchEmbedContentsRequest"


def _model(state: State, call: Call, method: str) -> tuple[str, int]:
    model = require_model(state, call, method)
    return model.name, model.dimension or DEFAULT_DIMENSION


def _body(call: Call) -> Mapping[str, Any]:
    return call.body if isinstance(call.body, Mapping) else {}


def embed_content(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:embedContent`: `{"embedding": {"values": [...]}}`."""
    name, full = _model(state, call, "embedContent")
    body = _body(call)
    violations = embed_violations(
        body, "", owner="EmbedContentRequest", version=call.version, full=full
    )
    if violations:
        raise violations_error(violations)
    problem = embed_problem(body, "EmbedContentRequest")
    if problem:
        raise invalid_argument(problem)
    return HttpReply.json(embed_response(body, model=name, full=full))


def batch_embed_contents(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:batchEmbedContents` (what `models.embed_content` always calls).

    At most 100 requests (Google's real 400 beyond); each request's `model`, when given, must
    be the model of the URL. Answers `{"embeddings": [{"values": [...]}, ...]}` in order.
    """
    name, full = _model(state, call, "batchEmbedContents")
    body = _body(call)
    requests = body.get("requests")
    violations = [
        Violation("", f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.')
        for key in body
        if key != "requests"
    ]
    if not isinstance(requests, list) or not requests:
        raise invalid_argument(f"* {_BATCH}.requests: requests must not be empty\n")
    if len(requests) > MAX_BATCH_EMBED_REQUESTS:
        raise invalid_argument(
            f"* {_BATCH}.requests: at most {MAX_BATCH_EMBED_REQUESTS} requests can be in one "
            "batch\n"
        )
    for index, request in enumerate(requests):
        path = f"requests[{index}]"
        violations += embed_violations(request, path, owner=_BATCH, version=call.version, full=full)
        model = request.get("model") if isinstance(request, Mapping) else None
        if model is not None and model != name:
            violations.append(
                Violation(
                    f"{path}.model",
                    f"* {_BATCH}.{path}.model: the model of each request must be the model "
                    f"of the batch, {name}.\n",
                )
            )
        problem = embed_problem(request, f"{_BATCH}.{path}")
        if problem:
            violations.append(Violation(f"{path}.content", problem))
    if violations:
        raise violations_error(violations)
    embeddings = [embed_response(r, model=name, full=full)["embedding"] for r in requests]
    return HttpReply.json({"embeddings": embeddings})


def async_batch_embed_content(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:asyncBatchEmbedContent`: a new embedding batch job, PENDING."""
    name, full = _model(state, call, "asyncBatchEmbedContent")
    kind = RequestKind(
        owner="AsyncBatchEmbedContentRequest",
        line_owner="EmbedContentRequest",
        refused=lambda request, path, owner, version: embed_violations(
            request, path, owner=owner, version=version, full=full
        ),
        missing=embed_problem,
    )
    return create_job(state, call, name, kind, dimension=full)
