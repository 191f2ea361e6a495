"""The package's exception hierarchy, rooted at `GeminiBatchError`.

Catch `GeminiBatchError` for everything this package raises on its own. Errors from Google's
HTTP layer arrive as `google.genai.errors.APIError` (`ClientError` for 4xx, `ServerError` for
5xx) and are not wrapped, so code written for google-genai keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "BatchJobError",
    "BatchNotFinishedError",
    "BatchPollError",
    "BatchTimeoutError",
    "BatchWaitError",
    "EmbeddingsFailedError",
    "GeminiBatchError",
    "IncompleteBatchError",
    "InvalidRequestError",
    "RequestFailedError",
    "ResultMismatchError",
    "UnknownParameterError",
]


class GeminiBatchError(Exception):
    """Base class of every error this package raises."""


class InvalidRequestError(GeminiBatchError, ValueError):
    """A request is malformed; raised before anything is sent.

    Attributes:
        request_id: The ID of the offending request, or `None` when the fault is not in one
            request (an empty batch, a bad hyperparameter).
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        self.request_id = request_id
        where = f"request {request_id!r}: " if request_id is not None else ""
        super().__init__(where + message)


class UnknownParameterError(InvalidRequestError):
    """A hyperparameter or option name is not known; the message suggests the closest one."""


