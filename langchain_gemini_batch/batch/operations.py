"""`EngineOperations`: the seed's batch API over the engine, for any request kind.

`GoogleBatchOperations` (generation) and `GoogleEmbeddingBatchOperations` (embeddings) are this
class with a codec factory: what a request is and what a result becomes is the codec's
business, while creating, reattaching, waiting, reading by key, listing, cancelling and
deleting are the same calls of the same `BatchEngine`.

Every request carries its ID to Google (`metadata.key` inline, `key` in JSONL) and results are
joined on it, never on position. `create` picks inline or JSONL-file mode by encoded size and
splits work past one job's limits; the batch ID it returns is Google's job name, or several
joined by commas (`batches/a,batches/b`), and every other call accepts both. Jobs are written
to the job journal before they are created, so running the same work again reattaches to them
instead of paying twice, and a new process can `retrieve` any journaled batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, Generic, TypeVar

from langchain_gemini_batch.batch._wait import ProgressCallback
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus

__all__ = ["EngineOperations", "fixed_polling", "job_as_dict"]

InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")


def fixed_polling(
    polling: PollingPolicy | None, status_check_interval: float | None
) -> PollingPolicy | None:
    """`polling`, or a fixed interval when the seed's `status_check_interval` is given."""
    if status_check_interval is None:
        return polling
    return PollingPolicy(status_check_interval, status_check_interval, 1.0)


def job_as_dict(info: BatchJobInfo) -> dict[str, Any]:
    """The seed's `list()` item for one job."""
    data = info.model_dump(mode="json", exclude={"jobs"})
    data["id"] = data.pop("name")
    data["status"] = info.status
    return data


