"""Waiting for batch jobs: polling that notices, progress at every poll, giving up truthfully.

- Polls follow `PollingPolicy`: quick at first, then a quarter of the time already waited.
- Each poll reports a `BatchJobInfo` to the progress callback; state changes are logged at
  INFO with the request counts, and the journal learns each job's state.
- A failed status check (after the client's own retries) is tolerated `max_poll_failures`
  times in a row; then waiting gives up with `BatchPollError`, naming the job.
- The deadline (`max_wait`) counts from the start of waiting; the last poll happens at the
  deadline, so a job that ends before it is never given up on.
- Giving up (deadline, failing polls, the caller cancelled) cancels the remote job unless
  `cancel_on_exit=False`; the error says `cancelled=True` only when Google confirmed it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch.batch._faults import is_transient
from langchain_gemini_batch.batch._jobs import combine_infos
from langchain_gemini_batch.batch.backends.base import RemoteJob
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.errors import BatchPollError, BatchTimeoutError
from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus

if TYPE_CHECKING:
    from langchain_gemini_batch.batch.engine import BatchEngine

__all__ = ["DEFAULT_MAX_POLL_FAILURES", "ProgressCallback", "wait_for"]

logger = logging.getLogger("langchain_gemini_batch")

ProgressCallback = Callable[[BatchJobInfo], "Awaitable[Any] | Any"]
"""Called with the batch's `BatchJobInfo` after every status check (sync or async)."""

DEFAULT_MAX_POLL_FAILURES = 5


def _describe(info: BatchJobInfo) -> str:
    counts = info.request_counts
    if not counts.total:
        return info.state
    return (
        f"{info.state}: {counts.done}/{counts.total} done "
        f"({counts.succeeded} succeeded, {counts.failed} failed)"
    )


async def _report(progress: ProgressCallback | None, info: BatchJobInfo) -> None:
    if progress is None:
        return
    try:
        outcome = progress(info)
        if inspect.isawaitable(outcome):
            await outcome
    except Exception:
        logger.exception("the progress callback failed (waiting goes on)")


class _Poller:
    """Polls every job of a batch ID; a job that has ended is not asked again."""

    def __init__(self, engine: BatchEngine, batch_id: str) -> None:
        self.engine = engine
        self.batch_id = batch_id
        self.names = engine.job_names(batch_id)
        self.ended: dict[str, RemoteJob] = {}
        self.states: dict[str, str] = {}

    async def poll(self) -> BatchJobInfo:
        infos = []
        for name in self.names:
            job = self.ended.get(name)
            if job is None:
                job = await self.engine.backend.get(name)
                info = job.info
                if self.states.get(name) != info.state:
                    self.states[name] = info.state
                    logger.info("%s is %s", name, _describe(info))
                    self.engine.note_state(name, info.state)
                if info.status.is_terminal:
                    self.ended[name] = job
            infos.append(job.info)
        return combine_infos(self.batch_id, infos)


async def wait_for(
    engine: BatchEngine,
    batch_id: str,
    *,
    polling: PollingPolicy | None = None,
    max_wait: float | None = None,
    cancel_on_exit: bool = True,
    max_iterations: int | None = None,
    progress: ProgressCallback | None = None,
    max_poll_failures: int = DEFAULT_MAX_POLL_FAILURES,
) -> tuple[BatchJobInfo, dict[str, RemoteJob]]:
    """Poll until every job of `batch_id` has ended.

    Returns:
        The final `BatchJobInfo`, and each job's last body (to read results without
        asking again).

    Raises:
        BatchTimeoutError: `max_wait` or `max_iterations` passed.
        BatchPollError: Status checks failed `max_poll_failures` times in a row, or with an
            error that will not go away (the job is gone, access denied).
    """
    policy = polling or PollingPolicy()
    poller = _Poller(engine, batch_id)
    start = time.monotonic()
    deadline = None if max_wait is None else start + max_wait
    step = calls = failures = 0
    try:
        while True:
            try:
                info = await poller.poll()
            except Exception as exc:
                failures += 1
                if not is_transient(exc) or failures >= max_poll_failures:
                    reason = (
                        f"status checks failed {failures} times in a row "
                        f"({type(exc).__name__}: {exc})"
                    )
                    ended, cancelled = await _give_up(poller, cancel_on_exit)
                    if ended is not None:
                        return ended, poller.ended
                    raise BatchPollError(
                        batch_id, reason, cancelled=cancelled, cancel_attempted=cancel_on_exit
                    ) from exc
                logger.warning(
                    "status check of %s failed (%s); %d of %d tolerated",
                    batch_id,
                    type(exc).__name__,
                    failures,
                    max_poll_failures - 1,
                )
            else:
                failures = 0
                calls += 1
                await _report(progress, info)
                if info.status.is_terminal:
                    logger.info(
                        "batch %s ended: %s after %d status calls", batch_id, info.status, calls
                    )
                    return info, poller.ended
                if max_iterations is not None and calls >= max_iterations:
                    return await _time_out(poller, start, cancel_on_exit)
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return await _time_out(poller, start, cancel_on_exit)
            delay = policy.interval(step, now - start)
            step += 1
            if deadline is not None:
                delay = min(delay, deadline - now)
            await asyncio.sleep(delay)
    except asyncio.CancelledError:
        if cancel_on_exit:
            await asyncio.shield(_give_up(poller, cancel_on_exit))
        else:
            logger.warning("wait for batch %s cancelled; the job keeps running", batch_id)
        raise


async def _give_up(poller: _Poller, cancel_on_exit: bool) -> tuple[BatchJobInfo | None, bool]:
    """Stop waiting: cancel the unfinished jobs (if asked), then look once more.

    Returns:
        The final info when the batch turned out to have FINISHED after all (its results are
        then read as usual), else `None`; and whether every unfinished job is confirmed
        cancelled (CANCELLING or CANCELLED), by a last status check, or, when that check
        fails, `False` (Google answers a cancel of an ended job with success too, so the
        answer alone confirms nothing).
    """
    engine, batch_id = poller.engine, poller.batch_id
    if cancel_on_exit:
        await engine.cancel_confirmed(batch_id)
    try:
        final = await poller.poll()
    except Exception as exc:
        logger.warning("could not check %s after giving up on it (%s)", batch_id, exc)
        return None, False
    if final.status is BatchStatus.FINISHED:
        logger.warning("%s finished before it could be cancelled; reading its results", batch_id)
        return final, False
    jobs = final.jobs or (final,)
    cancelled = cancel_on_exit and all(
        job.status in (BatchStatus.CANCELLED, BatchStatus.CANCELING)
        for job in jobs
        if job.status is not BatchStatus.FINISHED
    )
    return None, cancelled


async def _time_out(
    poller: _Poller, start: float, cancel_on_exit: bool
) -> tuple[BatchJobInfo, dict[str, RemoteJob]]:
    waited = time.monotonic() - start  # before the cancel's own time
    ended, cancelled = await _give_up(poller, cancel_on_exit)
    if ended is not None:
        return ended, poller.ended
    raise BatchTimeoutError(
        poller.batch_id, waited, cancelled=cancelled, cancel_attempted=cancel_on_exit
    )
