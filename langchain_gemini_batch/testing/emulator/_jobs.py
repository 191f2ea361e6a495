"""Batch jobs: the PENDING → RUNNING → SUCCEEDED clock, cancellation, and the job store.

A job lasts `job_seconds` from its creation: the first third PENDING, the rest RUNNING, then it
ends (SUCCEEDED, or the `job_outcome` option). While RUNNING, requests are processed in input
order at a steady rate; each one's fate (success or error) is decided when it is processed, so
`batchStats` only ever moves forward. Answers are computed once, when the job ends, and kept as
serialised JSON.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.testing.emulator._embeddings import embed_response
from langchain_gemini_batch.testing.emulator._inputs import Fate, InputItem
from langchain_gemini_batch.testing.emulator._model import generate_response
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._results import (
    Responder,
    decide_fate,
    inline_output,
    jsonl_output,
)
from langchain_gemini_batch.testing.emulator._wire import dumps, invalid_argument, not_found

__all__ = ["ENDED_STATES", "BatchJob", "JobStore", "ResultsWriter", "cancel", "end", "observe"]

ENDED_STATES = frozenset(
    {"BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"}
)
_OUTCOME_STATES = {
    "succeeded": "BATCH_STATE_SUCCEEDED",
    "failed": "BATCH_STATE_FAILED",
    "cancelled": "BATCH_STATE_CANCELLED",
    "expired": "BATCH_STATE_EXPIRED",
    "partially_succeeded": "BATCH_STATE_SUCCEEDED",  # a Vertex AI state; none on the Gemini API
}
_JOB_FAILED_ERROR = {
    "code": 13,
    "message": "The batch job failed: an internal error occurred while processing it.",
}

ResultsWriter = Callable[["BatchJob", bytes], str]
"""Stores a file job's JSONL results and returns the results file's name."""


@dataclass
class BatchJob:
    """One batch job and everything needed to render it.

    Attributes:
        name: `batches/<36 lowercase letters and digits>`.
        sequence: Creation order (for listing and page tokens).
        model: `models/<id>`.
        display_name: The job's display name, when given.
        input_file: `files/<id>` for a file job, `None` for an inline one.
        items: The requests (emptied once the job has ended: its output is all that is left).
        create_ns: Creation time (nanoseconds).
        duration_ns: Time from creation to the end.
        rng: The job's own random stream (failures, shuffling).
        fates: Fates of the requests processed so far, in input order.
        state: The ended state, or `None` while the job runs.
        end_ns: When the job ended.
        output_json: The finished output (`{"inlinedResponses": ...}` or
            `{"responsesFile": ...}`) as JSON text, for succeeded jobs.
        error: The top-level google.rpc.Status of a failed job.
        dimension: For an embedding batch, the model's full embedding size; `None` for a
            generation batch.
        version: The API version the job was created under (for URIs).
        public_base: `scheme://host:port` the creating client used (for URIs).
        total: How many requests the job holds.
    """

    name: str
    sequence: int
    model: str
    display_name: str | None
    input_file: str | None
    items: list[InputItem]
    create_ns: int
    duration_ns: int
    rng: random.Random
    version: str
    public_base: str
    fates: list[Fate] = field(default_factory=list)
    state: str | None = None
    end_ns: int | None = None
    output_json: str | None = None
    error: dict[str, Any] | None = None
    dimension: int | None = None
    total: int = -1

    def __post_init__(self) -> None:
        if self.total < 0:
            self.total = len(self.items)

    @property
    def embeds(self) -> bool:
        """Whether this is an embedding batch (`asyncBatchEmbedContent`)."""
        return self.dimension is not None

    def responder(self) -> Responder:
        """Answers one of the job's requests: generation, or an embedding with its usage."""
        full = self.dimension
        if full is None:
            return lambda request: generate_response(request, model=self.model)
        return lambda request: embed_response(
            request, model=self.model, full=full, with_usage=self.input_file is None
        )

    @property
    def running_ns(self) -> int:
        """When the job turns RUNNING (a third of its duration after creation)."""
        return self.create_ns + self.duration_ns // 3

    def live_state(self, now: int) -> str:
        """The state at `now`, assuming the job has not been observed to end yet."""
        if self.state is not None:
            return self.state
        if now - self.create_ns >= self.duration_ns:
            return "ENDING"
        return "BATCH_STATE_RUNNING" if now >= self.running_ns else "BATCH_STATE_PENDING"

    def processed_by(self, now: int) -> int:
        """How many requests a running job has processed by `now`."""
        span = self.duration_ns - (self.running_ns - self.create_ns)
        if now < self.running_ns or span <= 0:
            return 0
        return min(self.total, (now - self.running_ns) * self.total // span)

    def process(self, count: int, options: EmulatorOptions) -> None:
        """Decides the fates of requests up to `count` (in input order)."""
        for index in range(len(self.fates), count):
            self.fates.append(decide_fate(self.items[index], self.rng, options))

    def stats(self, state: str) -> dict[str, str]:
        """`batchStats` for the current fates: int64 strings, zero counters omitted."""
        total = self.total
        failed = sum(1 for fate in self.fates if fate is not None)
        pending = 0 if state == "BATCH_STATE_SUCCEEDED" else total - len(self.fates)
        counters = {
            "requestCount": total,
            "successfulRequestCount": len(self.fates) - failed,
            "failedRequestCount": failed,
            "pendingRequestCount": pending,
        }
        return {name: str(value) for name, value in counters.items() if value}


class JobStore:
    """All batch jobs, by name, in creation order."""

    def __init__(self) -> None:
        self._jobs: dict[str, BatchJob] = {}
        self._sequence = 0

    def next_sequence(self) -> int:
        """Returns the next creation sequence number."""
        self._sequence += 1
        return self._sequence

    def add(self, job: BatchJob) -> None:
        """Stores a new job."""
        self._jobs[job.name] = job

    def get(self, name: str) -> BatchJob:
        """Returns a job by name (`batches/<id>`).

        Raises:
            ApiError: 404 NOT_FOUND when there is no such job.
        """
        job = self._jobs.get(name)
        if job is None:
            raise not_found()
        return job

    def delete(self, name: str) -> None:
        """Deletes a job (a running one too).

        Raises:
            ApiError: 404 NOT_FOUND when there is no such job.
        """
        self.get(name)
        del self._jobs[name]

    def all(self) -> list[BatchJob]:
        """Every job, oldest first."""
        return list(self._jobs.values())

    def unfinished(self, now: int) -> int:
        """Counts jobs that have not ended by `now`."""
        live = ("BATCH_STATE_PENDING", "BATCH_STATE_RUNNING")
        return sum(1 for job in self._jobs.values() if job.live_state(now) in live)

    def page(self, size: int, token: str | None) -> tuple[list[BatchJob], str | None]:
        """Returns one page of jobs, newest first, and the next page token.

        Args:
            size: Page size.
            token: A `nextPageToken` from an earlier page, or `None` for the first page.

        Raises:
            ApiError: 400 for a page token this emulator did not issue.
        """
        before = None
        if token:
            try:
                before = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("j"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise invalid_argument("Invalid page token.") from exc
        jobs = [
            job for job in reversed(self._jobs.values()) if before is None or job.sequence < before
        ]
        chunk = jobs[:size]
        if len(jobs) <= size:
            return chunk, None
        following = base64.urlsafe_b64encode(f"j{chunk[-1].sequence}".encode()).decode()
        return chunk, following


def observe(job: BatchJob, now: int, options: EmulatorOptions, write: ResultsWriter) -> str:
    """Advances a job to `now` (processing requests, ending it when due); returns its state.

    Args:
        job: The job.
        now: The current time (nanoseconds).
        options: The emulator options as they are now (faults apply when requests are processed
            and when the job ends).
        write: Stores a file job's results file.
    """
    state = job.live_state(now)
    if state == "BATCH_STATE_RUNNING":
        job.process(job.processed_by(now), options)
    elif state == "ENDING":
        end(
            job,
            _OUTCOME_STATES[options.job_outcome],
            job.create_ns + job.duration_ns,
            options,
            write,
        )
        state = job.state or state
    return state


def end(job: BatchJob, state: str, at: int, options: EmulatorOptions, write: ResultsWriter) -> None:
    """Ends a job in `state`, computing and caching its output when it succeeded.

    Args:
        job: The job.
        state: A `BATCH_STATE_*` end state.
        at: The end time (nanoseconds).
        options: The emulator options.
        write: Stores a file job's results file.
    """
    job.state, job.end_ns = state, at
    if state == "BATCH_STATE_FAILED":
        job.error = dict(_JOB_FAILED_ERROR)
    if state == "BATCH_STATE_SUCCEEDED":
        _write_output(job, options, write)
    job.items = []  # the requests are of no more use: a million of them weigh a gigabyte


def _write_output(job: BatchJob, options: EmulatorOptions, write: ResultsWriter) -> None:
    job.process(job.total, options)
    respond = job.responder()
    if job.input_file is None:
        job.output_json = inline_output(
            job.items, job.fates, model=job.model, rng=job.rng, options=options, respond=respond
        )
    else:
        data = jsonl_output(
            job.items,
            job.fates,
            model=job.model,
            rng=job.rng,
            options=options,
            respond=respond,
            key_first=job.embeds,
            plain=not job.embeds,
        )
        job.output_json = dumps({"responsesFile": write(job, data)})


def cancel(job: BatchJob, now: int, options: EmulatorOptions, write: ResultsWriter) -> None:
    """Cancels a pending or running job (it ends CANCELLED, without results); no-op once ended.

    Args:
        job: The job.
        now: The current time (nanoseconds).
        options: The emulator options.
        write: Stores a file job's results file (when the job turns out to have ended already).
    """
    if observe(job, now, options, write) in ENDED_STATES:
        return
    end(job, "BATCH_STATE_CANCELLED", now, options, write)
