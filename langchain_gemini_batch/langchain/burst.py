"""Noticing a burst of online calls that the Batch API could have served at half price.

LangChain only sends `abatch` straight down a sequence: `RunnableParallel`, dict steps,
`RunnablePassthrough.assign`, LangGraph's `Send` and evaluation loops call the model once per
input. With `invoke_via_batch=False` those calls go online at full price. When one model
serves `BURST_THRESHOLD` or more online calls at the same time, a WARNING (once per model)
says so and names `invoke_via_batch=True`, which pools such calls into shared batch jobs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

__all__ = ["BURST_THRESHOLD", "OnlineCalls"]

logger = logging.getLogger("langchain_gemini_batch")

BURST_THRESHOLD = 8
"""Concurrent online calls of one model that count as a burst pooling would have served."""


class OnlineCalls:
    """Counts one model's online calls in flight (from any task, loop or thread)."""

    def __init__(self, threshold: int = BURST_THRESHOLD) -> None:
        self.threshold = threshold
        self.active = 0
        self.warned = False
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[OnlineCalls], tuple[int]]:
        return (OnlineCalls, (self.threshold,))  # a fresh counter: locks do not pickle

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count one online call for the duration of the block."""
        with self._lock:
            self.active += 1
            burst = self.active >= self.threshold and not self.warned
            if burst:
                self.warned = True
        if burst:
            logger.warning(
                "ChatGeminiBatch is serving %d concurrent online calls at full price: a chain "
                "shape (RunnableParallel, a dict step, RunnablePassthrough.assign, LangGraph "
                "Send, an evaluation loop) calls the model once per input. Set "
                "invoke_via_batch=True to pool such calls into shared batch jobs at half price.",
                self.active,
            )
        try:
            yield
        finally:
            with self._lock:
                self.active -= 1
