"""Running a whole batch: create, wait and read, in waves of at most `max_concurrent_jobs`.

Work that needs more jobs than may run at once is sent a wave at a time; a wave that fails after
earlier ones finished raises `IncompleteBatchError` with everything read so far (the journal
keeps the finished jobs, so running the same work again reattaches to them).

With `deliver`, results are handed over a block at a time as they are read, instead of being
gathered into one dict: the caller turns them into what it keeps (e.g. messages) and no result
object outlives its block. Errors then carry no `results` (the caller has them already).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch._gc import frozen_as_it_grows
from langchain_gemini_batch.batch._read import iter_result_blocks
from langchain_gemini_batch.batch._wait import ProgressCallback, wait_for
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.errors import IncompleteBatchError, ResultMismatchError

if TYPE_CHECKING:
    from langchain_gemini_batch.batch.engine import BatchEngine

__all__ = ["Deliver", "run_in_waves"]

Deliver = Callable[[list[tuple[str, Any]]], None]
"""Takes one block of `(request_id, result)` pairs as soon as it is read."""


async def run_in_waves(
    engine: BatchEngine,
    requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
    codec: Codec,
    model: str,
    *,
    display_name: str | None,
    polling: PollingPolicy | None,
    max_wait: float | None,
    cancel_on_exit: bool,
    max_iterations: int | None,
    skip_invalid: bool,
    resume: bool,
    progress: ProgressCallback | None,
    deliver: Deliver | None = None,
) -> dict[str, Any]:
    """`BatchEngine.run` (see there); with `deliver`, the results go to it and `{}` is returned."""
    start = time.monotonic()
    with engine.plan(requests, codec, model, skip_invalid=skip_invalid) as plan:
        results: dict[str, Any] = dict(plan.invalid)
        if deliver is not None and results:
            deliver(list(results.items()))
            results = {}
        cap = engine.limits.max_concurrent_jobs
        for first in range(0, len(plan.chunks), cap):
            try:
                handle = await engine.submit(
                    plan,
                    codec,
                    model,
                    display_name=display_name,
                    resume=resume,
                    cancel_on_exit=cancel_on_exit,
                    first=first,
                    count=cap,
                )
                left = None if max_wait is None else max(0.0, max_wait - (time.monotonic() - start))
                _, ended = await wait_for(
                    engine,
                    handle,
                    polling=polling,
                    max_wait=left,
                    cancel_on_exit=cancel_on_exit,
                    max_iterations=max_iterations,
                    progress=progress,
                )
                if deliver is None:
                    results.update(await engine.retrieve(handle, codec, known=ended))
                else:
                    with frozen_as_it_grows() as freeze:  # what `deliver` keeps grows
                        async for block in iter_result_blocks(engine, handle, codec, known=ended):
                            deliver(block)
                            freeze()
            except ResultMismatchError as error:
                error.results = {**results, **error.results}
                raise
            except Exception as error:
                if first == 0:
                    raise
                pending = [k for chunk in plan.chunks[first:] for k in chunk.ids]
                raise IncompleteBatchError(results, pending, error) from error
    return results
