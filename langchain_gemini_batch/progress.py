"""Watching a batch: a live progress bar on stderr, and LangChain progress events.

`ProgressBar` is a progress callback (`wait(..., progress=bar)`, `invoke(..., progress=bar)`)
that draws each `BatchJobInfo` as a rich progress bar: state, answered/total, succeeded and
failed, elapsed time and, once known, the cost. When the stream is not a terminal (a log file,
CI), it writes one plain line whenever the state or the counts change instead.

`adispatch_progress_event` sends the same information as a LangChain custom event named
`gemini_batch_progress` (visible in `astream_events` and to callback handlers'
`on_custom_event`); `progress_event_data` is its payload.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManager
from langchain_core.callbacks.manager import adispatch_custom_event

from langchain_gemini_batch.pricing import Cost
from langchain_gemini_batch.schema import BatchJobInfo

if TYPE_CHECKING:
    from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
    from langchain_core.runnables import RunnableConfig
    from rich.progress import Progress, TaskID

__all__ = [
    "PROGRESS_EVENT",
    "ProgressBar",
    "adispatch_progress_event",
    "format_duration",
    "format_usd",
    "progress_event_data",
]

PROGRESS_EVENT = "gemini_batch_progress"
"""The name of the LangChain custom event sent at each poll of a batch."""

_LIVE_LABEL = 24
"""The live bar shows at most this many characters of the label (the batch ID)."""

_MAX_AGE = 72 * 3600.0
"""A job's `create_time` older than this is not trusted as the start of the elapsed time."""


def format_duration(seconds: float) -> str:
    """`0:02:05` (hours:minutes:seconds)."""
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def format_usd(amount: object) -> str:
    """`$0.0123` (4 decimals, more for amounts under a cent so they do not show as zero)."""
    value = float(amount)  # type: ignore[arg-type]
    if value != 0 and abs(value) < 0.01:
        return f"${value:.6f}"
    return f"${value:.4f}"


