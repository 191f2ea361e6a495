"""Reading a finished batch's results, streamed, joined to request IDs by key.

`iter_results` yields `(request_id, result)` pairs job by job, holding at most one block of a
results file in memory; every key is checked against what was submitted (the journal's record,
else the job's request count) by `KeyCheck`, in bounded memory: a digest in the happy path, a
slow pass that names keys only when it disagrees. A results file is downloaded to a private
spool file with retries on transient failures, read, and deleted. Once a job's results have
been read (or it ended without any), its journal record becomes RETRIEVED and the input file
this package uploaded for it is deleted.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.batch._faults import with_retries
from langchain_gemini_batch.batch._keycheck import KeyCheck
from langchain_gemini_batch.batch._keys import RequestIds
from langchain_gemini_batch.batch._results import unfinished_job_failures
from langchain_gemini_batch.batch._spool import SpoolFile
from langchain_gemini_batch.batch._submit import delete_file_quietly
from langchain_gemini_batch.batch.backends.base import RemoteJob
from langchain_gemini_batch.batch.codecs import Codec, LineCodec
from langchain_gemini_batch.batch.journal import JobRecord, RecordState
from langchain_gemini_batch.errors import (
    BatchJobError,
    InvalidRequestError,
    ResultMismatchError,
    ResultsReadError,
)

if TYPE_CHECKING:
    from langchain_gemini_batch.batch.engine import BatchEngine

__all__ = ["iter_result_blocks", "iter_results"]

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
    """`(request_id, result)` for every request of a finished batch (see `iter_result_blocks`)."""
    async for block in iter_result_blocks(
        engine,
        batch_id,
        codec,
        custom_request_ids=custom_request_ids,
        structured=structured,
        known=known,
        settle=settle,
    ):
        for pair in block:
            yield pair


async def iter_result_blocks(
    engine: BatchEngine,
    batch_id: str,
    codec: Codec,
    *,
    custom_request_ids: Iterable[str] | None = None,
    structured: bool | None = None,
    known: Mapping[str, RemoteJob] | None = None,
    settle: bool = True,
) -> AsyncIterator[list[tuple[str, Any]]]:
    """`(request_id, result)` for every request of a finished batch, in blocks of up to 2,048.

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
        ResultMismatchError: After every result was yielded, when keys were missing, unknown,
            repeated or absent. A result whose key proves unknown or repeated has been yielded
            too (the error names it in `unexpected`, a repeat in `repeated` as well).
    """
    expected = RequestIds.of(custom_request_ids) if custom_request_ids is not None else None
    overall = KeyCheck(batch_id, expected, None) if expected is not None else None
    try:
        async for block in _iter_jobs(
            engine,
            batch_id,
            codec,
            overall=overall,
            structured=structured,
            known=known,
            settle=settle,
        ):
            yield block
    finally:
        if overall is not None:
            overall.close()
        if expected is not None:
            expected.close()


async def _iter_jobs(
    engine: BatchEngine,
    batch_id: str,
    codec: Codec,
    *,
    overall: KeyCheck | None,
    structured: bool | None,
    known: Mapping[str, RemoteJob] | None,
    settle: bool,
) -> AsyncIterator[list[tuple[str, Any]]]:
    mismatches: list[ResultMismatchError] = []
    names = engine.job_names(batch_id)
    for name in names:
        record = engine.record(name)
        if record is not None and record.kind != codec.kind:
            raise InvalidRequestError(
                f"{name} holds {record.kind} requests, not {codec.kind} ones; read it with "
                "the matching invoker"
            )
        job = (known or {}).get(name) or await _fetch(engine, name)
        keys = record.ids if record is not None and record.ids.count else None
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
            for block in _blocks(failures):
                yield [
                    (key, failure)
                    for key, failure in block
                    if overall is None or overall.accept(key)
                ]
            if settle:
                await _finish(engine, job, record, RecordState.ABANDONED)
            continue
        check = overall or KeyCheck(
            name,
            keys,
            job.info.request_counts.total or None,
            record.expected_digest() if record is not None and keys is not None else None,
        )
        decode = structured if structured is not None else bool(record and record.structured)
        try:
            async for block in _read_job(engine, job, check, codec, decode):
                yield block
            if settle:
                await _finish(engine, job, record, RecordState.RETRIEVED)
            if overall is None:
                try:
                    check.finish()
                except ResultMismatchError as error:
                    mismatches.append(error)
        finally:
            if overall is None:
                check.close()
    if overall is not None:
        overall.finish()
    if mismatches:
        raise mismatches[0] if len(mismatches) == 1 else _combined(batch_id, mismatches)


def _combined(batch_id: str, errors: list[ResultMismatchError]) -> ResultMismatchError:
    return ResultMismatchError(
        batch_id,
        missing=[key for error in errors for key in error.missing],
        unexpected=[key for error in errors for key in error.unexpected],
        repeated=[key for error in errors for key in error.repeated],
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
) -> AsyncIterator[list[tuple[str, Any]]]:
    source = engine.backend.results(job)
    if source is None:
        return  # no results at all: every submitted ID is reported missing by the check
    if source.items is not None:
        items: Iterator[_Item] = (
            (key, item, None) for key, item in engine.backend.iter_inline_items(source.items)
        )
        for block in _blocks(items):
            yield _decode_block(block, check, codec, structured, job.name)
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
        lines: Iterator[_Item] = engine.backend.iter_file_lines(spool.path)
        for block in _blocks(lines):
            yield _decode_block(block, check, codec, structured, job.name)


_Item = tuple[str | None, Any, bytes | None]
_T = TypeVar("_T")


def _blocks(items: Iterable[_T]) -> Iterator[list[_T]]:
    iterator = iter(items)
    while block := list(itertools.islice(iterator, _DECODE_BLOCK)):
        yield block


def _decode_block(
    block: Sequence[_Item], check: KeyCheck, codec: Codec, structured: bool, job: str
) -> list[tuple[str, Any]]:
    accepted = check.accept_all([key for key, _, _ in block])
    decode = codec.decode
    decode_line = codec.decode_line if isinstance(codec, LineCodec) else None
    decoded: list[tuple[str, Any]] = []
    append = decoded.append
    with gc_paused():  # a bulk conversion that makes no reference cycles
        for (key, item, line), ok in zip(block, accepted, strict=True):
            if not ok:
                continue
            assert key is not None
            if decode_line is not None and line is not None:
                append((key, decode_line(key, item, line)))
            else:
                append((key, decode(key, item, structured=structured, batch_job=job)))
    return decoded


async def _finish(
    engine: BatchEngine, job: RemoteJob, record: JobRecord | None, state: RecordState
) -> None:
    """The job is done with: record it, delete the input file this package uploaded."""
    engine.forget(job.name, state=state, remote_state=job.info.state)
    uploaded = record.input_file if record is not None else None
    if uploaded and await delete_file_quietly(engine.backend, uploaded):
        logger.info("deleted the input file %s of %s", uploaded, job.name)
