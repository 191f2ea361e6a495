"""`BatchOperations`: the seed API's shape, and waiting done right.

`invoke` = `create` + `wait` + `retrieve`. `wait` polls with backoff (quick at first, then
capped), has an overall deadline separate from the HTTP timeout, and cancels the remote job
when the caller is cancelled or the deadline passes (unless told to leave it running).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_gemini_batch.errors import BatchTimeoutError
from langchain_gemini_batch.schema import BatchStatus, LMInput, LMOutput

__all__ = ["BatchOperations", "PollingPolicy"]

logger = logging.getLogger("langchain_gemini_batch")


@dataclass(frozen=True)
class PollingPolicy:
    """How often to ask for a job's status.

    The first poll comes after `initial_interval`; each later one waits `multiplier` times
    longer, up to `max_interval`. The defaults (1 s, x1.5, 180 s) spend about 30 status calls
    on a job that takes an hour, and notice a job that takes seconds within a second or two.
    """

    initial_interval: float = 1.0
    max_interval: float = 180.0
    multiplier: float = 1.5

    def __post_init__(self) -> None:
        if self.initial_interval < 0 or self.max_interval < self.initial_interval:
            raise ValueError("need 0 <= initial_interval <= max_interval")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def intervals(self) -> Iterator[float]:
        """The successive waits between polls (endless)."""
        interval = self.initial_interval
        while True:
            yield interval
            interval = min(self.max_interval, interval * self.multiplier)


class BatchOperations(ABC):
    """Batch operations of an invoker: create, status, retrieve, list, cancel, invoke."""

    @abstractmethod
    async def create(
        self,
        requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        display_name: str | None = None,
    ) -> str:
        """Create a batch job; returns its batch ID."""

    @abstractmethod
    async def status(self, batch_id: str) -> BatchStatus:
        """The job's `BatchStatus`."""

    @abstractmethod
    async def retrieve(self, batch_id: str, **kwargs: Any) -> dict[str, Any]:
        """The job's results keyed by request ID."""

    @abstractmethod
    async def list(self) -> list[dict[str, Any]]:
        """Every batch job of the account."""

    @abstractmethod
    async def cancel(self, batch_id: str) -> None:
        """Cancel a job."""

    async def wait(
        self,
        batch_id: str,
        *,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        max_iterations: int | None = None,
    ) -> BatchStatus:
        """Poll until the job ends; returns its terminal status.

        Args:
            batch_id: The batch ID from `create`.
            polling: The polling schedule (default `PollingPolicy()`).
            max_wait: Overall deadline in seconds (`None`: wait until the job ends; Google
                expires jobs after 48 hours).
            cancel_on_exit: Cancel the remote job when the deadline passes or the awaiting
                task is cancelled. `False` leaves it running (its ID is in the error and log).
            max_iterations: Give up after this many status calls (the seed's option).

        Raises:
            BatchTimeoutError: The deadline or `max_iterations` passed.
        """
        policy = polling or PollingPolicy()
        start = time.monotonic()
        calls = 0
        try:
            for interval in policy.intervals():
                status = await self.status(batch_id)
                calls += 1
                if status.is_terminal:
                    logger.info("batch %s ended: %s after %d status calls", batch_id, status, calls)
                    return status
                waited = time.monotonic() - start
                out_of_time = max_wait is not None and waited + interval > max_wait
                if out_of_time or (max_iterations is not None and calls >= max_iterations):
                    if cancel_on_exit:
                        await self._cancel_quietly(batch_id)
                    raise BatchTimeoutError(
                        batch_id, max(waited, max_wait or 0.0), cancelled=cancel_on_exit
                    )
                await asyncio.sleep(interval)
        except asyncio.CancelledError:
            if cancel_on_exit:
                await asyncio.shield(self._cancel_quietly(batch_id))
            else:
                logger.warning("wait for batch %s cancelled; the job keeps running", batch_id)
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _cancel_quietly(self, batch_id: str) -> None:
        logger.warning("cancelling batch %s", batch_id)
        with contextlib.suppress(Exception):
            await self.cancel(batch_id)

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
    ) -> dict[str, LMOutput | Any]:
        """Create a job, wait for it, and return its results keyed by request ID.

        Args:
            requests: Request ID to `LMInput` (or `(id, input)` pairs).
            hyperparameters: Generation settings for every request.
            display_name: The job's display name.
            polling: The polling schedule (default: 1 s, growing x1.5, capped at 180 s).
            max_wait: Overall deadline in seconds; `None` waits until the job ends.
            cancel_on_exit: Cancel the remote job on deadline or task cancellation.
            status_check_interval: The seed's fixed poll interval (overrides `polling`).
            max_iterations: The seed's cap on status calls.

        Returns:
            Request ID to `LMOutput`, or to `RequestFailedError` for a request that failed.
        """
        if status_check_interval is not None:
            polling = PollingPolicy(status_check_interval, status_check_interval, 1.0)
        batch_id = await self.create(requests, hyperparameters, display_name=display_name)
        await self.wait(
            batch_id,
            polling=polling,
            max_wait=max_wait,
            cancel_on_exit=cancel_on_exit,
            max_iterations=max_iterations,
        )
        return await self.retrieve(batch_id)
