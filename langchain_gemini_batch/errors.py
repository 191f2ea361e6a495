"""The package's exception hierarchy, rooted at `GeminiBatchError`.

Catch `GeminiBatchError` for everything this package raises. What LangChain code sees is also
langchain-core's shared taxonomy: each error is an instance of the `Model*Error` class
(`langchain_core.exceptions`) that its Google code maps to in the one table of
`langchain_gemini_batch._error_table` (`RESOURCE_EXHAUSTED` -> `ModelRateLimitError`, ...), the
class langchain-google-genai raises for the same failure, so retry and fallback code can tell
failures apart. HTTP errors from Google are `GeminiAPIError`s that are also instances of
google-genai's `ClientError` (4xx) or `ServerError` (5xx), so code written for google-genai keeps
working; they never hold the HTTP response (nor the API key in its request headers).

Every error pickles and unpickles to an equal error of the same class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from google.genai.errors import ClientError, ServerError
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelError,
    ModelInvalidRequestError,
    ModelRefusalError,
    ModelTimeoutError,
)

from langchain_gemini_batch._error_table import model_error_class, status_name

__all__ = [
    "BackendNotSupportedError",
    "BatchJobError",
    "BatchNotFinishedError",
    "BatchPollError",
    "BatchTimeoutError",
    "BatchWaitError",
    "EmbeddingsFailedError",
    "GeminiAPIError",
    "GeminiBatchError",
    "IncompleteBatchError",
    "InvalidRequestError",
    "MissingApiKeyError",
    "RequestFailedError",
    "ResultMismatchError",
    "ResultsReadError",
    "UnknownParameterError",
]

_E = TypeVar("_E", bound="GeminiBatchError")


def _restore(kind: Any, args: tuple[Any, ...], state: dict[str, Any]) -> GeminiBatchError:
    """Rebuild a pickled error without calling its `__init__` (see `GeminiBatchError`)."""
    cls: type[GeminiBatchError] = _mapped(*kind) if isinstance(kind, tuple) else kind
    error: GeminiBatchError = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


_MAPPED: dict[tuple[type, type, type | None], type] = {}


def _mapped(
    base: type[_E], model_error: type[ModelError], sdk_error: type[Exception] | None
) -> type[_E]:
    """`base` that is also `model_error` (and `sdk_error`): one class per combination."""
    known = _MAPPED.get((base, model_error, sdk_error))
    if known is not None:
        return known
    bases: tuple[type, ...] = (base, model_error) + ((sdk_error,) if sdk_error else ())
    name = f"{base.__name__}[{model_error.__name__}]"
    namespace: dict[str, Any] = {
        "__module__": base.__module__,
        "__qualname__": name,
        "__doc__": f"A `{base.__name__}` that LangChain code catches as `{model_error.__name__}`.",
        "_pickle_kind": (base, model_error, sdk_error),
    }
    if issubclass(model_error, ModelRefusalError):
        namespace["raw_message"] = None
    return _MAPPED.setdefault((base, model_error, sdk_error), type(name, bases, namespace))


class GeminiBatchError(Exception):
    """Base class of every error this package raises."""

    _pickle_kind: Any = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors cannot be rebuilt from `args`: restore the state instead.
        kind = self._pickle_kind or type(self)
        return (_restore, (kind, self.args, dict(self.__dict__)))


class InvalidRequestError(GeminiBatchError, ModelInvalidRequestError, ValueError):
    """A request is malformed; raised before anything is sent (a `ModelInvalidRequestError`).

    Attributes:
        request_id: The ID of the offending request, or `None` when the fault is not in one
            request (an empty batch, a bad hyperparameter).
        position: For an error found after the whole input was read (a repeated ID), the
            offending request's 0-based place in the input; otherwise `None`.
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        self.request_id = request_id
        self.position: int | None = None
        where = f"request {request_id!r}: " if request_id is not None else ""
        super().__init__(where + message)


class UnknownParameterError(InvalidRequestError):
    """A hyperparameter or option name is not known; the message suggests the closest one."""


