"""Faults never cost a finished result, a second job, or a job left running unannounced."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import (
    BatchLimits,
    BatchPollError,
    BatchTimeoutError,
    IncompleteBatchError,
    LMOutput,
    PollingPolicy,
)
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.conftest import FAST, jobs_created, make_invoker

PROMPTS = {f"q{i}": f"Question {i}" for i in range(12)}


def states(server: EmulatorServer) -> list[str]:
    """The state of every job, as the emulator's own `list` reports it."""
    import json

    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key="k", http_options=types.HttpOptions(base_url=server.base_url, api_version="v1beta")
    )
    body = client._api_client.request("get", "batches?pageSize=100", {}).body
    assert body is not None
    return [op["metadata"]["state"] for op in json.loads(body).get("operations", [])]


async def test_a_failed_results_download_is_retried(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, batch_limits=BatchLimits(inline_max_bytes=0))
    server.inject_errors(503, action="files.download")
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert all(isinstance(r, LMOutput) for r in results.values())
    assert server.count("files.download", status=503) == 1
    assert server.count("files.download", status=200) == 1
    assert jobs_created(server) == 1


async def test_a_create_refused_with_5xx_is_looked_for_then_sent_again(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, max_retries=2)
    server.inject_errors(503, action="batchGenerateContent")
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert len(results) == 12
    assert server.count("batchGenerateContent", status=503) == 1
    assert server.count("batches.list") >= 1  # looked for the job before sending it again
    assert jobs_created(server) == 1


async def test_a_429_on_create_waits_and_retries_without_looking(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, max_retries=1)
    server.inject_errors(429, action="batchGenerateContent")
    await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert server.count("batches.list") == 1  # the look before the first create, no more:
    # a 429 means nothing was created
    assert jobs_created(server) == 1


async def test_failing_status_checks_give_up_naming_and_cancelling_the_job(
    journal_path: Path,
) -> None:
    with EmulatorServer(job_seconds=60) as server:
        invoker = make_invoker(server, journal_path, max_retries=0)
        batch_id = await invoker.batch.create(PROMPTS)
        server.inject_errors(*[503] * 5, action="batches.get")
        with pytest.raises(BatchPollError, match=batch_id) as caught:
            await invoker.batch.wait(batch_id, polling=FAST)
        assert caught.value.cancelled  # Google confirmed the cancel
        assert server.count("batches.cancel", status=200) == 1
        assert states(server) == ["BATCH_STATE_CANCELLED"]


async def test_a_cancel_that_fails_is_not_reported_as_done(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=60) as server:
        invoker = make_invoker(server, journal_path, max_retries=0)
        server.inject_errors(500, 500, 500, action="batches.cancel")
        with pytest.raises(BatchTimeoutError, match="may still be running") as caught:
            await invoker.batch.invoke(PROMPTS, polling=FAST, max_wait=0.2)
        assert not caught.value.cancelled
        assert caught.value.cancel_attempted
        assert states(server) == ["BATCH_STATE_PENDING"]


async def test_the_deadline_is_not_reached_early(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=1.5) as server:
        invoker = make_invoker(server, journal_path)
        slow = PollingPolicy(1.0, 5.0, 1.5)  # polls at 0, 1, 2.5: the deadline falls between
        results = await invoker.batch.invoke(PROMPTS, polling=slow, max_wait=2.4)
        assert len(results) == 12
        assert server.count("batches.cancel") == 0


async def test_cancelling_the_caller_during_create_cancels_the_job(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=60, latency=0.4) as server:
        invoker = make_invoker(server, journal_path)
        task = asyncio.create_task(invoker.batch.invoke(PROMPTS, polling=FAST))
        for _ in range(500):  # until the look for an earlier job has been answered
            if server.count("batches.list"):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.15)  # the create request is in flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert jobs_created(server) == 1
        assert server.count("batches.cancel", status=200) == 1
        assert states(server) == ["BATCH_STATE_CANCELLED"]


async def test_a_failed_input_file_delete_is_logged(
    server: EmulatorServer, journal_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    invoker = make_invoker(
        server, journal_path, batch_limits=BatchLimits(inline_max_bytes=0), max_retries=0
    )
    server.inject_errors(500, 500, 500, action="files.delete")
    with caplog.at_level(logging.WARNING, logger="langchain_gemini_batch"):
        results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert len(results) == 12
    assert "could not delete the input file files/" in caplog.text


@pytest.mark.parametrize(
    "fault",
    [{"drop": "after"}, {"delay": 3.0}],
    ids=["connection-dropped-after-create", "answer-after-client-timeout"],
)
async def test_a_create_that_made_a_job_but_failed_is_not_sent_twice(
    server: EmulatorServer, journal_path: Path, fault: dict[str, Any]
) -> None:
    invoker = make_invoker(server, journal_path, timeout=1.0)
    server.inject("batchGenerateContent", **fault)
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert all(isinstance(r, LMOutput) for r in results.values())
    assert server.count("batchGenerateContent") == 1  # sent once: found by its tag
    assert server.count("batches.list") >= 1
    assert server.counts().jobs == 1


async def test_a_later_wave_failing_keeps_the_earlier_results(
    server: EmulatorServer, journal_path: Path
) -> None:
    limits = BatchLimits(max_requests_per_job=4, max_concurrent_jobs=1)
    invoker = make_invoker(server, journal_path, batch_limits=limits)
    server.inject("batchGenerateContent", nth=3, status=400)  # the third job is refused
    with pytest.raises(IncompleteBatchError) as caught:
        await invoker.batch.invoke(PROMPTS, polling=FAST)
    error = caught.value
    assert sorted(error.results) == sorted(list(PROMPTS)[:8])  # two finished jobs of 4
    assert error.failed_ids == list(PROMPTS)[8:]
    assert all(isinstance(r, LMOutput) for r in error.results.values())
    # the journal keeps the two finished jobs: running again creates only the third
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert len(results) == 12
    assert jobs_created(server) == 3


async def test_a_job_that_finished_while_polls_failed_is_read_not_reported_cancelled(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, max_retries=0)
    server.inject_errors(*[503] * 5, action="batches.get")  # waiting gives up...
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)  # ...but the job had ended
    assert all(isinstance(r, LMOutput) for r in results.values())
    assert states(server) == ["BATCH_STATE_SUCCEEDED"]


async def test_an_unconfirmed_cancel_is_not_reported_as_done(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, max_retries=0)
    server.inject_errors(*[503] * 6, action="batches.get")  # the last look fails too
    with pytest.raises(BatchPollError, match="not confirmed") as caught:
        await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert not caught.value.cancelled
    assert caught.value.cancel_attempted
    assert states(server) == ["BATCH_STATE_SUCCEEDED"]  # the cancel came after its end


async def test_a_refused_job_of_a_split_batch_leaves_the_others_for_the_rerun(
    server: EmulatorServer, journal_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    invoker = make_invoker(server, journal_path, batch_limits=BatchLimits(max_requests_per_job=4))
    server.inject("batchGenerateContent", nth=3, status=400)  # the third of three jobs
    with (
        caplog.at_level(logging.WARNING, logger="langchain_gemini_batch"),
        pytest.raises(Exception, match="400"),
    ):
        await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert "keep running" in caplog.text
    assert server.count("batches.cancel") == 0  # what was created is not thrown away
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)  # the rerun
    assert len(results) == 12
    assert jobs_created(server) == 3  # two reattached, the missing one created