class RequestFailedError(GeminiBatchError):
    """One request of a batch failed; the others are unaffected.

    Attributes:
        request_id: The request's ID.
        code: The `google.rpc.Code` number Google reported (e.g. 3 INVALID_ARGUMENT,
            8 RESOURCE_EXHAUSTED, 13 INTERNAL), or an HTTP status for online calls.
        status: The code's canonical name when known (e.g. `INVALID_ARGUMENT`).
        error_message: Google's message.
        batch_job: The job's name (`batches/...`), when the failure came from a batch.
    """

    def __init__(
        self,
        *,
        request_id: str,
        code: int | None,
        status: str | None,
        error_message: str,
        batch_job: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.code = code
        self.status = status
        self.error_message = error_message
        self.batch_job = batch_job
        label = status or (f"code {code}" if code is not None else "error")
        job = f" in {batch_job}" if batch_job else ""
        super().__init__(f"request {request_id!r}{job} failed ({label}): {error_message}")


class BatchJobError(GeminiBatchError):
    """A batch job ended without results (FAILED, CANCELLED or EXPIRED).

    Attributes:
        batch_job: The job's name (`batches/...`).
        state: Google's job state, e.g. `JOB_STATE_FAILED`.
        error_message: Google's job-level error message, when one was given.
    """

    def __init__(self, batch_job: str, state: str, error_message: str | None = None) -> None:
        self.batch_job = batch_job
        self.state = state
        self.error_message = error_message
        detail = f": {error_message}" if error_message else ""
        super().__init__(f"batch job {batch_job} ended in {state}{detail}")


class BatchNotFinishedError(GeminiBatchError):
    """Results were asked for before the job ended; wait until `status()` is FINISHED.

    Not a `BatchJobError`: the job has not ended, it may still succeed.

    Attributes:
        batch_job: The job's name.
        state: Its current state, e.g. `JOB_STATE_RUNNING`.
    """

    def __init__(self, batch_job: str, state: str) -> None:
        super().__init__(
            f"batch job {batch_job} has not finished yet ({state}); wait until status() is "
            "BatchStatus.FINISHED, or use invoke(), which waits",
        )
        self.batch_job = batch_job
        self.state = state


def _fate(batch_job: str, cancelled: bool, cancel_attempted: bool) -> str:
    if cancelled:
        return "it was cancelled"
    if cancel_attempted:
        return (
            f"cancelling it failed, so it may still be running (and billed): cancel "
            f"{batch_job} yourself, or rerun the same work to reattach to it"
        )
    return "it is still running remotely; rerun the same work to reattach to it"


class BatchWaitError(GeminiBatchError):
    """Waiting for a batch job stopped before the job ended.

    Attributes:
        batch_job: The job's name (or the batch ID of several jobs).
        cancelled: Whether the remote job was cancelled: `True` only when Google confirmed
            the cancel; `False` when it was left running or cancelling it failed.
        cancel_attempted: Whether a cancel was tried.
    """

    def __init__(
        self, batch_job: str, reason: str, *, cancelled: bool, cancel_attempted: bool = False
    ) -> None:
        self.batch_job = batch_job
        self.cancelled = cancelled
        self.cancel_attempted = cancel_attempted
        fate = _fate(batch_job, cancelled, cancel_attempted)
        super().__init__(f"batch job {batch_job}: {reason}; {fate}")


class BatchTimeoutError(BatchWaitError, TimeoutError):
    """Waiting for a batch job passed its deadline (`max_wait`, `batch_timeout`)."""

    def __init__(
        self,
        batch_job: str,
        waited: float,
        *,
        cancelled: bool,
        cancel_attempted: bool | None = None,
    ) -> None:
        super().__init__(
            batch_job,
            f"did not finish within {waited:.0f} s",
            cancelled=cancelled,
            cancel_attempted=cancelled if cancel_attempted is None else cancel_attempted,
        )


class BatchPollError(BatchWaitError):
    """Status checks of a batch job kept failing, so waiting gave up (the cause is chained)."""


class IncompleteBatchError(GeminiBatchError):
    """Part of a batch failed at the job level after other parts had finished.

    Nothing finished is lost: `results` holds every result that was read, and the journal
    keeps the finished jobs, so running the same work again reattaches to them.

    Attributes:
        results: Request ID to result, for every request whose job finished.
        failed_ids: The request IDs without a result.
        error: The job-level failure (also the `__cause__`).
    """

    def __init__(
        self, results: Mapping[str, Any], failed_ids: Iterable[str], error: BaseException
    ) -> None:
        self.results: dict[str, Any] = dict(results)
        self.failed_ids = list(failed_ids)
        self.error = error
        super().__init__(
            f"{len(self.failed_ids)} requests have no result ({error}); the "
            f"{len(self.results)} results already read are in .results"
        )


class ResultMismatchError(GeminiBatchError):
    """The keys Google returned do not match the request IDs that were submitted.

    Raised instead of ever assigning a result to the wrong request.

    Attributes:
        batch_job: The job's name.
        missing: Submitted IDs with no result.
        unexpected: Returned keys nobody submitted (or duplicates).
        unkeyed: How many results came back without any key.
        results: Every result that was matched to its request ID, so nothing is lost.
    """

    def __init__(
        self,
        batch_job: str,
        *,
        missing: Iterable[str] = (),
        unexpected: Iterable[str] = (),
        unkeyed: int = 0,
        results: Mapping[str, Any] | None = None,
    ) -> None:
        self.batch_job = batch_job
        self.results: dict[str, Any] = dict(results or {})
        self.missing = sorted(missing)
        self.unexpected = sorted(unexpected)
        self.unkeyed = unkeyed
        parts = []
        if self.unkeyed:
            parts.append(f"{self.unkeyed} results carry no request key")
        if self.missing:
            parts.append(f"missing results for {_preview(self.missing)}")
        if self.unexpected:
            parts.append(f"unexpected or duplicate keys {_preview(self.unexpected)}")
        super().__init__(
            f"results of batch job {batch_job} do not match the submitted requests: "
            + "; ".join(parts)
        )


def _preview(keys: list[str], limit: int = 10) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return f"[{shown}]{more}"


class EmbeddingsFailedError(GeminiBatchError):
    """Some texts of an embedding batch got no vector; raised after every result was read.

    Nothing that succeeded is lost: `vectors` holds every vector in input order (`None` where
    the text failed), so a caller can keep them and resend only the failures.

    Attributes:
        vectors: One entry per input text: its vector, or `None` when it failed.
        failures: Input position to the error of that text (`RequestFailedError`, or
            `InvalidRequestError` for a text that was never sent).
        texts: The input texts.
    """

    def __init__(
        self,
        texts: list[str],
        vectors: list[list[float] | None],
        failures: Mapping[int, GeminiBatchError],
    ) -> None:
        self.texts = texts
        self.vectors = vectors
        self.failures = dict(failures)
        shown = [
            f"text {index} ({_preview_text(texts[index])}): {failures[index]}"
            for index in sorted(failures)[:3]
        ]
        more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
        super().__init__(
            f"{len(failures)} of {len(texts)} texts got no embedding: "
            + "; ".join(shown)
            + more
            + " (the other vectors are in .vectors)"
        )


def _preview_text(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")
