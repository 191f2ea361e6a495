"""Pooling single calls into shared batch jobs.

LangChain sends `abatch` down only a straight sequence; `RunnableParallel`, dict steps,
`RunnablePassthrough.assign`, LangGraph's `Send` fan-out and evaluation loops call the model
once per input instead. A `BatchPool` gathers such calls: calls arriving within `max_wait`
seconds of the first one share one batch job (up to `max_size` requests per job), and each
caller gets its own answer or its own exception.

- The pool runs on a private event loop in a daemon thread, so calls from many asyncio tasks,
  from several event loops and from the threads of a sync `batch()` all land in one pool.
- Requests are built by each caller with its own settings (tools, structured output,
  temperature): every request carries its own config, so calls with different settings share
  a job. Calls of different models, or wanting structured output or not, go to separate jobs.
- A request's ID in the job is derived from its content, and a job's requests are sorted, so a
  pooled job has the same fingerprint when the same calls are pooled again: after a crash, the
  rerun reattaches to it through the job journal.
- A caller cancelled before its job is sent leaves the pool; when every caller of a sent job is
  cancelled, the job's task is cancelled, which cancels the remote job (unless the wait options
  say `cancel_on_exit=False`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import hashlib
import inspect
import logging
import threading
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch.batch._results import BatchResult, to_result
from langchain_gemini_batch.batch._wait import ProgressCallback
from langchain_gemini_batch.batch.codecs import GenerateWire
from langchain_gemini_batch.convert.wire_checks import encode_json
from langchain_gemini_batch.errors import (
    GeminiBatchError,
    IncompleteBatchError,
    InvalidRequestError,
    ResultMismatchError,
)

if TYPE_CHECKING:
    from langchain_gemini_batch.invoker import GoogleLMInvoker
    from langchain_gemini_batch.schema import BatchJobInfo

__all__ = ["DEFAULT_POOL_SIZE", "DEFAULT_POOL_WAIT", "BatchPool", "PrebuiltCodec"]

logger = logging.getLogger("langchain_gemini_batch")

DEFAULT_POOL_WAIT = 1.0
"""Seconds a pool waits after its first call for more calls to join the job."""
DEFAULT_POOL_SIZE = 10_000
"""Most requests in one pooled job; a fuller pool is sent at once."""


class PrebuiltCodec(GenerateWire):
    """Requests already built as wire dicts (each with its own config); results as `LMOutput`.

    Args:
        structured: Whether every request of the job expects JSON output.
    """

    def __init__(self, *, structured: bool) -> None:
        self.structured = structured

    def build(self, request_id: str, item: Any) -> dict[str, Any]:
        """The request as built by its caller."""
        if not isinstance(item, Mapping) or "contents" not in item:
            raise InvalidRequestError(
                "a pooled request must be a built request", request_id=request_id
            )
        return dict(item)

    def decode(
        self, key: str, item: Mapping[str, Any], *, structured: bool, batch_job: str
    ) -> BatchResult:
        """An `LMOutput`, or the request's `RequestFailedError`."""
        return to_result(key, item, structured=structured, batch_job=batch_job)

    def fingerprint(self, model: str) -> bytes:
        """The kind, the model and whether results are structured (settings are per line)."""
        return hashlib.sha256(f"generate|{model}|{self.structured}".encode()).digest()


@dataclass
class _Call:
    request: dict[str, Any]
    future: concurrent.futures.Future[BatchResult]
    request_id: str = ""
    job: _Job | None = None
    progress: ProgressCallback | None = None
    loop: asyncio.AbstractEventLoop | None = None


@dataclass
class _Job:
    calls: list[_Call]
    task: asyncio.Task[None] | None = None
    live: int = 0


