"""What one input of a `ChatGeminiBatch.abatch` ends with, and the order `*_as_completed` uses."""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.messages import AIMessage

__all__ = ["BatchOutcome", "as_completed_order"]

BatchOutcome = AIMessage | Exception
"""One input's result: its message, or the exception that input failed with."""


def as_completed_order(
    outcomes: list[BatchOutcome], *, return_exceptions: bool
) -> Iterator[tuple[int, BatchOutcome]]:
    """`(index, outcome)` pairs for `*_as_completed`: successes first, then failures.

    Every result of a job arrives at once, so "as completed" is any order; successes come
    first so that, without `return_exceptions`, the caller has them all before the raise.
    """
    failures = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, Exception)]
    yield from ((i, o) for i, o in enumerate(outcomes) if not isinstance(o, Exception))
    if failures and not return_exceptions:
        raise failures[0][1]
    yield from failures
