"""`GoogleBatchOperations`: the seed's batch API on the Gemini Batch API.

Every request carries its ID to Google (`metadata.key` inline, `key` in JSONL) and results are
joined on it, never on position. `create` picks inline or JSONL-file mode by encoded size and
splits work past one job's limits; the batch ID it returns is Google's job name, or several
joined by commas (`batches/a,batches/b`), and `status`, `retrieve` and `cancel` accept both.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.batch._jobs import (
    job_state,
    join_handle,
    request_counts,
    results_location,
    split_handle,
    status_of_state,
    summarize,
)
from langchain_gemini_batch.batch._plan import JobChunk, plan_jobs
from langchain_gemini_batch.batch._results import (
    BatchResult,
    KeyCheck,
    fail_unfinished_job,
    iter_file_items,
    iter_inline_items,
    join_into,
)
from langchain_gemini_batch.batch.base import BatchOperations, PollingPolicy
from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.errors import (
    InvalidRequestError,
    ResultMismatchError,
)
from langchain_gemini_batch.schema import BatchStatus, LMInput

if TYPE_CHECKING:
    from langchain_gemini_batch.invoker import GoogleLMInvoker

__all__ = ["GoogleBatchOperations"]

logger = logging.getLogger("langchain_gemini_batch")

DEFAULT_DISPLAY_NAME = "langchain-gemini-batch"


@dataclass(frozen=True)
class _JobRecord:
    keys: list[str]
    structured: bool


def _combine(statuses: list[BatchStatus]) -> BatchStatus:
    """One status for the jobs of a batch handle."""
    if len(statuses) == 1:
        return statuses[0]
    for waiting in (BatchStatus.IN_PROGRESS, BatchStatus.CANCELING, BatchStatus.UNKNOWN):
        if waiting in statuses:
            return waiting
    for ended in (BatchStatus.FAILED, BatchStatus.EXPIRED, BatchStatus.CANCELLED):
        if ended in statuses:
            return ended
    return BatchStatus.FINISHED


class GoogleBatchOperations(BatchOperations):
    """Batch operations for `GoogleLMInvoker` (reach them as `invoker.batch`).

    Example:
        ```python
        invoker = GoogleLMInvoker("gemini-2.5-flash")
        batch_id = await invoker.batch.create({"q1": "Hi!", "q2": "What is 2 + 2?"})
        status = await invoker.batch.status(batch_id)  # BatchStatus.IN_PROGRESS ...
        results = await invoker.batch.retrieve(batch_id)  # {"q1": LMOutput, ...}
        # or all in one: results = await invoker.batch.invoke({...})
        ```
    """

    def __init__(self, invoker: GoogleLMInvoker) -> None:
        self._invoker = invoker
        self._jobs: dict[str, _JobRecord] = {}
        self._ended: dict[str, dict[str, Any]] = {}
        self._states: dict[str, str] = {}  # last state seen per job, to log changes

    @property
    def _client(self) -> Any:
        return self._invoker.client

    async def create(
        self,
        requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        display_name: str | None = None,
    ) -> str:
        """Create a batch job (or several, past one job's limits).

        Args:
            requests: Request ID to `LMInput`, or `(id, input)` pairs (any iterable, so huge
                batches can be streamed). IDs come back as the keys of `retrieve`.
            hyperparameters: Generation settings named as `GenerateContentConfig` fields
                (`temperature`, `max_output_tokens`, `system_instruction`, `tools`,
                `response_json_schema`, `thinking_config`, ...), over the invoker's
                `default_hyperparameters`.
            display_name: The job's display name (default `"langchain-gemini-batch"`).

        Returns:
            The batch ID: `batches/<id>`, or several joined by commas when split.

        Raises:
            InvalidRequestError: A request is invalid (the error names its ID), the batch is
                empty, a hyperparameter is unknown; nothing has been sent.
            google.genai.errors.APIError: Google refused the job.
        """
        builder, chunks = self._plan(requests, hyperparameters)
        try:
            cap = self._invoker.batch_limits.max_concurrent_jobs
            if len(chunks) > cap:
                raise InvalidRequestError(
                    f"the batch needs {len(chunks)} jobs, more than max_concurrent_jobs={cap}; "
                    "use invoke(), which runs them in waves, or raise the limits"
                )
            return await self._submit_all(chunks, display_name, structured=builder.structured)
        finally:
            for chunk in chunks:
                chunk.close()

    def _plan(
        self,
        requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
        hyperparameters: Mapping[str, Any] | None,
        invalid: dict[str, InvalidRequestError] | None = None,
    ) -> tuple[RequestBuilder, list[JobChunk]]:
        builder = self._invoker.request_builder(hyperparameters)
        with gc_paused():
            chunks = plan_jobs(requests, builder, self._invoker.batch_limits, invalid=invalid)
        return builder, chunks

    async def _submit_all(
        self,
        chunks: list[JobChunk],
        display_name: str | None,
        *,
        structured: bool,
        first: int = 0,
        total: int | None = None,
    ) -> str:
        """Create one job per chunk; on any failure cancel the ones already created."""
        total = total or len(chunks)
        names: list[str] = []
        try:
            for index, chunk in enumerate(chunks, start=first):
                name = display_name or DEFAULT_DISPLAY_NAME
                if total > 1:
                    name = f"{name} ({index + 1}/{total})"
                names.append(await self._submit(chunk, name, structured=structured))
        except BaseException:
            for created in names:
                await self._cancel_quietly(created)
            raise
        return join_handle(names)

    async def invoke(
        self,
        requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        display_name: str | None = None,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        status_check_interval: float | None = None,
        max_iterations: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, BatchResult | InvalidRequestError]:
        """Create the job(s), wait, and return every result keyed by request ID.

        Work that needs more jobs than `BatchLimits.max_concurrent_jobs` runs in waves of at
        most that many jobs; `max_wait` covers all waves. See `BatchOperations.invoke` for the
        other arguments. With `skip_invalid=True` the valid requests are sent and each invalid
        one comes back as its `InvalidRequestError`, instead of the whole batch being refused
        before anything is sent (the default).
        """
        if status_check_interval is not None:
            polling = PollingPolicy(status_check_interval, status_check_interval, 1.0)
        invalid: dict[str, InvalidRequestError] | None = {} if skip_invalid else None
        builder, chunks = self._plan(requests, hyperparameters, invalid)
        cap = self._invoker.batch_limits.max_concurrent_jobs
        start = time.monotonic()
        results: dict[str, BatchResult | InvalidRequestError] = dict(invalid or {})
        try:
            for first in range(0, len(chunks), cap):
                wave = chunks[first : first + cap]
                handle = await self._submit_all(
                    wave,
                    display_name,
                    structured=builder.structured,
                    first=first,
                    total=len(chunks),
                )
                for chunk in wave:
                    chunk.close()
                left = None if max_wait is None else max(0.0, max_wait - (time.monotonic() - start))
                await self.wait(
                    handle,
                    polling=polling,
                    max_wait=left,
                    cancel_on_exit=cancel_on_exit,
                    max_iterations=max_iterations,
                )
                try:
                    results.update(await self.retrieve(handle))
                except ResultMismatchError as error:
                    error.results = {**results, **error.results}
                    raise
        finally:
            for chunk in chunks:
                chunk.close()
        return results

    async def _submit(self, chunk: JobChunk, display_name: str, *, structured: bool) -> str:
        client = self._client
        model = self._invoker.model_name
        uploaded: str | None = None
        if chunk.inline:
            source: dict[str, Any] = {"requests": {"requests": chunk.inline_requests()}}
        else:
            uploaded = await client.upload_jsonl(chunk.path(), display_name)
            source = {"fileName": uploaded}
        try:
            job = await client.create_batch(
                model, {"inputConfig": source, "displayName": display_name}
            )
        except BaseException:
            if uploaded:
                with contextlib.suppress(Exception):
                    await client.delete_file(uploaded)
            raise
        name = str(job["name"])
        self._jobs[name] = _JobRecord(keys=chunk.keys, structured=structured)
        mode = f"file {uploaded}" if uploaded else "inline"
        logger.info("created %s with %d requests (%s)", name, len(chunk.keys), mode)
        return name

    async def _get(self, name: str) -> dict[str, Any]:
        job: dict[str, Any] = await self._client.get_batch(name)
        state = job_state(job)
        if self._states.get(name) != state:
            self._states[name] = state
            logger.info("%s is %s", name, state)
        if status_of_state(state).is_terminal:
            self._ended[name] = job  # retrieve() right after wait() reuses this body
        return job

    async def status(self, batch_id: str) -> BatchStatus:
        """The job's status; for a split batch, the least advanced of its jobs."""
        statuses = []
        for name in split_handle(batch_id):
            job = self._ended.get(name) or await self._get(name)
            statuses.append(status_of_state(job_state(job)))
        return _combine(statuses)

    async def jobs(self, batch_id: str) -> list[dict[str, Any]]:
        """Fresh details of each job behind a batch ID (the dicts `list()` returns)."""
        return [summarize(await self._get(name)) for name in split_handle(batch_id)]

    async def retrieve(
        self,
        batch_id: str,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, BatchResult]:
        """The results of a finished batch, keyed by the original request IDs.

        Results are joined on the key each request carried, never on position. A failed
        request is a `RequestFailedError` (with `request_id`, `code`, `status` and
        `error_message`) in place of its `LMOutput`; it never hides the other results.

        Args:
            batch_id: The batch ID from `create`.
            custom_request_ids: The IDs that were submitted, for a batch created elsewhere
                (the seed's option); checked against the returned keys.
            structured: Decode text as JSON into `structured_output` (default: as the batch
                was created by this object, else `False`).
            **kwargs: Unknown options are rejected.

        Returns:
            Request ID to `LMOutput` or `RequestFailedError`.

        Raises:
            BatchJobError: A job has not finished, or ended FAILED, CANCELLED or EXPIRED.
            ResultMismatchError: The returned keys differ from the submitted IDs (missing,
                unknown, repeated, or absent keys); its `results` holds every matched result.
        """
        if kwargs:
            raise InvalidRequestError(
                f"unknown retrieve() options {sorted(kwargs)}; known: custom_request_ids, "
                "structured"
            )
        names = split_handle(batch_id)
        expected = list(custom_request_ids) if custom_request_ids is not None else None
        overall = KeyCheck(batch_id, expected, None) if expected is not None else None
        results: dict[str, BatchResult] = {}
        for name in names:
            job = self._ended.pop(name, None) or await self._client.get_batch(name)
            record = self._jobs.get(name)
            keys = record.keys if record else None
            if not fail_unfinished_job(results, name, job, keys, several=len(names) > 1):
                check = overall or KeyCheck(
                    name, record.keys if record else None, request_counts(job)["total"] or None
                )
                decode = (
                    structured if structured is not None else bool(record and record.structured)
                )
                await self._read_into(results, name, job, check, decode)
                if overall is None:
                    check.finish(results)
        if overall is not None:
            overall.finish(results)
        return results

    async def _read_into(
        self,
        results: dict[str, BatchResult],
        name: str,
        job: dict[str, Any],
        check: KeyCheck,
        structured: bool,
    ) -> None:
        location = results_location(job)
        if location is None:
            check.finish(results)  # no results at all: every submitted ID is missing
            return
        kind, where = location
        if kind == "inline":
            join_into(results, iter_inline_items(where), check, name, structured=structured)
            return
        with tempfile.TemporaryDirectory(prefix="gemini-batch-") as folder:
            path = Path(folder) / "results.jsonl"
            await self._client.download_to(where, path)
            join_into(results, iter_file_items(path), check, name, structured=structured)

    async def list(self, *, page_size: int = 100) -> list[dict[str, Any]]:
        """Every batch job of the account, following every page.

        Returns:
            One dict per job: `id`, `display_name`, `model`, `status` (`BatchStatus`), `state`,
            `create_time`, `update_time`, `end_time`, `request_counts` (`total`, `succeeded`,
            `failed`, `pending`) and `error`.
        """
        jobs: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = await self._client.list_batches(page_size, token)
            jobs.extend(summarize(op) for op in page.get("operations") or [])
            token = page.get("nextPageToken")
            if not token:
                return jobs

    async def cancel(self, batch_id: str) -> None:
        """Cancel every job behind the batch ID (the jobs then end CANCELLED)."""
        for name in split_handle(batch_id):
            await self._client.cancel_batch(name)
            self._ended.pop(name, None)

    async def delete(self, batch_id: str) -> None:
        """Delete every job behind the batch ID (they disappear from `list()`)."""
        for name in split_handle(batch_id):
            await self._client.delete_batch(name)
            self._ended.pop(name, None)
            self._jobs.pop(name, None)