class EngineOperations(ABC, Generic[InputT, ResultT]):
    """Batch operations of one invoker over a `BatchEngine` (see the module docstring).

    Subclasses say which model to call and how to build the codec for a call's settings.

    Args:
        engine: The batch engine (backend, journal, limits).
    """

    def __init__(self, engine: BatchEngine) -> None:
        self.engine = engine

    @property
    @abstractmethod
    def _model_name(self) -> str:
        """The model every job of these operations runs."""

    @abstractmethod
    def _codec(self, hyperparameters: Mapping[str, Any] | None = None) -> Codec:
        """The codec for a call's settings (validated: raises before anything is sent)."""

    async def create(
        self,
        requests: Mapping[str, InputT] | Iterable[tuple[str, InputT]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        display_name: str | None = None,
        resume: bool = True,
        cancel_on_exit: bool = True,
    ) -> str:
        """Create a batch job (or several, past one job's limits).

        Args:
            requests: Request ID to input, or `(id, input)` pairs (any iterable, so huge
                batches can be streamed). IDs come back as the keys of `retrieve`.
            hyperparameters: The call's settings over the invoker's defaults: for generation
                `GenerateContentConfig` fields (`temperature`, `max_output_tokens`,
                `system_instruction`, `tools`, `response_json_schema`, ...); for embeddings
                `task_type` and `output_dimensionality`.
            display_name: The job's display name (default `"langchain-gemini-batch"`); a tag
                with the work's fingerprint is appended, so the job can be found again.
            resume: Reattach to a job already created (and journaled) for the same model,
                settings and requests instead of creating another; `False` forces a new job.
            cancel_on_exit: Cancel the job if this call is cancelled while Google creates it.

        Returns:
            The batch ID: `batches/<id>`, or several joined by commas when split.

        Raises:
            InvalidRequestError: A request is invalid (the error names its ID), the batch is
                empty, a hyperparameter is unknown; nothing has been sent.
            google.genai.errors.APIError: Google refused the job.
        """
        return await self._create(
            requests,
            self._codec(hyperparameters),
            display_name=display_name,
            resume=resume,
            cancel_on_exit=cancel_on_exit,
        )

    async def _create(
        self,
        requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
        codec: Codec,
        *,
        display_name: str | None,
        resume: bool,
        cancel_on_exit: bool,
    ) -> str:
        """Plan and submit `requests` with `codec`, refusing more jobs than may run at once."""
        model = self._model_name
        with self.engine.plan(requests, codec, model) as plan:
            cap = self.engine.limits.max_concurrent_jobs
            if len(plan.chunks) > cap:
                raise InvalidRequestError(
                    f"the batch needs {len(plan.chunks)} jobs, more than max_concurrent_jobs="
                    f"{cap}; use invoke(), which runs them in waves, or raise the limits"
                )
            return await self.engine.submit(
                plan,
                codec,
                model,
                display_name=display_name,
                resume=resume,
                cancel_on_exit=cancel_on_exit,
            )

    async def invoke(
        self,
        requests: Mapping[str, InputT] | Iterable[tuple[str, InputT]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        display_name: str | None = None,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        status_check_interval: float | None = None,
        max_iterations: int | None = None,
        skip_invalid: bool = False,
        resume: bool = True,
        progress: ProgressCallback | None = None,
    ) -> dict[str, ResultT | InvalidRequestError]:
        """Create the job(s), wait, and return every result keyed by request ID.

        Work that needs more jobs than `BatchLimits.max_concurrent_jobs` runs in waves of at
        most that many jobs; `max_wait` covers all waves.

        Args:
            requests: Request ID to input (or `(id, input)` pairs).
            hyperparameters: The settings for every request (see `create`).
            display_name: The job's display name.
            polling: The polling schedule (default `PollingPolicy()`).
            max_wait: Overall deadline in seconds, from the start of waiting; `None` waits
                until the job ends (Google expires jobs after 48 hours).
            cancel_on_exit: Cancel the remote job on deadline, failing status checks or task
                cancellation; `False` leaves it running (rerun the same work to reattach).
            status_check_interval: The seed's fixed poll interval (overrides `polling`).
            max_iterations: The seed's cap on status calls.
            skip_invalid: Send the valid requests and return each invalid one as its
                `InvalidRequestError`, instead of refusing the whole batch before anything
                is sent (the default).
            resume: Reattach to a journaled job of the same work (default) or force new ones.
            progress: Called with a `BatchJobInfo` (request counts included) at every poll.

        Returns:
            Request ID to its result (`LMOutput`, or a vector for embeddings), or to
            `RequestFailedError` for a request that failed.

        Raises:
            BatchTimeoutError: `max_wait` passed (the job was cancelled, unless told not to).
            BatchPollError: Status checks kept failing.
            BatchJobError: The job ended FAILED, CANCELLED or EXPIRED.
            IncompleteBatchError: A later wave failed; `.results` holds everything read.
            ResultMismatchError: Keys did not match; `.results` holds every matched result.
        """
        return await self.engine.run(
            requests,
            self._codec(hyperparameters),
            self._model_name,
            display_name=display_name,
            polling=fixed_polling(polling, status_check_interval),
            max_wait=max_wait,
            cancel_on_exit=cancel_on_exit,
            max_iterations=max_iterations,
            skip_invalid=skip_invalid,
            resume=resume,
            progress=progress,
        )

    async def status(self, batch_id: str) -> BatchStatus:
        """The job's status; for a split batch, the least advanced of its jobs."""
        return (await self.engine.info(batch_id)).status

    async def info(self, batch_id: str) -> BatchJobInfo:
        """The batch's `BatchJobInfo`: state, request counts, times and error (fresh)."""
        return await self.engine.info(batch_id)

    async def jobs(self, batch_id: str) -> list[dict[str, Any]]:
        """Fresh details of each job behind a batch ID (the dicts `list()` returns)."""
        info = await self.engine.info(batch_id)
        return [job_as_dict(job) for job in (info.jobs or (info,))]

    async def wait(
        self,
        batch_id: str,
        *,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        max_iterations: int | None = None,
        status_check_interval: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> BatchStatus:
        """Poll until the job ends; returns its terminal status.

        Args:
            batch_id: The batch ID from `create`.
            polling: The polling schedule (default `PollingPolicy()`: a finished job is
                noticed within max(10 s, 25 % of its run time)).
            max_wait: Overall deadline in seconds from now (`None`: until the job ends).
            cancel_on_exit: Cancel the remote job when the deadline passes, status checks
                keep failing, or the awaiting task is cancelled. `False` leaves it running.
            max_iterations: Give up after this many status calls (the seed's option).
            status_check_interval: The seed's fixed poll interval (overrides `polling`).
            progress: Called with a `BatchJobInfo` at every poll.

        Raises:
            BatchTimeoutError: The deadline or `max_iterations` passed; `.cancelled` says
                whether Google confirmed the cancel.
            BatchPollError: Status checks kept failing (same `.cancelled`).
        """
        info = await self.engine.wait(
            batch_id,
            polling=fixed_polling(polling, status_check_interval),
            max_wait=max_wait,
            cancel_on_exit=cancel_on_exit,
            max_iterations=max_iterations,
            progress=progress,
        )
        return info.status

    async def retrieve(
        self,
        batch_id: str,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, ResultT]:
        """The results of a finished batch, keyed by the original request IDs.

        Works in any process: the journal restores the submitted IDs (checked against the
        returned keys) and which requests expect structured output. Results are joined on the
        key each request carried, never on position. A failed request is a
        `RequestFailedError` in place of its result; it never hides the other results.

        Args:
            batch_id: The batch ID from `create`.
            custom_request_ids: The IDs that were submitted, for a batch created elsewhere
                (the seed's option); checked against the returned keys.
            structured: Decode text as JSON into `structured_output` (generation only;
                default: as the batch was created, from the journal; else `False`).
            **kwargs: Unknown options are rejected.

        Returns:
            Request ID to its result or `RequestFailedError`.

        Raises:
            BatchNotFinishedError: A job has not ended yet.
            BatchJobError: A job ended FAILED, CANCELLED or EXPIRED.
            ResultMismatchError: The returned keys differ from the submitted IDs (missing,
                unknown, repeated, or absent keys); its `results` holds every matched result.
        """
        if kwargs:
            raise InvalidRequestError(
                f"unknown retrieve() options {sorted(kwargs)}; known: custom_request_ids, "
                "structured"
            )
        return await self.engine.retrieve(
            batch_id, self._codec(), custom_request_ids=custom_request_ids, structured=structured
        )

    def iter_results(
        self,
        batch_id: str,
        *,
        custom_request_ids: Iterable[str] | None = None,
        structured: bool | None = None,
    ) -> AsyncIterator[tuple[str, ResultT]]:
        """`(request_id, result | RequestFailedError)` pairs of a finished batch, streamed.

        Holds one block of results in memory at a time, however large the batch; a
        `ResultMismatchError` (without `results`) comes after every matched pair.
        """
        return self.engine.iter_results(
            batch_id, self._codec(), custom_request_ids=custom_request_ids, structured=structured
        )

    async def list(self, *, page_size: int = 100) -> list[dict[str, Any]]:
        """Every batch job of the account (generation and embeddings), following every page.

        Returns:
            One dict per job: `id`, `display_name`, `model`, `status` (`BatchStatus`), `state`,
            `create_time`, `update_time`, `end_time`, `request_counts` (`total`, `succeeded`,
            `failed`, `pending`) and `error`.
        """
        return [job_as_dict(job.info) for job in await self.engine.list(page_size)]

    async def cancel(self, batch_id: str) -> None:
        """Cancel every job behind the batch ID (the jobs then end CANCELLED)."""
        await self.engine.cancel(batch_id)

    async def delete(self, batch_id: str) -> None:
        """Delete every job behind the batch ID (they disappear from `list()`)."""
        await self.engine.delete(batch_id)
