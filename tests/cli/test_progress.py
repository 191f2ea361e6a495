"""`ProgressBar` (plain lines and a live rich bar) and the `gemini_batch_progress` event."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, AsyncCallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableConfig, RunnableLambda

from langchain_gemini_batch.pricing import Cost
from langchain_gemini_batch.progress import (
    PROGRESS_EVENT,
    ProgressBar,
    adispatch_progress_event,
    format_duration,
    progress_event_data,
)
from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus, RequestCounts
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.cli.conftest import invoker


def ago(seconds: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def info(state: str, done: int = 0, total: int = 0, failed: int = 0, **extra: Any) -> BatchJobInfo:
    status = {
        "JOB_STATE_PENDING": BatchStatus.IN_PROGRESS,
        "JOB_STATE_RUNNING": BatchStatus.IN_PROGRESS,
        "JOB_STATE_SUCCEEDED": BatchStatus.FINISHED,
    }[state]
    counts = RequestCounts(
        total=total, succeeded=done - failed, failed=failed, pending=max(total - done, 0)
    )
    return BatchJobInfo(
        name="batches/abc",
        status=status,
        state=state,
        request_counts=counts,
        **{"create_time": ago(75), **extra},
    )


def test_plain_lines_are_written_only_when_something_changes() -> None:
    out = io.StringIO()
    bar = ProgressBar(file=out)
    assert bar.live is False  # not a terminal
    created = ago(75)
    for update in (
        info("JOB_STATE_PENDING"),
        info("JOB_STATE_RUNNING", 2, 10),
        info("JOB_STATE_RUNNING", 2, 10),  # no change: no line
        info("JOB_STATE_RUNNING", 7, 10, failed=1),
        info(
            "JOB_STATE_SUCCEEDED",
            10,
            10,
            failed=1,
            create_time=created,
            end_time=created + timedelta(seconds=70),
        ),
    ):
        bar(update)
    bar.set_cost(Cost(batch_usd=Decimal("0.0125"), online_usd=Decimal("0.025"), requests=9))
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("batches/abc JOB_STATE_PENDING, 0:01:1")
    assert lines[1].startswith("batches/abc JOB_STATE_RUNNING: 2/10 done (2 succeeded, 0 failed)")
    assert "7/10 done (6 succeeded, 1 failed)" in lines[2]
    assert lines[3] == (
        "batches/abc JOB_STATE_SUCCEEDED: 10/10 done (9 succeeded, 1 failed), 0:01:10"
    )  # the run time: end - create
    assert lines[4].endswith("0:01:10, cost $0.0125 (online $0.0250)")


def test_the_live_bar_draws_state_counts_and_cost() -> None:
    out = io.StringIO()
    with ProgressBar(file=out, live=True, description="my batch") as bar:
        bar(info("JOB_STATE_RUNNING", 7, 10, failed=2))
        bar.set_cost(Cost(batch_usd=Decimal("0.5"), online_usd=Decimal("1"), requests=5))
    drawn = out.getvalue()
    assert "my batch" in drawn
    assert "RUNNING" in drawn
    assert "7/10" in drawn
    assert "5 ok" in drawn
    assert "2 failed" in drawn
    assert "$0.5000" in drawn
    assert "\x1b[" in drawn  # drawn as on a terminal


def test_durations_and_the_event_payload() -> None:
    assert format_duration(3725.9) == "1:02:05"
    created = ago(10)
    data = progress_event_data(info("JOB_STATE_RUNNING", 3, 4, failed=1, create_time=created))
    assert data == {
        "batch_id": "batches/abc",
        "display_name": None,
        "model": None,
        "status": "in_progress",
        "state": "JOB_STATE_RUNNING",
        "total": 4,
        "succeeded": 2,
        "failed": 1,
        "pending": 1,
        "done": 3,
        "fraction": 0.75,
        "create_time": created.isoformat(),
        "update_time": None,
        "end_time": None,
        "error": None,
        "jobs": 1,
        "cost": None,
    }
    assert progress_event_data(info("JOB_STATE_PENDING"))["fraction"] is None


async def test_the_event_reaches_astream_events_from_a_runnable() -> None:
    updates = [info("JOB_STATE_RUNNING", 1, 2), info("JOB_STATE_SUCCEEDED", 2, 2)]

    async def watch(x: int, config: RunnableConfig) -> int:
        for update in updates:
            await adispatch_progress_event(update, config=config)
        return x

    events = [
        event
        async for event in RunnableLambda(watch).astream_events(1, version="v2")
        if event["event"] == "on_custom_event"
    ]
    assert [event["name"] for event in events] == [PROGRESS_EVENT, PROGRESS_EVENT]
    payloads = [cast("dict[str, Any]", event["data"]) for event in events]
    assert [data["done"] for data in payloads] == [1, 2]
    assert payloads[1]["state"] == "JOB_STATE_SUCCEEDED"


class _Recorder(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, UUID]] = []

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append((name, data, run_id))


class _WatchingModel(BaseChatModel):
    """A chat model that reports progress from inside its LLM run, as ChatGeminiBatch will."""

    @property
    def _llm_type(self) -> str:
        return "watching"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise NotImplementedError

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        assert run_manager is not None
        await adispatch_progress_event(info("JOB_STATE_RUNNING", 1, 2), run_manager=run_manager)
        return ChatResult(generations=[ChatGeneration(message=AIMessage("done"))])


async def test_the_event_belongs_to_the_chat_model_run() -> None:
    model = _WatchingModel()
    events = [e async for e in model.astream_events("hi", version="v2")]
    custom = [e for e in events if e["event"] == "on_custom_event"]
    start = next(e for e in events if e["event"] == "on_chat_model_start")
    assert len(custom) == 1
    assert custom[0]["name"] == PROGRESS_EVENT
    assert custom[0]["run_id"] == start["run_id"]
    assert cast("dict[str, Any]", custom[0]["data"])["total"] == 2

    recorder = _Recorder()
    await model.ainvoke("hi", config={"callbacks": [recorder]})
    assert [(name, data["done"]) for name, data, _ in recorder.events] == [(PROGRESS_EVENT, 1)]


async def test_outside_any_run_langchain_refuses() -> None:
    with pytest.raises(RuntimeError, match="parent run id"):
        await adispatch_progress_event(info("JOB_STATE_RUNNING", 1, 2))


@pytest.mark.emulator
async def test_a_bar_as_the_progress_callback_of_wait() -> None:
    with EmulatorServer(job_seconds=1.5) as server:
        batch = invoker(server).batch
        batch_id = await batch.create({str(i): f"question {i}" for i in range(6)})
        out = io.StringIO()
        with ProgressBar(file=out) as bar:
            assert await batch.wait(batch_id, progress=bar) is BatchStatus.FINISHED
        polls = server.count("batches.get")
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= polls  # one line per poll at most
    assert lines[-1].startswith(f"{batch_id} JOB_STATE_SUCCEEDED: 6/6 done (6 succeeded, 0 failed)")
    assert bar.info is not None
    assert bar.info.request_counts.total == 6
