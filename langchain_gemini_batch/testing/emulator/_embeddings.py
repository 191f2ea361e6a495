r"""The deterministic embedding model and the rules of an EmbedContentRequest.

**Vectors**: for one request, the text `T` is its `content`'s text parts joined with a newline.
A seed is the SHA-256 of `model_id + "\n" + taskType + "\n" + title + "\n" + T` (`taskType`
as sent, `TASK_TYPE_UNSPECIFIED` when absent; `title` `""` when absent). The model's full
vector (3072 values for `gemini-embedding-001` and names added with `extra_models`, 768 for
`text-embedding-004`) is drawn uniformly from [-1, 1) by `random.Random(seed)`, scaled to unit
length and rounded to 8 decimals. With `outputDimensionality` N the answer is the first N
values, not scaled again (Google documents that only the full-size vector is normalised; the
emulator's choice of "truncate" is inferred from Google's field description). So the same text,
model, task type, title and dimension give the same values online (`embedContent`,
`batchEmbedContents`) and in a batch (`asyncBatchEmbedContent`), and a smaller dimension is a
prefix of a larger one.

**Refused** (400, the same wording rules as `_validation`): unknown field names (`Unknown name
"x" at 'requests[0]': Cannot find field.`), a `content` without text parts (`* <Request>.content:
content is not specified`), a `taskType` that is not a TaskType (`Invalid value at 'task_type'
(type.googleapis.com/google.ai.generativelanguage.<version>.TaskType), "X"`), an
`outputDimensionality` that is not an int32, or < 1, or larger than the model's dimension.
Unverified against Google: the range message and bounds (Google documents 128-3072 as
"supported"), and the `content` message.

**Responses**: `embedContent` → `{"embedding": {"values": [...]}}`; `batchEmbedContents` →
`{"embeddings": [{"values": [...]}, ...]}` in request order (neither with `usageMetadata`, which
was not seen on these calls); an inline batch item's response adds `usageMetadata:
{"promptTokenCount": n}` (as a real capture shows); a results file line has none (as another
real capture shows).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field, snake_case
from langchain_gemini_batch.testing.emulator._model import count_tokens
from langchain_gemini_batch.testing.emulator._validation import Violation

__all__ = [
    "DEFAULT_DIMENSION",
    "EMBED_REQUEST_FIELDS",
    "embed_problem",
    "embed_response",
    "embed_text",
    "embed_values",
    "embed_violations",
]

DEFAULT_DIMENSION = 3072
TASK_TYPES = frozenset(
    {
        "TASK_TYPE_UNSPECIFIED",
        "RETRIEVAL_QUERY",
        "RETRIEVAL_DOCUMENT",
        "SEMANTIC_SIMILARITY",
        "CLASSIFICATION",
        "CLUSTERING",
        "QUESTION_ANSWERING",
        "FACT_VERIFICATION",
        "CODE_RETRIEVAL_QUERY",
    }
)
_NAMES = ("model", "content", "taskType", "title", "outputDimensionality")
EMBED_REQUEST_FIELDS = frozenset(_NAMES) | frozenset(snake_case(n) for n in _NAMES)


def embed_text(request: object) -> str:
    """`T`: the text parts of the request's `content`, joined with a newline."""
    parts = field(field(request, "content"), "parts")
    return "\n".join(
        str(p["text"])
        for p in (parts if isinstance(parts, list) else [])
        if isinstance(p, Mapping) and isinstance(p.get("text"), str)
    )


def embed_values(
    text: str, *, model_id: str, task_type: str, title: str, dimension: int, full: int
) -> list[float]:
    """The first `dimension` values of the model's unit vector for this text (module rules).

    Args:
        text: `T`.
        model_id: The model id (`gemini-embedding-001`).
        task_type: The task type (`TASK_TYPE_UNSPECIFIED` when none was sent).
        title: The title (`""` when none was sent).
        dimension: How many values to return.
        full: The model's full dimension.
    """
    seed = hashlib.sha256(f"{model_id}\n{task_type}\n{title}\n{text}".encode()).digest()
    draw = random.Random(seed).random  # noqa: S311 - deterministic on purpose
    raw = [draw() * 2 - 1 for _ in range(full)]
    norm = sum(v * v for v in raw) ** 0.5 or 1.0
    return [round(v / norm, 8) for v in raw[:dimension]]


def embed_response(
    request: Mapping[str, Any], *, model: str, full: int, with_usage: bool = False
) -> dict[str, Any]:
    """An EmbedContentResponse for one request.

    Args:
        request: The EmbedContentRequest.
        model: The model id or resource name.
        full: The model's full dimension.
        with_usage: Add `usageMetadata.promptTokenCount` (inline batch items).
    """
    model_id = model.rsplit("/", 1)[-1]
    text = embed_text(request)
    dimension = field(request, "outputDimensionality")
    values = embed_values(
        text,
        model_id=model_id,
        task_type=str(field(request, "taskType") or "TASK_TYPE_UNSPECIFIED"),
        title=str(field(request, "title") or ""),
        dimension=int(dimension) if dimension is not None else full,
        full=full,
    )
    response: dict[str, Any] = {"embedding": {"values": values}}
    if with_usage:
        response["usageMetadata"] = {"promptTokenCount": count_tokens(text)}
    return response


def embed_problem(request: object, owner: str) -> str | None:
    """Google's message when a request has no text to embed, else `None`."""
    if not embed_text(request) and not _has_parts(request):
        return f"* {owner}.content: content is not specified\n"
    return None


def _has_parts(request: object) -> bool:
    parts = field(field(request, "content"), "parts")
    return isinstance(parts, list) and bool(parts)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def embed_violations(
    request: object, path: str, *, owner: str, version: str, full: int
) -> list[Violation]:
    """Every name or value Google would refuse in an EmbedContentRequest (module rules).

    Args:
        request: The request as received.
        path: Its proto path (`requests[2]`, `batch.input_config.requests.requests[0].request`,
            `""` for an embedContent body).
        owner: The request message named in range messages.
        version: `v1beta` or `v1`.
        full: The model's full dimension (the largest `outputDimensionality`).
    """
    if not isinstance(request, Mapping):
        return []
    found = [
        Violation(
            path,
            f'Invalid JSON payload received. Unknown name "{name}"'
            + (f" at '{path}'" if path else "")
            + ": Cannot find field.",
        )
        for name in request
        if name not in EMBED_REQUEST_FIELDS
    ]
    task = field(request, "taskType")
    if task is not None and task not in TASK_TYPES:
        where = _join(path, "task_type")
        enum = f"type.googleapis.com/google.ai.generativelanguage.{version}.TaskType"
        shown = f'"{task}"' if isinstance(task, str) else str(task)
        found.append(Violation(where, f"Invalid value at '{where}' ({enum}), {shown}"))
    dimension = field(request, "outputDimensionality")
    if dimension is not None:
        where = _join(path, "output_dimensionality")
        number = (
            dimension if isinstance(dimension, int) and not isinstance(dimension, bool) else None
        )
        if isinstance(dimension, str) and dimension.lstrip("-").isdigit():
            number = int(dimension)
        if number is None or not -(2**31) <= number < 2**31:
            shown = json.dumps(dimension)
            found.append(Violation(where, f"Invalid value at '{where}' (TYPE_INT32), {shown}"))
        elif not 1 <= number <= full:
            found.append(
                Violation(
                    where,
                    f"* {owner}.{where}: output_dimensionality must be between 1 and {full}.\n",
                )
            )
    return found
