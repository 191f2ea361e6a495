"""`embedContent` requests: the embeddings twin of `GenerateCodec`.

One request is one text (with an optional title); its result is one vector. The same wire
request (`EmbedContentRequest`: `content.parts[].text`, `taskType`, `title`,
`outputDimensionality`) is sent online (`batchEmbedContents`) and in a batch job
(`asyncBatchEmbedContent`), so a text gets the same vector either way.

Example:
    ```python
    codec = EmbedCodec(task_type="RETRIEVAL_DOCUMENT", output_dimensionality=768)
    codec.build("doc-1", "The quick brown fox")
    # {"content": {"parts": [{"text": "The quick brown fox"}]},
    #  "taskType": "RETRIEVAL_DOCUMENT", "outputDimensionality": 768}
    ```
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from langchain_gemini_batch.convert.google_response import error_to_failure
from langchain_gemini_batch.convert.wire_checks import encode_json
from langchain_gemini_batch.errors import (
    InvalidRequestError,
    RequestFailedError,
    UnknownParameterError,
)

__all__ = [
    "TASK_TYPES",
    "EmbedCodec",
    "EmbedInput",
    "EmbedResult",
    "EmbedSettings",
    "embed_settings",
]

TASK_TYPES = (
    "TASK_TYPE_UNSPECIFIED",
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
)
"""Google's `TaskType` values."""

_TITLED = "RETRIEVAL_DOCUMENT"
_LARGEST_DIMENSION = 3072
"""`gemini-embedding-001`'s full size, assumed when no `output_dimensionality` is set."""
_BYTES_PER_VALUE = 12
"""A value as Google writes it (`-0.012345678,`)."""
_RESULT_OVERHEAD = 100
"""`{"response": {"embedding": {"values": []}}, "metadata": {"key": ...}}` and usage."""
_SETTING_NAMES = ("task_type", "output_dimensionality")
_INPUT_NAMES = ("text", "title", *_SETTING_NAMES)

EmbedResult: TypeAlias = list[float] | RequestFailedError
"""One text's result: its vector, or the typed failure of that one request."""


@dataclass(frozen=True)
class EmbedInput:
    """One text to embed, with an optional title (only with `RETRIEVAL_DOCUMENT`).

    Attributes:
        text: The text (non-empty).
        title: The document's title, which Google folds into the vector.
    """

    text: str
    title: str | None = None


@dataclass(frozen=True)
class EmbedSettings:
    """What every request of a call shares.

    Attributes:
        task_type: Google's `TaskType` (upper case), or `None` to send none.
        output_dimensionality: Keep the first N values (`None`: the model's full size).
    """

    task_type: str | None = None
    output_dimensionality: int | None = None


def _task_type(value: Any, where: str) -> str | None:
    if value is None:
        return None
    upper = value.upper() if isinstance(value, str) else value
    if upper not in TASK_TYPES:
        raise InvalidRequestError(f"{where} {value!r} is not one of {', '.join(TASK_TYPES)}")
    return str(upper)


