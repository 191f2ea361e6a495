"""Request kinds: how one request is encoded for a batch job and one result decoded.

The batch engine knows no request kind. A codec tells it how to build and encode a request
(`build`, `encode_line`, `inline_item`), how to decode one result item (`decode`), which
create method the backend must call (`method`), and what the requests share (`settings`, part
of the work's fingerprint). `GenerateCodec` is `generateContent`; the embeddings codec is its
twin for `embedContent`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from langchain_gemini_batch.batch._results import BatchResult, to_result
from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.convert.wire_checks import encode_json
from langchain_gemini_batch.schema import LMInput

__all__ = ["Codec", "GenerateCodec"]


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


class GenerateCodec:
    """`generateContent` requests (`LMInput` in, `LMOutput` or `RequestFailedError` out).

    Args:
        builder: The request builder for the call's settings (shared with online calls).
    """

    kind = "generate"
    method = "batchGenerateContent"

    def __init__(self, builder: RequestBuilder) -> None:
        self.builder = builder
        self.structured = builder.structured

    def build(self, request_id: str, item: LMInput) -> dict[str, Any]:
        """See `Codec.build`."""
        return self.builder.build(request_id, item)

    def encode_line(self, request_id: str, request: dict[str, Any]) -> bytes:
        """See `Codec.encode_line` (strict JSON: a value Google would refuse is an error)."""
        return encode_json({"key": request_id, "request": request}, request_id=request_id) + b"\n"

    def inline_item(self, request_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """`{"request": ..., "metadata": {"key": request_id}}`."""
        return {"request": request, "metadata": {"key": request_id}}

    def decode(
        self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str
    ) -> BatchResult:
        """See `Codec.decode`."""
        return to_result(key, item, structured=structured, batch_job=batch_job)

    def fingerprint(self, model: str) -> bytes:
        """The kind, the model and whether results are structured."""
        seed = json.dumps([self.kind, model, self.structured]).encode()
        return hashlib.sha256(seed).digest()