@dataclass
class _Group:
    invoker: GoogleLMInvoker
    structured: bool
    pending: list[_Call] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class _Loop:
    """A private event loop in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="gemini-batch-pool", daemon=True
        )
        self.thread.start()

    def call(self, function: Any, *args: Any) -> None:
        self.loop.call_soon_threadsafe(function, *args)


class BatchPool:
    """Pools single calls into shared batch jobs (see the module docstring).

    Args:
        max_wait: Seconds to wait after a group's first call before sending its job.
        max_size: Most requests per job; a full group is sent at once.
        wait_options: Options for `batch.invoke` (`polling`, `max_wait`, `cancel_on_exit`,
            `display_name`, `resume`, `progress`).
    """

    def __init__(
        self,
        *,
        max_wait: float = DEFAULT_POOL_WAIT,
        max_size: int = DEFAULT_POOL_SIZE,
        wait_options: Mapping[str, Any] | None = None,
    ) -> None:
        if max_wait < 0 or max_size < 1:
            raise ValueError("need max_wait >= 0 and max_size >= 1")
        self.max_wait = max_wait
        self.max_size = max_size
        self.wait_options = dict(wait_options or {})
        self._groups: dict[tuple[int, bool], _Group] = {}
        self._loop: _Loop | None = None
        self._lock = threading.Lock()
        self.jobs_sent = 0

    def __reduce__(self) -> tuple[Any, ...]:
        # A fresh, empty pool with the same settings: threads, loops and locks do not pickle.
        return (_new_pool, (self.max_wait, self.max_size, self.wait_options))

    def _runner(self) -> _Loop:
        with self._lock:
            if self._loop is None:
                self._loop = _Loop()
            return self._loop

    async def run(
        self,
        invoker: GoogleLMInvoker,
        request: dict[str, Any],
        *,
        structured: bool,
        progress: ProgressCallback | None = None,
    ) -> BatchResult:
        """Pool one built request; its result once its job has ended.

        Args:
            invoker: Whose model and engine run the job.
            request: The built request (carrying its own settings).
            structured: Whether the answer is JSON to decode.
            progress: Called (on the caller's event loop) with the job's `BatchJobInfo` at
                every poll.

        Raises:
            Exception: What failed the whole job (deadline, job failure, ...); a failure of
                this one request is returned as its `RequestFailedError`.
        """
        call = _Call(
            request=request,
            future=concurrent.futures.Future(),
            progress=progress,
            loop=asyncio.get_running_loop() if progress is not None else None,
        )
        runner = self._runner()
        runner.call(self._add, invoker, structured, call)
        try:
            return await asyncio.wrap_future(call.future)
        except asyncio.CancelledError:
            runner.call(self._abandon, call)
            raise

    # --- on the pool's loop ---

    def _add(self, invoker: GoogleLMInvoker, structured: bool, call: _Call) -> None:
        key = (id(invoker), structured)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(invoker, structured)
        group.pending.append(call)
        if len(group.pending) >= self.max_size:
            self._flush(key)
        elif group.timer is None:
            loop = asyncio.get_running_loop()
            group.timer = loop.call_later(self.max_wait, self._flush, key)

    def _flush(self, key: tuple[int, bool]) -> None:
        group = self._groups.get(key)
        if group is None:
            return
        if group.timer is not None:
            group.timer.cancel()
            group.timer = None
        calls, group.pending = group.pending[: self.max_size], group.pending[self.max_size :]
        if group.pending:  # the calls past max_size start a window of their own
            group.timer = asyncio.get_running_loop().call_later(
                0.0 if len(group.pending) >= self.max_size else self.max_wait, self._flush, key
            )
        if not calls:
            return
        job = _Job(calls=calls, live=len(calls))
        for call in calls:
            call.job = job
        self.jobs_sent += 1
        job.task = asyncio.get_running_loop().create_task(
            self._send(group.invoker, group.structured, job)
        )

    def _abandon(self, call: _Call) -> None:
        job = call.job
        if job is None:  # not sent yet: leave the pool
            for group in self._groups.values():
                if call in group.pending:
                    group.pending.remove(call)
            return
        job.live -= 1
        if job.live <= 0 and job.task is not None and not job.task.done():
            logger.warning("every caller of a pooled job was cancelled; cancelling the job")
            job.task.cancel()

    async def _send(self, invoker: GoogleLMInvoker, structured: bool, job: _Job) -> None:
        requests: dict[str, dict[str, Any]] = {}
        seen: dict[str, int] = {}
        for call in job.calls:
            digest = hashlib.sha256(encode_json(call.request)).hexdigest()[:24]
            count = seen[digest] = seen.get(digest, -1) + 1
            call.request_id = f"{digest}-{count}"
        for call in sorted(job.calls, key=lambda c: c.request_id):
            requests[call.request_id] = call.request
        logger.info("sending %d pooled calls as one batch job", len(requests))
        try:
            results: Mapping[str, Any] = await invoker.batch.engine.run(
                requests,
                PrebuiltCodec(structured=structured),
                invoker.model_name,
                skip_invalid=True,
                progress=functools.partial(_report, job),
                **self.wait_options,
            )
            error: BaseException | None = None
        except (IncompleteBatchError, ResultMismatchError) as partial:
            results, error = partial.results, partial
        except asyncio.CancelledError as cancelled:
            results, error = {}, cancelled
        except Exception as failure:
            results, error = {}, failure
        for call in job.calls:
            if call.future.done():
                continue
            result = results.get(call.request_id)
            if result is not None:
                call.future.set_result(result)
            elif isinstance(error, asyncio.CancelledError):
                call.future.cancel()
            else:
                call.future.set_exception(
                    error or GeminiBatchError(f"no result for pooled request {call.request_id}")
                )


def _report(job: _Job, info: BatchJobInfo) -> None:
    """Hand a poll's info to every caller still waiting, on its own event loop."""
    for call in job.calls:
        if call.progress is None or call.loop is None or call.future.done():
            continue
        outcome = call.progress(info)
        if inspect.isawaitable(outcome):
            with contextlib.suppress(RuntimeError):  # the caller's loop has closed
                asyncio.run_coroutine_threadsafe(_awaited(outcome), call.loop)


async def _awaited(outcome: Awaitable[Any]) -> None:
    await outcome


def _new_pool(max_wait: float, max_size: int, wait_options: Mapping[str, Any]) -> BatchPool:
    return BatchPool(max_wait=max_wait, max_size=max_size, wait_options=wait_options)