def _dimension(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(f"{where} must be a positive whole number, got {value!r}")
    return value


def _unknown(names: Mapping[str, Any], known: tuple[str, ...], what: str) -> None:
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise UnknownParameterError(f"unknown {what} {name!r}{hint}")


def embed_settings(
    defaults: EmbedSettings, hyperparameters: Mapping[str, Any] | None = None
) -> EmbedSettings:
    """`defaults` with a call's overrides (`task_type`, `output_dimensionality`).

    Raises:
        UnknownParameterError: Another name was given.
        InvalidRequestError: A value is not a `TaskType` or not a positive whole number.
    """
    given = dict(hyperparameters or {})
    _unknown(given, _SETTING_NAMES, "embedding setting")
    task = given.get("task_type", defaults.task_type)
    dimension = given.get("output_dimensionality", defaults.output_dimensionality)
    return EmbedSettings(
        task_type=_task_type(task, "task_type"),
        output_dimensionality=_dimension(dimension, "output_dimensionality"),
    )


class EmbedCodec:
    """`embedContent` requests: a text in, a `list[float]` or `RequestFailedError` out.

    Args:
        settings: The task type and dimension every request gets (validated here).
    """

    kind = "embed"
    method = "asyncBatchEmbedContent"
    structured = False

    def __init__(self, settings: EmbedSettings | None = None) -> None:
        self.settings = embed_settings(settings or EmbedSettings())
        dimension = self.settings.output_dimensionality or _LARGEST_DIMENSION
        self.result_bytes = _RESULT_OVERHEAD + _BYTES_PER_VALUE * dimension
        """Estimated bytes of one inline result: a vector weighs far more than its text, so
        the planner counts it towards `inline_max_bytes` (see `_plan.SizedResults`)."""

    def build(self, request_id: str, item: str | EmbedInput | Mapping[str, Any]) -> dict[str, Any]:
        """The `EmbedContentRequest` for one text.

        Args:
            request_id: The request's ID (named in errors).
            item: The text, an `EmbedInput`, or a mapping with `text` and optionally `title`,
                `task_type`, `output_dimensionality` (overriding the codec's settings).

        Raises:
            InvalidRequestError: The text is empty or not a string, a title comes with a task
                type other than `RETRIEVAL_DOCUMENT`, or a value is invalid (the error names
                the request); `UnknownParameterError` for an unknown mapping key.
        """
        task, dimension = self.settings.task_type, self.settings.output_dimensionality
        text: Any = item
        title: Any = None
        if isinstance(item, EmbedInput):
            text, title = item.text, item.title
        elif isinstance(item, Mapping):
            try:
                _unknown(item, _INPUT_NAMES, "embedding request field")
                task = _task_type(item.get("task_type", task), "task_type")
                dimension = _dimension(
                    item.get("output_dimensionality", dimension), "output_dimensionality"
                )
            except InvalidRequestError as error:
                raise type(error)(str(error), request_id=request_id) from None
            text, title = item.get("text"), item.get("title")
        if not isinstance(text, str) or not text:
            shown = "an empty string" if text == "" else type(text).__name__
            raise InvalidRequestError(
                f"the text to embed must be a non-empty string, got {shown}", request_id=request_id
            )
        request: dict[str, Any] = {"content": {"parts": [{"text": text}]}}
        if task is not None:
            request["taskType"] = task
        if title is not None:
            if not isinstance(title, str):
                raise InvalidRequestError(
                    f"title must be a string, got {type(title).__name__}", request_id=request_id
                )
            if task != _TITLED:
                raise InvalidRequestError(
                    f"a title applies only with task_type {_TITLED!r}, not {task!r}",
                    request_id=request_id,
                )
            request["title"] = title
        if dimension is not None:
            request["outputDimensionality"] = dimension
        return request

    def encode_line(self, request_id: str, request: dict[str, Any]) -> bytes:
        """`{"key": ..., "request": ...}` and a newline (strict JSON, see `encode_json`)."""
        return encode_json({"key": request_id, "request": request}, request_id=request_id) + b"\n"

    def inline_item(self, request_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """`{"request": ..., "metadata": {"key": request_id}}`."""
        return {"request": request, "metadata": {"key": request_id}}

    def decode(
        self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str | None
    ) -> EmbedResult:
        """One result item: its vector, or a `RequestFailedError` (typed as for generation)."""
        if item.get("error"):
            return error_to_failure(item["error"], request_id=key, batch_job=batch_job)
        response = item.get("response") or {}
        values = (response.get("embedding") or {}).get("values")
        if not isinstance(values, list) or not values:
            return RequestFailedError(
                request_id=key,
                code=None,
                status=None,
                error_message="the result holds neither an embedding nor an error",
                batch_job=batch_job,
            )
        return [*map(float, values)]  # JSON may write a whole-number value as an int

    def fingerprint(self, model: str) -> bytes:
        """The kind, the model and the shared settings."""
        settings = [self.settings.task_type, self.settings.output_dimensionality]
        seed = json.dumps([self.kind, model, *settings]).encode()
        return hashlib.sha256(seed).digest()