def _cost_dict(cost: Cost | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    if isinstance(cost, Cost):
        return cost.as_dict()
    return dict(cost)


def progress_event_data(
    info: BatchJobInfo, *, cost: Cost | Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The payload of a `gemini_batch_progress` event (JSON-ready).

    Keys: `batch_id`, `display_name`, `model`, `status` (`BatchStatus` value), `state`
    (Google's `JOB_STATE_*`), `total`, `succeeded`, `failed`, `pending`, `done`
    (succeeded + failed), `fraction` (done / total, `None` while the total is unknown),
    `create_time`, `update_time`, `end_time` (ISO 8601 or `None`), `error`, `jobs` (how many
    jobs the batch ID stands for) and `cost` (`Cost.as_dict()` once known, else `None`).
    """
    counts = info.request_counts
    return {
        "batch_id": info.name,
        "display_name": info.display_name,
        "model": info.model,
        "status": info.status.value,
        "state": info.state,
        "total": counts.total,
        "succeeded": counts.succeeded,
        "failed": counts.failed,
        "pending": counts.pending,
        "done": counts.done,
        "fraction": counts.done / counts.total if counts.total else None,
        "create_time": info.create_time.isoformat() if info.create_time else None,
        "update_time": info.update_time.isoformat() if info.update_time else None,
        "end_time": info.end_time.isoformat() if info.end_time else None,
        "error": info.error,
        "jobs": len(info.jobs) or 1,
        "cost": _cost_dict(cost),
    }


async def adispatch_progress_event(
    info: BatchJobInfo,
    *,
    run_manager: AsyncCallbackManagerForLLMRun | None = None,
    config: RunnableConfig | None = None,
    cost: Cost | Mapping[str, Any] | None = None,
) -> None:
    """Send a `gemini_batch_progress` custom event for one poll of a batch.

    With `run_manager` (a chat model's LLM run, as in `_agenerate`), the event belongs to that
    run: `astream_events` shows it with the model's `run_id`, and every callback handler of
    the run gets `on_custom_event`. Without it, the event goes to the run the `config` (or the
    current context) belongs to, through `langchain_core`'s `adispatch_custom_event`.

    Args:
        info: The batch's state at this poll.
        run_manager: The LLM run the event belongs to.
        config: The config of the enclosing run (when there is no `run_manager`).
        cost: The cost so far, when known.

    Raises:
        RuntimeError: Neither `run_manager` nor an enclosing run (langchain-core's error).
    """
    data = progress_event_data(info, cost=cost)
    if run_manager is None:
        await adispatch_custom_event(PROGRESS_EVENT, data, config=config)
        return
    manager = AsyncCallbackManager(
        handlers=run_manager.handlers,
        inheritable_handlers=run_manager.inheritable_handlers,
        parent_run_id=run_manager.parent_run_id,
        tags=run_manager.tags,
        inheritable_tags=run_manager.inheritable_tags,
        metadata=run_manager.metadata,
        inheritable_metadata=run_manager.inheritable_metadata,
    )
    await manager.on_custom_event(PROGRESS_EVENT, data, run_id=run_manager.run_id)


def _is_terminal(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A live progress bar for a batch job, fed `BatchJobInfo`s (it is a progress callback).

    Example:
        ```python
        with ProgressBar() as bar:
            await invoker.batch.wait(batch_id, progress=bar)
        # ⠼ JOB_STATE_RUNNING ━━━━━━━━━━━━━━━━━╸━━━━━━━━  61/100 ✓ 60 ✗ 1  0:01:12
        ```

    Args:
        file: Where to draw (default: `sys.stderr`).
        description: A label before the bar (default: the batch ID).
        live: `True` draws a live bar, `False` writes a plain line at each change; default: a
            live bar when `file` is a terminal.
    """

    def __init__(
        self,
        *,
        file: IO[str] | None = None,
        description: str | None = None,
        live: bool | None = None,
    ) -> None:
        self.file = file if file is not None else sys.stderr
        self.description = description
        terminal = _is_terminal(self.file)
        self.live = terminal if live is None else live
        self._force = self.live and not terminal
        self.info: BatchJobInfo | None = None
        self.cost: Cost | None = None
        self._started = time.time()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last_line: str | None = None

    # --- the callback ---

    def __call__(self, info: BatchJobInfo) -> None:
        """Show one poll's `BatchJobInfo`."""
        if self.info is None and info.create_time is not None:
            age = datetime.now(timezone.utc).timestamp() - info.create_time.timestamp()
            if 0 <= age <= _MAX_AGE:
                self._started = time.time() - age
        self.info = info
        self._refresh()

    def set_cost(self, cost: Cost | None) -> None:
        """Show what the batch cost (or has cost so far)."""
        self.cost = cost
        self._refresh()

    @property
    def elapsed(self) -> float:
        """Seconds since the job was created (or the bar was made); its run time once ended."""
        info = self.info
        if info is not None and info.end_time is not None and info.create_time is not None:
            return max(0.0, (info.end_time - info.create_time).total_seconds())
        return time.time() - self._started

    def summary(self) -> str:
        """One line: state, counts, elapsed time and cost when known."""
        info = self.info
        if info is None:
            return f"{self._label()}: waiting for the first status"
        counts = info.request_counts
        text = f"{self._label()} {info.state}"
        if counts.total:
            text += (
                f": {counts.done}/{counts.total} done "
                f"({counts.succeeded} succeeded, {counts.failed} failed)"
            )
        text += f", {format_duration(self.elapsed)}"
        if self.cost is not None and self.cost.requests:
            text += (
                f", cost {format_usd(self.cost.batch_usd)} "
                f"(online {format_usd(self.cost.online_usd)})"
            )
        return text

    # --- drawing ---

    def _label(self) -> str:
        return self.description or (self.info.name if self.info else "batch")

    def _refresh(self) -> None:
        if not self.live:
            line = self.summary()
            key = line.rsplit(", ", 1)[0] if self.cost is None else line
            if key != self._last_line:  # only changes (the elapsed time always changes)
                self._last_line = key
                self.file.write(line + "\n")
                self.file.flush()
            return
        progress, task = self._bar()
        info = self.info
        counts = info.request_counts if info else None
        progress.update(
            task,
            total=counts.total if counts and counts.total else None,
            completed=counts.done if counts else 0,
            state=info.state.removeprefix("JOB_STATE_") if info else "WAITING",
            succeeded=counts.succeeded if counts else 0,
            failed=counts.failed if counts else 0,
            counts=f"{counts.done}/{counts.total}" if counts and counts.total else "",
            cost=(
                f"{format_usd(self.cost.batch_usd)}"
                if self.cost is not None and self.cost.requests
                else ""
            ),
        )

    def _bar(self) -> tuple[Progress, TaskID]:
        if self._progress is not None and self._task is not None:
            return self._progress, self._task
        # rich is imported only when a live bar is drawn (it takes 0.15 s to import)
        from langchain_gemini_batch._progress_view import make_progress  # noqa: PLC0415

        self._progress = make_progress(self.file, lambda: self.elapsed, force=self._force)
        self._progress.start()
        label = self._label()
        if len(label) > _LIVE_LABEL:  # keep the bar on one line of a narrow terminal
            label = label[: _LIVE_LABEL - 1] + "…"
        self._task = self._progress.add_task(
            label, total=None, state="", counts="", succeeded=0, failed=0, cost=""
        )
        return self._progress, self._task

    def close(self) -> None:
        """Stop drawing (the last state stays on screen)."""
        if self._progress is not None:
            self._refresh()
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
