"""The rich layout of `ProgressBar` (imported only when a live bar is drawn)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.text import Text

from langchain_gemini_batch.progress import format_duration

__all__ = ["make_progress"]


class _Elapsed(ProgressColumn):
    """Time since the job was created, refreshed with the bar."""

    def __init__(self, elapsed: Callable[[], float]) -> None:
        super().__init__()
        self._elapsed = elapsed

    def render(self, task: Task) -> Text:
        """`0:01:12`."""
        del task
        return Text(format_duration(self._elapsed()), style="progress.elapsed")


def make_progress(file: IO[str], elapsed: Callable[[], float], *, force: bool = False) -> Progress:
    """A `Progress` drawing to `file`: state, bar, done/total, ok and failed, elapsed, cost.

    Args:
        file: Where to draw.
        elapsed: Seconds to show as the elapsed time.
        force: Draw as on a terminal even when `file` is not one.
    """
    console = Console(file=file, force_terminal=True if force else None, highlight=False)
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[state]}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TextColumn("[green]{task.fields[succeeded]} ok[/] [red]{task.fields[failed]} failed[/]"),
        _Elapsed(elapsed),
        TextColumn("{task.fields[cost]}"),
        console=console,
        refresh_per_second=4,
    )
