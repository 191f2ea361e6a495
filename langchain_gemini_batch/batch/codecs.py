"""Request kinds: how one request is encoded for a batch job and one result decoded.

The batch engine knows no request kind. A codec tells it how to build and encode a request
(`build`, `encode_line`, `inline_item`), how to decode one result item (`decode`), which
create method the backend must call (`method`), and what the requests share (`settings`, part
of the work's fingerprint). `GenerateCodec` is `generateContent`; the embeddings codec is its
twin for `embedContent`. `RawCodec` is `generateContent` too, for requests already in Google's
wire form (the lines of Google's batch JSONL files): its results are the raw result items.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from langchain_gemini_batch.batch._costing import AnswerPricer
from langchain_gemini_batch.batch._results import BatchResult, to_result
from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.convert.wire_checks import encode_json
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.pricing import PriceTable
from langchain_gemini_batch.schema import LMInput, LMOutput

__all__ = [
    "Codec",
    "GenerateCodec",
    "GenerateWire",
    "LineCodec",
    "RawCodec",
    "RawLine",
    "RawResult",
    "raw_request_problem",
]


RawResult = dict[str, Any]
"""One result as Google's batch output file has it: `{"key", "response"}` or `{"key", "error"}`."""

RawLine = tuple[dict[str, Any], bytes]
"""A result read from a Gemini API results file that is exactly its line: `(item, line)`, the
line as the file holds it (written out as it is, without a second encoding)."""


