"""Running the async core from sync code: `batch`, `invoke` and `stream` share one code path.

A coroutine runs with `asyncio.run` in the calling thread when no event loop is running
there, and in a fresh worker thread otherwise (e.g. sync `batch()` called from a notebook or
from inside async code). The caller's context variables (LangSmith tracing context, for one)
are copied into the worker thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

__all__ = ["iterate_sync", "run_sync"]

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine `make()` to completion from sync code and return its result."""
    if not _loop_running():
        return asyncio.run(make())
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gemini-batch") as pool:
        return pool.submit(context.run, lambda: asyncio.run(make())).result()


_DONE = object()


def iterate_sync(make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Iterate the async iterator `make()` from sync code.

    The iterator runs on its own event loop in a worker thread; items cross over through a
    queue, so each one is yielded as soon as it arrives. Closing the returned iterator early
    stops the async one at its next item.
    """
    items: queue.Queue[tuple[object, BaseException | None]] = queue.Queue()
    stop = threading.Event()

    async def pump() -> None:
        try:
            async for item in make():
                items.put((item, None))
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, re-raised there
            items.put((_DONE, exc))
            return
        items.put((_DONE, None))

    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(lambda: asyncio.run(pump()),), daemon=True)
    worker.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield cast("T", item)
    finally:
        stop.set()
