"""The batch engine: plan, create, wait, read and clean up, for any request kind and backend.

The engine knows neither the request kind (a `Codec` encodes requests and decodes results)
nor the platform (a `Backend` runs the jobs). It owns what every batch needs:
- planning: inline or file by encoded size, split past one job's limits (`_plan.py`);
- creating without paying twice: the journal, reattach on rerun, careful creates
  (`_submit.py`);
- waiting with progress, a true deadline and truthful give-ups (`_wait.py`);
- reading results streamed and joined by key, then deleting what was uploaded (`_read.py`).

A batch ID is one job name, or several joined by commas when the work was split.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from langchain_gemini_batch._gc import frozen_as_it_grows, gc_paused
from langchain_gemini_batch.batch._faults import http_status, with_retries
from langchain_gemini_batch.batch._jobs import combine_infos, join_handle, split_parts
from langchain_gemini_batch.batch._plan import BatchLimits, JobChunk, Plan, limits_within, plan_jobs
from langchain_gemini_batch.batch._read import iter_result_blocks, iter_results
from langchain_gemini_batch.batch._submit import (
    RecordCache,
    Submitter,
    cancel_confirmed,
    display_name_for,
)
from langchain_gemini_batch.batch._wait import ProgressCallback, wait_for
from langchain_gemini_batch.batch._waves import Deliver, run_in_waves
from langchain_gemini_batch.batch.backends.base import Backend, RemoteJob
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.journal import JobRecord, Journal, RecordState
from langchain_gemini_batch.errors import (
    InvalidRequestError,
    ResultMismatchError,
)
from langchain_gemini_batch.schema import BatchJobInfo

__all__ = ["BatchEngine", "Plan"]

logger = logging.getLogger("langchain_gemini_batch")


class BatchEngine:
    """Runs batches of one backend (see the module docstring).

    Args:
        backend: Where jobs run.
        journal: The job journal (`None`: no reattach across processes).
        limits: How batches are cut into jobs.
        max_retries: Retries of a create refused with 429 or failed ambiguously (each after
            a look for the job). Reads of a finished job's results are retried at least 4
            times, whatever this says: a paid result is never given up after one error.
        retry_base_delay: First wait between retries of a failed call, in seconds.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        journal: Journal | None,
        limits: BatchLimits,
        max_retries: int = 3,
        retry_base_delay: float = 1.0,
    ) -> None:
        self.backend = backend
        self.journal = journal
        self.limits = limits
        self.retry_base_delay = retry_base_delay
        self.records = RecordCache()
        self.last_reattached: list[str] = []
        """The jobs the last `submit` reattached to instead of creating (for messages)."""
        self.read_attempts = max(5, max_retries + 1)
        self.submitter = Submitter(
            backend,
            journal,
            self.records,
            create_attempts=max_retries + 1,
            retry_base_delay=retry_base_delay,
        )

    # --- job names and records ---

    def job_names(self, batch_id: str) -> list[str]:
        """The job names behind a batch ID."""
        return [self.backend.job_name(part) for part in split_parts(batch_id)]

    def record(self, job_name: str) -> JobRecord | None:
        """What is known of a job this package created (journal, else this process)."""
        if self.journal is not None:
            return self.journal.find(self.backend.endpoint, job_name)
        return self.records.get(job_name)

    def note_state(self, job_name: str, state: str) -> None:
        """Record a job's newly seen state in the journal."""
        if self.journal is not None:
            self.journal.update(self.backend.endpoint, job_name, remote_state=state)

    def forget(self, job_name: str, *, state: RecordState, remote_state: str) -> None:
        """The job's results were read (or it ended without any): keep no state for it."""
        self.records.pop(job_name)
        if self.journal is not None:
            self.journal.update(
                self.backend.endpoint, job_name, state=state, remote_state=remote_state
            )

    # --- create ---

    def plan(
        self,
        requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
        codec: Codec,
        model: str,
        *,
        skip_invalid: bool = False,
    ) -> Plan:
        """Validate and encode every request and cut the work into jobs; nothing is sent."""
        self.backend.preflight()
        invalid: dict[str, InvalidRequestError] = {}
        with gc_paused():
            chunks = plan_jobs(
                requests,
                codec,
                limits_within(
                    self.limits,
                    inline_allowed=self.backend.inline_allowed,
                    max_requests=self.backend.max_requests_per_job,
                    max_bytes=self.backend.max_bytes_per_job,
                ),
                seed=codec.fingerprint(model),
                invalid=invalid if skip_invalid else None,
                wire_key=self.backend.wire_key,
                check=self.backend.check_request,
            )
        return Plan(chunks, invalid)

    async def submit_source(
        self,
        codec: Codec,
        model: str,
        source: str,
        destination: str,
        *,
        display_name: str | None,
        resume: bool = True,
        cancel_on_exit: bool = True,
    ) -> str:
        """Create (or reattach to) one job reading the caller's own input at `source`.

        The package sends no requests: the platform reads `source` (`gs://...` JSONL or a
        `bq://...` table) and writes to `destination`. The job is journaled like any other,
        so the same source, destination, model and settings reattach on a rerun.
        """
        self.backend.check_source(source, destination)
        chunk = JobChunk(codec, codec.fingerprint(model), source=source, destination=destination)
        with Plan([chunk], {}) as plan:
            return await self.submit(
                plan,
                codec,
                model,
                display_name=display_name,
                resume=resume,
                cancel_on_exit=cancel_on_exit,
            )

    async def submit(
        self,
        plan: Plan,
        codec: Codec,
        model: str,
        *,
        display_name: str | None,
        resume: bool = True,
        cancel_on_exit: bool = True,
        first: int = 0,
        count: int | None = None,
    ) -> str:
        """Create (or reattach to) jobs `first` .. `first + count` of `plan`; their batch ID.

        When a create fails, the jobs already created keep running (they are journaled and
        named in a WARNING: running the same work again reattaches to them and creates only
        what is missing); when the caller is cancelled, they are cancelled (unless
        `cancel_on_exit=False`). Jobs reattached to are always left alone.
        """
        chunks = plan.chunks[first : first + count if count is not None else None]
        total = len(plan.chunks)
        names: list[str] = []
        created: list[str] = []
        self.last_reattached = []
        try:
            for index, chunk in enumerate(chunks, start=first):
                template = JobRecord(
                    chunk_fingerprint=chunk.fingerprint,
                    work_fingerprint=plan.work_fingerprint,
                    endpoint=self.backend.endpoint,
                    kind=codec.kind,
                    model=model,
                    display_name=display_name_for(display_name, index, total, chunk.fingerprint),
                    request_count=chunk.count,
                    request_ids=chunk.ids,
                    key_digest=str(chunk.ids.digest),
                    structured=codec.structured,
                    chunk_index=index,
                    chunk_count=total,
                )
                record, new = await self.submitter.submit(
                    chunk,
                    template,
                    model=model,
                    codec=codec,
                    resume=resume,
                    cancel_on_exit=cancel_on_exit,
                )
                assert record.job_name is not None
                chunk.keep_ids = self.journal is None  # the record holds them, not a journal
                names.append(record.job_name)
                if new:
                    created.append(record.job_name)
                else:
                    self.last_reattached.append(record.job_name)
                chunk.drop_requests()  # the requests are with Google now
        except asyncio.CancelledError:
            if cancel_on_exit:
                for name in created:
                    await cancel_confirmed(self.backend, name)
            raise
        except Exception:
            if created:
                logger.warning(
                    "creating job %d of %d failed; %s keep running (journaled): run the same "
                    "work again to reattach to them and create only what is missing, or "
                    "cancel them with batch.cancel(%r)",
                    first + len(names) + 1,
                    total,
                    ", ".join(created),
                    join_handle(created),
                )
            raise
        return join_handle(names)

    # --- status, wait, results ---

    async def info(self, batch_id: str) -> BatchJobInfo:
        """Fresh `BatchJobInfo` of the batch (combined over its jobs)."""
        infos = []
        for name in self.job_names(batch_id):
            job = await self.backend.get(name)
            self.note_state(name, job.info.state)
            infos.append(job.info)
        return combine_infos(batch_id, infos)

    async def wait(
        self,
        batch_id: str,
        *,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        max_iterations: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> BatchJobInfo:
        """Poll until the batch has ended; see `_wait.wait_for`."""
        info, _ = await wait_for(
            self,
            batch_id,
            polling=polling,
            max_wait=max_wait,
            cancel_on_exit=cancel_on_exit,
            max_iterations=max_iterations,
            progress=progress,
        )
        return info

    def iter_results(
        self,
        batch_id: str,
        codec: Codec,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
        known: Mapping[str, RemoteJob] | None = None,
        settle: bool = True,
    ) -> AsyncIterator[tuple[str, Any]]:
        """`(request_id, result)` pairs of a finished batch; see `_read.iter_results`."""
        return iter_results(
            self,
            batch_id,
            codec,
            custom_request_ids=custom_request_ids,
            structured=structured,
            known=known,
            settle=settle,
        )

    def iter_result_blocks(
        self,
        batch_id: str,
        codec: Codec,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
        settle: bool = True,
    ) -> AsyncIterator[list[tuple[str, Any]]]:
        """`iter_results` a block (up to 2,048 pairs) at a time; see `_read.iter_result_blocks`."""
        return iter_result_blocks(
            self,
            batch_id,
            codec,
            custom_request_ids=custom_request_ids,
            structured=structured,
            settle=settle,
        )

    async def retrieve(
        self,
        batch_id: str,
        codec: Codec,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
        known: Mapping[str, RemoteJob] | None = None,
    ) -> dict[str, Any]:
        """Every result of a finished batch, keyed by request ID.

        Raises:
            ResultMismatchError: Keys did not match; its `results` holds every matched result.
        """
        results: dict[str, Any] = {}
        blocks = iter_result_blocks(
            self,
            batch_id,
            codec,
            custom_request_ids=custom_request_ids,
            structured=structured,
            known=known,
        )
        try:
            with frozen_as_it_grows() as freeze:
                async for block in blocks:
                    chunk = dict(block)
                    if len(chunk) == len(block) and results.keys().isdisjoint(chunk):
                        results.update(chunk)
                    else:
                        for key, result in block:  # a repeated key keeps its first result
                            if key not in results:
                                results[key] = result
                    freeze()
        except ResultMismatchError as error:
            unknown = set(error.unexpected).difference(error.repeated)
            error.results = {k: v for k, v in results.items() if k not in unknown}
            raise
        return results

    # --- everything at once ---

    async def run(
        self,
        requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
        codec: Codec,
        model: str,
        *,
        display_name: str | None = None,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        max_iterations: int | None = None,
        skip_invalid: bool = False,
        resume: bool = True,
        progress: ProgressCallback | None = None,
        deliver: Deliver | None = None,
    ) -> dict[str, Any]:
        """Create, wait and read, in waves of at most `max_concurrent_jobs` jobs.

        `deliver` takes the results a block at a time instead (then `{}` is returned); see
        `_waves`.

        Raises:
            IncompleteBatchError: A later wave failed after earlier ones finished; its
                `results` holds everything read (the journal keeps the finished jobs too).
        """
        return await run_in_waves(
            self,
            requests,
            codec,
            model,
            display_name=display_name,
            polling=polling,
            max_wait=max_wait,
            cancel_on_exit=cancel_on_exit,
            max_iterations=max_iterations,
            skip_invalid=skip_invalid,
            resume=resume,
            progress=progress,
            deliver=deliver,
        )

    # --- list, cancel, delete ---

    async def list(self, page_size: int = 100) -> list[RemoteJob]:
        """Every job of the account, following every page."""
        jobs: list[RemoteJob] = []
        async for page in self.backend.pages(page_size):
            jobs.extend(page)
        return jobs

    async def cancel(self, batch_id: str) -> None:
        """Cancel every job of the batch (raises the platform's error when one fails)."""
        for name in self.job_names(batch_id):
            await with_retries(
                functools.partial(self.backend.cancel, name),
                what=f"cancelling {name}",
                base_delay=self.retry_base_delay,
            )

    async def cancel_confirmed(self, batch_id: str) -> bool:
        """Cancel every job of the batch; whether Google confirmed every cancel."""
        confirmed = True
        for name in self.job_names(batch_id):
            confirmed = await cancel_confirmed(self.backend, name) and confirmed
        return confirmed

    async def delete(self, batch_id: str) -> None:
        """Delete every job of the batch (they disappear from `list()`)."""
        for name in self.job_names(batch_id):
            try:
                await self.backend.delete(name)
            except Exception as exc:
                if http_status(exc) != 404:
                    raise
            self.forget(name, state=RecordState.ABANDONED, remote_state="DELETED")
