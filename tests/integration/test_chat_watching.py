"""Watching a chat batch: progress events, the progress bar, costs, the journal option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_gemini_batch import (
    BatchLimits,
    ChatGeminiBatch,
    Cost,
    Journal,
)
from langchain_gemini_batch.errors import GeminiAPIError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.conftest import API_KEY


def chat(server: EmulatorServer, **options: Any) -> ChatGeminiBatch:
    settings: dict[str, Any] = {
        "model": "gemini-2.5-flash",
        "api_key": API_KEY,
        "base_url": server.base_url,
        "batch_poll_interval": 0.05,
        "batch_poll_max_interval": 0.05,
        **options,
    }
    return ChatGeminiBatch(**settings)


def jobs(server: EmulatorServer) -> int:
    return server.count("batchGenerateContent", status=200)


async def test_progress_reaches_astream_events_with_moving_counts() -> None:
    with EmulatorServer(job_seconds=1.0) as server:
        model = chat(server, invoke_via_batch=True, batch_pool_wait=0)
        events = [
            event
            async for event in model.astream_events("hello", version="v2")
            if event["event"] == "on_custom_event" and event["name"] == "gemini_batch_progress"
        ]
    assert len(events) >= 2
    data: list[dict[str, Any]] = [dict(event["data"]) for event in events]
    done = [item["done"] for item in data]
    assert done == sorted(done)  # counts only move forward
    assert data[-1]["status"] == "finished"
    assert data[-1]["total"] == 1


async def test_abatch_dispatches_progress_to_each_callback_handler() -> None:
    from langchain_core.callbacks import AsyncCallbackHandler

    class Watcher(AsyncCallbackHandler):
        def __init__(self) -> None:
            self.seen: list[dict[str, Any]] = []

        async def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
            if name == "gemini_batch_progress":
                self.seen.append(data)

    watcher = Watcher()
    with EmulatorServer(job_seconds=0.5) as server:
        await chat(server).abatch([f"q{i}" for i in range(30)], {"callbacks": [watcher]})
    assert watcher.seen  # once per poll, not once per input per poll
    assert len(watcher.seen) < 30
    assert watcher.seen[-1]["total"] == 30


async def test_show_progress_draws_a_bar_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with EmulatorServer(job_seconds=0.3) as server:
        await chat(server, show_progress=True).abatch(["a", "b", "c"])
    err = capsys.readouterr().err
    assert "SUCCEEDED" in err
    assert "3/3" in err


async def test_every_answer_says_what_it_cost(server: EmulatorServer) -> None:
    messages = await chat(server).abatch(["one", "two"])
    costs = [Cost.from_metadata(m.response_metadata["cost"]) for m in messages]
    for message, cost in zip(messages, costs, strict=True):
        assert message.response_metadata["cost"]["currency"] == "USD"
        assert cost.online_usd == 2 * cost.batch_usd > 0  # half price in a batch
    assert Cost.total(costs).batch_usd == sum(c.batch_usd for c in costs)


async def test_the_journal_option_and_a_forced_fresh_job(
    server: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "chat-journal.sqlite3"
    await chat(server, journal=str(path)).abatch(["x", "y"])
    await chat(server, journal=str(path)).abatch(["x", "y"])
    assert jobs(server) == 1  # reattached through the journal
    assert len(Journal(path).records()) == 1
    await chat(server, journal=str(path), batch_resume=False).abatch(["x", "y"])
    assert jobs(server) == 2
    await chat(server, journal=False).abatch(["x", "y"])
    assert jobs(server) == 2  # no journal: the job is still found by its fingerprint tag
    await chat(server, journal=False, batch_resume=False).abatch(["x", "y"])
    assert jobs(server) == 3


async def test_a_later_wave_failing_keeps_the_answers_of_earlier_ones(
    server: EmulatorServer,
) -> None:
    model = chat(server, batch_inline_max_bytes=1_000_000)
    limits = BatchLimits(max_requests_per_job=5, max_concurrent_jobs=1)
    invoker = model._invoker()
    invoker.batch_limits = limits
    invoker.batch.engine.limits = limits
    server.inject("batchGenerateContent", nth=2, status=400)
    outcomes = await model.abatch([f"q{i}" for i in range(10)], return_exceptions=True)
    assert all(isinstance(o, AIMessage) for o in outcomes[:5])  # the first job's answers
    for failed in outcomes[5:]:  # the refused second job's inputs fail with Google's 400
        assert isinstance(failed, GeminiAPIError)
        assert failed.code == 400
