"""Reading a finished job's results and joining them to request IDs by key, never by position.

Inline items carry the request's `metadata.key`; result-file lines carry `key`. Every result is
checked against the submitted IDs (`_keycheck.KeyCheck`): a result without a key, a key nobody
submitted, a repeated key, or a submitted ID with no result raises `ResultMismatchError` (which
still carries every correctly keyed result, so nothing is lost).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.convert.google_response import error_to_failure, response_to_output
from langchain_gemini_batch.errors import (
    BatchJobError,
    BatchNotFinishedError,
    RequestFailedError,
)
from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus, LMOutput

__all__ = [
    "BatchResult",
    "iter_file_items",
    "iter_file_lines",
    "iter_inline_items",
    "to_result",
    "unfinished_job_failures",
]

BatchResult = LMOutput | RequestFailedError
"""One request's result: its output, or the typed failure of that one request."""


def iter_inline_items(items: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str | None, Any]]:
    """`(key, item)` for each inlined response (`key` is `None` when metadata is missing)."""
    for item in items:
        metadata = item.get("metadata") or {}
        yield metadata.get("key"), item


_BLOCK_LINES = 2048


def iter_file_lines(path: Path) -> Iterator[tuple[str | None, Any, bytes]]:
    """`(key, item, line)` for each line of a downloaded results file (`line` without its end).

    Lines are read in blocks of 2,048 and each block is decoded as one JSON array, with the
    garbage collector paused (decoding makes no cycles): memory stays bounded by the block, and
    the per-call overhead of `json.loads` is paid once per block instead of once per line.
    """
    with path.open("rb") as lines:
        while block := [
            line.rstrip() for line in itertools.islice(lines, _BLOCK_LINES) if line.strip()
        ]:
            with gc_paused():
                items = json.loads(b"[" + b",".join(block) + b"]")
            for item, line in zip(items, block, strict=True):
                yield item.get("key"), item, line


def iter_file_items(path: Path) -> Iterator[tuple[str | None, Any]]:
    """`(key, item)` for each line of a downloaded results file (see `iter_file_lines`)."""
    for key, item, _ in iter_file_lines(path):
        yield key, item


def to_result(
    key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str
) -> BatchResult:
    """One result item (`response` or `error`) as an `LMOutput` or a `RequestFailedError`."""
    if item.get("error"):
        return error_to_failure(item["error"], request_id=key, batch_job=batch_job)
    response = item.get("response")
    if response is None:
        return RequestFailedError(
            request_id=key,
            code=None,
            status=None,
            error_message="the result holds neither a response nor an error",
            batch_job=batch_job,
        )
    return response_to_output(response, request_id=key, structured=structured, batch_job=batch_job)


def unfinished_job_failures(
    batch_job: str,
    job: Mapping[str, Any],
    info: BatchJobInfo,
    keys: Collection[str] | None,
    *,
    several: bool,
) -> Iterator[tuple[str, RequestFailedError]] | None:
    """What a job without results means for its requests (`None` when it has results).

    A job still running, or the only job of a batch, raises `BatchJobError`. A job of a split
    batch that ended FAILED, CANCELLED or EXPIRED turns each of its (known) request IDs into a
    `RequestFailedError` (read one at a time from `keys`), so the other jobs' results are not
    lost.
    """
    if info.status is BatchStatus.FINISHED:
        return None
    message = (job.get("error") or {}).get("message")
    if not info.status.is_terminal:
        raise BatchNotFinishedError(batch_job, info.state)
    if not (several and keys):
        raise BatchJobError(batch_job, info.state, message)
    return (
        (
            key,
            RequestFailedError(
                request_id=key,
                code=None,
                status=info.state,
                error_message=message or f"batch job {batch_job} ended in {info.state}",
                batch_job=batch_job,
            ),
        )
        for key in keys
    )
