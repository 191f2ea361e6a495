"""Noticing a burst of online calls that the Batch API could have served at half price.

LangChain only sends `abatch` straight down a sequence: `RunnableParallel`, dict steps,
`RunnablePassthrough.assign`, LangGraph's `Send` and evaluation loops call the model once per
input. With `invoke_via_batch=False` those calls go online at full price. When one model
serves `BURST_CONCURRENT` or more online calls at the same time, or starts `BURST_CALLS` of
them within `BURST_WINDOW` seconds (a sync `batch()` runs only a thread pool's worth at once),
a WARNING (once per model) says so and names `invoke_via_batch=True`, which pools such calls
into shared batch jobs.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Iterator

__all__ = ["BURST_CALLS", "BURST_CONCURRENT", "BURST_WINDOW", "OnlineCalls"]

logger = logging.getLogger("langchain_gemini_batch")

BURST_CONCURRENT = 5
"""Concurrent online calls of one model that count as a burst pooling would have served."""
BURST_CALLS = 10
"""Online calls started within `BURST_WINDOW` seconds that count as a burst."""
BURST_WINDOW = 10.0


class OnlineCalls:
    """Counts one model's online calls in flight (from any task, loop or thread)."""

    def __init__(self, threshold: int = BURST_CONCURRENT) -> None:
        self.threshold = threshold
        self.active = 0
        self.warned = False
        self._starts: collections.deque[float] = collections.deque(maxlen=BURST_CALLS)
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[OnlineCalls], tuple[int]]:
        return (OnlineCalls, (self.threshold,))  # a fresh counter: locks do not pickle

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count one online call for the duration of the block."""
        now = time.monotonic()
        with self._lock:
            self.active += 1
            self._starts.append(now)
            recent = len(self._starts) == BURST_CALLS and now - self._starts[0] <= BURST_WINDOW
            burst = (self.active >= self.threshold or recent) and not self.warned
            if burst:
                self.warned = True
        if burst:
            logger.warning(
                "ChatGeminiBatch is serving a burst of online calls (%d at once) at full "
                "price: a chain "
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