class RequestFailedError(GeminiBatchError):
    """One request of a batch failed; the others are unaffected.

    Each instance is also the langchain-core class its Google code maps to (`code` 8 or
    `RESOURCE_EXHAUSTED` is a `ModelRateLimitError`, 3 `INVALID_ARGUMENT` a
    `ModelInvalidRequestError`, a blocked prompt a `ModelRefusalError`, ...), so
    `except RequestFailedError` and `except ModelRateLimitError` both catch it.

    Attributes:
        request_id: The request's ID.
        code: The `google.rpc.Code` number Google reported (e.g. 3 INVALID_ARGUMENT,
            8 RESOURCE_EXHAUSTED, 13 INTERNAL), or an HTTP status for online calls.
        status: The code's canonical name when known (e.g. `INVALID_ARGUMENT`), the block
            reason of a blocked prompt (e.g. `SAFETY`), or the job state of a failed job.
        error_message: Google's message.
        batch_job: The job's name (`batches/...`), when the failure came from a batch.
        prompt_feedback: Google's `promptFeedback` when the prompt was blocked (no candidate).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> RequestFailedError:  # noqa: D102
        target = cls
        if cls is RequestFailedError:
            model_error = model_error_class(
                code=kwargs.get("code"),
                status=kwargs.get("status"),
                message=kwargs.get("error_message"),
            )
            target = _mapped(RequestFailedError, model_error, None)
        return super().__new__(target)

    def __init__(
        self,
        *,
        request_id: str,
        code: int | None,
        status: str | None,
        error_message: str,
        batch_job: str | None = None,
        prompt_feedback: Mapping[str, Any] | None = None,
    ) -> None:
        self.request_id = request_id
        self.code = code
        self.status = status_name(code, status) if code is not None and code < 100 else status
        self.error_message = error_message
        self.batch_job = batch_job
        self.prompt_feedback = dict(prompt_feedback) if prompt_feedback is not None else None
        label = self.status or (f"code {code}" if code is not None else "error")
        job = f" in {batch_job}" if batch_job else ""
        super().__init__(f"request {request_id!r}{job} failed ({label}): {error_message}")


class GeminiAPIError(GeminiBatchError):
    """A call to Google failed: Google answered with an HTTP error, or could not be reached.

    Raised by every call the package makes (online calls, batch create/status/results, files)
    in place of google-genai's `APIError` or the HTTP client's error. Each instance is also the
    langchain-core class of its code (`429` is a `ModelRateLimitError`, `401` or a bad key a
    `ModelAuthenticationError`, `404` a `ModelNotFoundError`, a timeout a `ModelTimeoutError`,
    no connection a `ModelConnectionError`, ...) and, for HTTP errors, google-genai's
    `ClientError` (4xx) or `ServerError` (5xx), with the same `code`, `status`, `message` and
    `details`. `response` is always `None`: the HTTP response (whose request headers hold the
    API key) is not kept, and the key is removed from everything else.

    Attributes:
        code: The HTTP status (`None` when no answer came).
        status: Google's status name, e.g. `RESOURCE_EXHAUSTED`.
        message: Google's message (or the HTTP client's).
        details: Google's error body (`{"error": {...}}`), when there was one.
        operation: What was being done, e.g. `models/gemini-2.5-flash:generateContent`.
    """

    response: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> GeminiAPIError:  # noqa: D102
        target = cls
        if cls is GeminiAPIError:
            code = kwargs.get("code")
            model_error = model_error_class(
                code=code,
                status=kwargs.get("status"),
                message=kwargs.get("message"),
                details=kwargs.get("details"),
            )
            sdk_error: type[Exception] | None = None
            if isinstance(code, int):
                sdk_error = ClientError if 400 <= code < 500 else ServerError
            target = _mapped(GeminiAPIError, model_error, sdk_error)
        return super().__new__(target)

    def __init__(
        self,
        *,
        code: int | None,
        status: str | None,
        message: str,
        details: Any = None,
        operation: str | None = None,
    ) -> None:
        self.code = code
        self.status = status_name(code, status)
        self.message = message
        self.details = details
        self.operation = operation
        self.response = None
        label = " ".join(str(p) for p in (code, self.status) if p is not None) or "no answer"
        where = f"{operation} failed" if operation else "a call to Google failed"
        GeminiBatchError.__init__(self, f"{where} ({label}): {message}")


class MissingApiKeyError(GeminiBatchError, ModelAuthenticationError, ValueError):
    """No API key was given or found in `GOOGLE_API_KEY` / `GEMINI_API_KEY`."""


class BackendNotSupportedError(GeminiBatchError, NotImplementedError):
    """A setting asks for a backend or transport this package does not speak (yet)."""


class BatchJobError(GeminiBatchError, ModelAPIError):
    """A batch job ended without results (FAILED, CANCELLED or EXPIRED); a `ModelAPIError`.

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
            f"a cancel was asked for but not confirmed, so it may still be running (and "
            f"billed): check and cancel {batch_job} yourself, or rerun the same work to "
            "reattach to it"
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


class BatchTimeoutError(BatchWaitError, ModelTimeoutError, TimeoutError):
    """Waiting for a batch job passed its deadline (`max_wait`, `batch_timeout`).

    A `ModelTimeoutError` for LangChain code.
    """

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


class BatchPollError(BatchWaitError, ModelAPIError):
    """Status checks of a batch job kept failing, so waiting gave up (the cause is chained)."""


class IncompleteBatchError(GeminiBatchError, ModelAPIError):
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


class ResultMismatchError(GeminiBatchError, ModelAPIError):
    """The keys Google returned do not match the request IDs that were submitted.

    Raised instead of ever assigning a result to the wrong request.

    Attributes:
        batch_job: The job's name.
        missing: Submitted IDs with no result.
        unexpected: Returned keys nobody submitted, and repeats of submitted ones.
        repeated: The repeats among `unexpected`: a key once per extra result it had (its
            first result is the one kept).
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
        repeated: Iterable[str] = (),
    ) -> None:
        self.batch_job = batch_job
        self.results: dict[str, Any] = dict(results or {})
        self.missing = sorted(missing)
        self.unexpected = sorted(unexpected)
        self.repeated = sorted(repeated)
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


class ResultsReadError(GeminiBatchError, ModelAPIError):
    """A finished job's results could not be read (the cause is chained); nothing is lost.

    The results stay with Google and the job in the journal: `retrieve(batch_id)`, or running
    the same work again, reads them again.

    Attributes:
        batch_job: The job's name.
        results_file: The results file that could not be downloaded.
    """

    def __init__(
        self, batch_job: str, results_file: str, attempts: int, error: BaseException
    ) -> None:
        self.batch_job = batch_job
        self.results_file = results_file
        super().__init__(
            f"the results of batch job {batch_job} ({results_file}) could not be read after "
            f"{attempts} attempts ({error}); they stay with Google: retrieve the batch again, "
            "or run the same work again to reattach to the job"
        )