class Codec(Protocol):
    """What the engine needs to know about one request kind."""

    kind: str
    """A short name stored in the journal (`generate`, `embed`)."""
    method: str
    """The Batch API create method (`batchGenerateContent`, `asyncBatchEmbedContent`)."""
    structured: bool
    """Whether text results are decoded as JSON into `structured_output`."""

    def build(self, request_id: str, item: Any) -> dict[str, Any]:
        """The wire request for one input; raises `InvalidRequestError` naming `request_id`."""

    def encode_line(self, request_id: str, request: dict[str, Any]) -> bytes:
        """One JSONL line (`{"key": ..., "request": ...}` and a newline)."""

    def inline_item(self, request_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """One item of an inline create body, carrying the request ID as its key."""

    def decode(self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str) -> Any:
        """One result item (`response` or `error`) as the caller's result type."""

    def fingerprint(self, model: str) -> bytes:
        """Bytes that seed the fingerprint of every job of this kind, model and settings."""


@runtime_checkable
class LineCodec(Protocol):
    """A codec that can also take a result together with its line of the results file."""

    def decode_line(self, key: str, item: Mapping[str, Any], line: bytes) -> Any:
        """`decode`, given the JSON line the item was decoded from."""


def raw_request_problem(request: object) -> str | None:
    """What is wrong with a wire `GenerateContentRequest` at a glance, or `None`."""
    if not isinstance(request, Mapping):
        return (
            "`request` must be a JSON object (a GenerateContentRequest), not "
            f"{type(request).__name__}"
        )
    contents = request.get("contents")
    if not isinstance(contents, list) or not contents:
        return "`request.contents` must be a non-empty list of Content objects"
    return None


def _fingerprint(kind: str, model: str, structured: bool) -> bytes:
    return hashlib.sha256(json.dumps([kind, model, structured]).encode()).digest()


class GenerateWire:
    """What every `generateContent` codec shares: job kind, method and a request's wire form.

    A request goes out as a JSONL line `{"key", "request"}`, or inline as
    `{"request", "metadata": {"key"}}`.
    """

    kind = "generate"
    method = "batchGenerateContent"

    def encode_line(self, request_id: str, request: dict[str, Any]) -> bytes:
        """See `Codec.encode_line` (strict JSON: a value Google would refuse is an error)."""
        return encode_json({"key": request_id, "request": request}, request_id=request_id) + b"\n"

    def inline_item(self, request_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """`{"request": ..., "metadata": {"key": request_id}}`."""
        return {"request": request, "metadata": {"key": request_id}}


class GenerateCodec(GenerateWire):
    """`generateContent` requests (`LMInput` in, `LMOutput` or `RequestFailedError` out).

    Every decoded `LMOutput` with token usage carries `metadata["cost"]`, what it cost at batch
    price and would have cost online (`Cost.as_metadata()`: `batch_usd`, `online_usd`,
    `saved_usd`, `currency`, `priced_as`, `prices_as_of`). It is priced as the response's
    `modelVersion`, else as `model`; an answer without usage, or of a model the price table
    does not know, has no `cost` key.

    Args:
        builder: The request builder for the call's settings (shared with online calls).
        model: The model the batch is sent to (prices answers whose `modelVersion` the table
            does not know).
        prices: The price table (default: `default_prices()`).
    """

    def __init__(
        self,
        builder: RequestBuilder,
        *,
        model: str | None = None,
        prices: PriceTable | None = None,
    ) -> None:
        self.builder = builder
        self.structured = builder.structured
        self.pricer = AnswerPricer(model, prices=prices)

    def build(self, request_id: str, item: LMInput) -> dict[str, Any]:
        """See `Codec.build`."""
        return self.builder.build(request_id, item)

    def decode(
        self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str
    ) -> BatchResult:
        """See `Codec.decode`; adds `metadata["cost"]` (see the class docstring)."""
        result = to_result(key, item, structured=structured, batch_job=batch_job)
        if isinstance(result, LMOutput):
            metadata = result.metadata
            cost = self.pricer.metadata(result.token_usage, metadata.get("model_version"))
            if cost is not None:
                metadata["cost"] = cost
        return result

    def fingerprint(self, model: str) -> bytes:
        """The kind, the model and whether results are structured."""
        return _fingerprint(self.kind, model, self.structured)


class RawCodec(GenerateWire):
    """`generateContent` requests already in Google's wire form, results as Google gives them.

    A request is a REST `GenerateContentRequest` dict (`contents`, `systemInstruction`,
    `generationConfig`, `tools`, ...), as the `request` of a line of Google's batch JSONL
    format (`{"key": ..., "request": {...}}`); it is checked lightly (a JSON object whose
    `contents` is a non-empty list) and sent as it is: Google validates the rest and reports
    a bad request as that request's error. A result is the raw result item, normalised to a
    line of Google's output format: `{"key": ..., "response": {...}}` or
    `{"key": ..., "error": {...}}`.

    Jobs it creates are ordinary `generate` jobs: `GenerateCodec` can read them, and it can
    read `GenerateCodec`'s.
    """

    structured = False

    def build(self, request_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
        """The request itself (a copy), after the light check (`raw_request_problem`)."""
        problem = raw_request_problem(item)
        if problem:
            raise InvalidRequestError(problem, request_id=request_id)
        return dict(item)

    def decode(
        self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str
    ) -> RawResult:
        """`{"key", "response"}` or `{"key", "error"}` (an item with neither is an error)."""
        del structured, batch_job
        error = item.get("error")
        if error:
            return {"key": key, "error": error}
        response = item.get("response")
        if response is None:
            return {
                "key": key,
                "error": {"message": "the result holds neither a response nor an error"},
            }
        return {"key": key, "response": response}

    def decode_line(self, key: str, item: Mapping[str, Any], line: bytes) -> RawLine | RawResult:
        """`(item, line)` when the line is exactly the result, else `decode`.

        Exactly the result means `{"key", "response"}` with a response, or `{"key", "error"}`
        with an error: the lines of Google's results files.
        """
        exact = item.get("response") is not None or bool(item.get("error"))
        if isinstance(item, dict) and len(item) == 2 and exact:
            return item, line
        return self.decode(key, item, structured=False, batch_job="")

    def fingerprint(self, model: str) -> bytes:
        """The same seed as `GenerateCodec` without structured output (same requests, same job)."""
        return _fingerprint(self.kind, model, False)
