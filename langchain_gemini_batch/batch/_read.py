"""Reading a finished batch's results, streamed, joined to request IDs by key.

`iter_results` yields `(request_id, result)` pairs job by job, holding at most one block of a
results file in memory; every key is checked against what was submitted (the journal's record,
else the job's request count). A results file is downloaded to a private spool file with
retries on transient failures, read, and deleted. Once a job's results have been read (or it
ended without any), its journal record becomes RETRIEVED and the input file this package
uploaded for it is deleted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.batch._faults import with_retries
from langchain_gemini_batch.batch._results import KeyCheck, unfinished_job_failures
from langchain_gemini_batch.batch._spool import SpoolFile
from langchain_gemini_batch.batch._submit import delete_file_quietly
from langchain_gemini_batch.batch.backends.base import RemoteJob
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.journal import JobRecord, RecordState
from langchain_gemini_batch.errors import (
    BatchJobError,
    InvalidRequestError,
    ResultMismatchError,
    ResultsReadError,
)

if TYPE_CHECKING:
    from langchain_gemini_batch.batch.engine import BatchEngine

__all__ = ["iter_results"]

logger = logging.getLogger("langchain_gemini_batch")

_DECODE_BLOCK = 2048


async def iter_results(
    engine: BatchEngine,
    batch_id: str,
    codec: Codec,
    *,
    custom_request_ids: Iterable[str] | None = None,
    structured: bool | None = None,
    known: Mapping[str, RemoteJob] | None = None,
    settle: bool = True,
) -> AsyncIterator[tuple[str, Any]]:
    """`(request_id, result)` for every request of a finished batch.

    Args:
        engine: The batch engine.
        batch_id: One job name, or several joined by commas.
        codec: Decodes each result.
        custom_request_ids: The IDs that were submitted, when the batch was made elsewhere.
        structured: Decode text as JSON (default: as the batch was created).
        known: Job bodies just read (by `wait`), used instead of asking again.
        settle: Record each job as retrieved and delete its uploaded input file once read
            (default); `False` reads without changing anything (e.g. to total the cost).

    Raises:
        BatchNotFinishedError: A job has not ended yet.
        BatchJobError: The only job ended FAILED, CANCELLED or EXPIRED (in a split batch,
            such a job's requests are yielded as `RequestFailedError`s instead).
        ResultMismatchError: After everything matched was yielded, when keys were missing,
            unknown, repeated or absent.
    """
    names = engine.job_names(batch_id)
    expected = list(custom_request_ids) if custom_request_ids is not None else None
    overall = KeyCheck(batch_id, expected, None) if expected is not None else None
    mismatches: list[ResultMismatchError] = []
    for name in names:
        record = engine.record(name)
        if record is not None and record.kind != codec.kind:
            raise InvalidRequestError(
                f"{name} holds {record.kind} requests, not {codec.kind} ones; read it with "
                "the matching invoker"
            )
        job = (known or {}).get(name) or await _fetch(engine, name)
        keys = list(record.request_ids) if record and record.request_ids else None
        try:
            failures = unfinished_job_failures(
                name, job.raw, job.info, keys, several=len(names) > 1
            )
        except BatchJobError:
            # Ended without results: its input file is of no more use (on Cloud Storage it
            # would otherwise stay forever).
            await _finish(engine, job, record, RecordState.ABANDONED)
            raise
        if failures is not None:
            for key, failure in failures:
                if overall is None or overall.accept(key):
                    yield key, failure
            if settle:
                await _finish(engine, job, record, RecordState.ABANDONED)
            continue
        check = overall or KeyCheck(name, keys, job.info.request_counts.total or None)
        decode = structured if structured is not None else bool(record and record.structured)
        async for pair in _read_job(engine, job, check, codec, decode):
            yield pair
        if settle:
            await _finish(engine, job, record, RecordState.RETRIEVED)
        if overall is None:
            try:
                check.finish({})
            except ResultMismatchError as error:
                mismatches.append(error)
    if overall is not None:
        overall.finish({})
    if mismatches:
        raise mismatches[0] if len(mismatches) == 1 else _combined(batch_id, mismatches)


def _combined(batch_id: str, errors: list[ResultMismatchError]) -> ResultMismatchError:
    return ResultMismatchError(
        batch_id,
        missing=[key for error in errors for key in error.missing],
        unexpected=[key for error in errors for key in error.unexpected],
        unkeyed=sum(error.unkeyed for error in errors),
    )


async def _fetch(engine: BatchEngine, name: str) -> RemoteJob:
    return await with_retries(
        lambda: engine.backend.get(name),
        what=f"reading {name}",
        attempts=engine.read_attempts,
        base_delay=engine.retry_base_delay,
    )


async def _read_job(
    engine: BatchEngine, job: RemoteJob, check: KeyCheck, codec: Codec, structured: bool
) -> AsyncIterator[tuple[str, Any]]:
    source = engine.backend.results(job)
    if source is None:
        return  # no results at all: every submitted ID is reported missing by the check
    if source.items is not None:
        items = engine.backend.iter_inline_items(source.items)
        for block in _blocks(items):
            for pair in _decode_block(block, check, codec, structured, job.name):
                yield pair
        return
    assert source.file is not None
    file = source.file
    with SpoolFile("results.jsonl") as spool:
        spool.handle.close()  # the SDK writes the file by its path
        try:
            await with_retries(
                lambda: engine.backend.download(file, spool.path),
                what=f"downloading {file}",
                attempts=engine.read_attempts,
                base_delay=engine.retry_base_delay,
            )
        except (ImportError, InvalidRequestError):
            raise  # a missing extra or a bad request: not a failure to read
        except Exception as exc:
            raise ResultsReadError(job.name, file, engine.read_attempts, exc) from exc
        for block in _blocks(engine.backend.iter_file_items(spool.path)):
            for pair in _decode_block(block, check, codec, structured, job.name):
                yield pair


def _blocks(items: Iterable[tuple[str | None, Any]]) -> Iterable[list[tuple[str | None, Any]]]:
    block: list[tuple[str | None, Any]] = []
    for item in items:
        block.append(item)
        if len(block) >= _DECODE_BLOCK:
            yield block
            block = []
    if block:
        yield block


def _decode_block(
    block: list[tuple[str | None, Any]], check: KeyCheck, codec: Codec, structured: bool, job: str
) -> list[tuple[str, Any]]:
    decoded = []
    with gc_paused():  # a bulk conversion that makes no reference cycles
        for key, item in block:
            if check.accept(key):
                assert key is not None
                decoded.append((key, codec.decode(key, item, structured=structured, batch_job=job)))
    return decoded


async def _finish(
    engine: BatchEngine, job: RemoteJob, record: JobRecord | None, state: RecordState
) -> None:
    """The job is done with: record it, delete the input file this package uploaded."""
    engine.forget(job.name, state=state, remote_state=job.info.state)
    uploaded = record.input_file if record is not None else None
    if uploaded and await delete_file_quietly(engine.backend, uploaded):
        logger.info("deleted the input file %s of %s", uploaded, job.name)
