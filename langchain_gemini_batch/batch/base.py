"""`BatchOperations`: the seed API's shape; `PollingPolicy`: how often to look at a job.

`invoke` = `create` + `wait` + `retrieve`. The engine (`batch/engine.py`) implements them.
"""

from __future__ import annotations

import itertools
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_gemini_batch.schema import BatchStatus, LMInput, LMOutput

__all__ = ["BatchOperations", "PollingPolicy"]

logger = logging.getLogger("langchain_gemini_batch")


_RAMP_CAP = 10.0
"""The quick first polls grow (x `multiplier`) up to this many seconds."""


@dataclass(frozen=True)
class PollingPolicy:
    """How often to ask for a job's status.

    The first polls come quickly (`initial_interval`, growing x`multiplier` up to 10 s); after
    that each wait is `notice_fraction` of the time already waited, capped at `max_interval`.
    With the defaults (1 s, x1.5, 25 %, 180 s) a finished job is noticed within
    max(10 s, 25 % of its run time), and a job that takes an hour costs 38 status calls.
    `PollingPolicy(x, x, 1.0)` polls every `x` seconds.
    """

    initial_interval: float = 1.0
    max_interval: float = 180.0
    multiplier: float = 1.5
    notice_fraction: float = 0.25

    def __post_init__(self) -> None:
        if self.initial_interval < 0 or self.max_interval < self.initial_interval:
            raise ValueError("need 0 <= initial_interval <= max_interval")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        if not 0 <= self.notice_fraction <= 1:
            raise ValueError("notice_fraction must be between 0 and 1")

    def interval(self, step: int, elapsed: float) -> float:
        """The wait before the next poll, after `step` polls and `elapsed` seconds."""
        ramp = min(
            self.initial_interval * self.multiplier ** min(step, 64),
            max(self.initial_interval, _RAMP_CAP),
        )
        return min(self.max_interval, max(ramp, self.notice_fraction * elapsed))

    def intervals(self) -> Iterator[float]:
        """The successive waits between polls when each poll is instant (endless)."""
        elapsed = 0.0
        for step in itertools.count():
            wait = self.interval(step, elapsed)
            elapsed += wait
            yield wait


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

    @abstractmethod
    async def wait(
        self,
        batch_id: str,
        *,
        polling: PollingPolicy | None = None,
        max_wait: float | None = None,
        cancel_on_exit: bool = True,
        max_iterations: int | None = None,
    ) -> BatchStatus:
        """Poll until the job ends; its terminal status."""

    @abstractmethod
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
        """Create a job, wait for it, and return its results keyed by request ID."""
