"""File to file through the direct API, what batches cost, and memory that does not grow."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import BatchLimits, GoogleLMInvoker, LMOutput, PollingPolicy
from langchain_gemini_batch.batch.files import RequestFile
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import BatchStatus
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.cli.conftest import API_KEY, MODEL, invoker, write_requests

pytestmark = pytest.mark.emulator


async def test_a_request_file_to_a_results_file(server: EmulatorServer, tmp_path: Path) -> None:
    server.options.fail_keys = frozenset({"k2"})
    requests = write_requests(tmp_path / "requests.jsonl", 40, size=100)
    batch = invoker(server, batch_limits=BatchLimits(inline_max_bytes=1_000)).batch
    batch_id = await batch.create_raw(RequestFile(requests))
    assert server.count("files.upload") == 1  # past inline_max_bytes: spilled and uploaded
    assert await batch.wait(batch_id) is BatchStatus.FINISHED

    total = await batch.cost(batch_id)
    to_stream = io.BytesIO()
    streamed = await batch.write_results(batch_id, to_stream)
    out = tmp_path / "results.jsonl"
    written = await batch.write_results(batch_id, out)

    assert (written.total, written.succeeded, written.failed) == (40, 39, 1)
    assert written.cost == streamed.cost == total
    assert total.requests == 39
    assert out.read_bytes() == to_stream.getvalue()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["key"] for line in lines} == {f"k{i}" for i in range(40)}
    failed = next(line for line in lines if line["key"] == "k2")
    assert set(failed) == {"key", "error"}
    assert failed["error"]["code"] > 0
    answers = [line["response"] for line in lines if "response" in line]
    assert all(
        a["candidates"][0]["content"]["parts"][0]["text"].startswith("Echo: ") for a in answers
    )
    assert sorted(os.listdir(tmp_path)) == ["requests.jsonl", "results.jsonl"]  # no temporary
    with pytest.raises(ValueError, match="unknown results format"):
        await batch.write_results(batch_id, out, format="csv")  # type: ignore[arg-type]


async def test_a_job_total_equals_the_sum_of_its_answers(server: EmulatorServer) -> None:
    batch = invoker(server).batch
    requests = {f"r{i}": "why? " * (i * 37 % 50 + 1) for i in range(60)}
    settings = {"system_instruction": "Answer briefly.", "max_output_tokens": 40}
    results = await batch.invoke(requests, settings)
    outputs = [r for r in results.values() if isinstance(r, LMOutput)]
    assert len(outputs) == 60
    assert all(o.metadata["cost"]["priced_as"] == MODEL for o in outputs)
    batch_id = outputs[0].metadata["batch_job"]

    total = await batch.cost(batch_id)
    each_batch = sum((Decimal(str(o.metadata["cost"]["batch_usd"])) for o in outputs), Decimal(0))
    each_online = sum((Decimal(str(o.metadata["cost"]["online_usd"])) for o in outputs), Decimal(0))
    assert total.batch_usd == each_batch
    assert total.online_usd == each_online
    assert total.online_usd == 2 * total.batch_usd  # the Batch API is half price
    assert total.requests == 60
    assert total.input_tokens == sum(o.token_usage.input_tokens for o in outputs if o.token_usage)


async def test_the_estimate_matches_what_the_emulator_bills(server: EmulatorServer) -> None:
    client_invoker = invoker(server)
    batch = client_invoker.batch
    requests = {f"r{i}": "tell me about item " + "z" * (i * 13 % 90) for i in range(25)}
    settings = {"system_instruction": "You are a catalogue.", "max_output_tokens": 30}

    in_flight = peak = 0
    counted = client_invoker.client.count_request_tokens

    async def count(model: str, request: dict[str, Any]) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.01)
            return await counted(model, request)
        finally:
            in_flight -= 1

    client_invoker.client.count_request_tokens = count  # type: ignore[method-assign]
    approximate = await batch.estimate(requests, settings)
    exact = await batch.estimate(requests, settings, count_tokens=True, concurrency=3)
    assert server.count("countTokens") == 25
    assert 1 < peak <= 3
    assert approximate is not None
    assert exact is not None
    assert approximate.output_assumption == "max_output_tokens"
    assert approximate.high is not None

    results = await batch.invoke(requests, settings)
    outputs = [r for r in results.values() if isinstance(r, LMOutput)]
    prompts = sum(o.token_usage.input_tokens for o in outputs if o.token_usage)
    written = sum(o.token_usage.output_tokens for o in outputs if o.token_usage)
    assert approximate.input_tokens == exact.input_tokens == prompts  # ceil(chars / 4)
    assert (
        approximate.low.batch_usd
        <= (await batch.cost(next(iter(outputs)).metadata["batch_job"])).batch_usd
    )
    assert written <= approximate.high.output_tokens


async def test_estimates_refuse_what_create_refuses(server: EmulatorServer) -> None:
    batch = invoker(server).batch
    with pytest.raises(InvalidRequestError, match="no requests"):
        await batch.estimate({})
    with pytest.raises(InvalidRequestError, match="request 'b'"):
        await batch.estimate_raw({"a": {"contents": [{"parts": [{"text": "x"}]}]}, "b": {}})
    assert await GoogleLMInvoker("no-such-model", API_KEY).batch.estimate({"a": "x"}) is None
    assert server.count("countTokens") == 0


@pytest.fixture
def emulator_process() -> Iterator[str]:
    """An emulator in its own process, so that only this process's memory is traced."""
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_gemini_batch.testing.emulator", "--port", "0",
         "--job-seconds", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    match = re.search(r"(http://127\.0\.0\.1:\d+)", process.stdout.readline())
    try:
        assert match
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_writing_results_holds_a_block_not_the_batch(
    emulator_process: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak traced memory per request: `write_results` against `retrieve`, same jobs, same run.

    `retrieve` holds every `LMOutput` (about 2.5 KB a request here); `write_results` holds a
    block of 2,048 results, so past it only the per-key bookkeeping grows with N (the
    submitted IDs and the key check: about 200 bytes a request).
    """
    monkeypatch.setenv("GOOGLE_API_KEY", API_KEY)

    async def peaks(count: int) -> tuple[int, int]:
        requests = write_requests(tmp_path / f"requests-{count}.jsonl", count, size=80)
        limits = BatchLimits(inline_max_bytes=0)
        batch = GoogleLMInvoker(MODEL, base_url=emulator_process, batch_limits=limits).batch
        batch_id = await batch.create_raw(RequestFile(requests))
        assert await batch.wait(batch_id) is BatchStatus.FINISHED
        out = tmp_path / f"results-{count}.jsonl"
        tracemalloc.start()
        try:
            written = await batch.write_results(batch_id, out)
            _, streamed = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            held = await batch.retrieve(batch_id)
            _, retrieved = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert written.total == len(held) == count
        return streamed, retrieved

    small = asyncio.run(peaks(4_000))
    large = asyncio.run(peaks(12_000))
    streamed_per_request = (large[0] - small[0]) / 8_000
    retrieved_per_request = (large[1] - small[1]) / 8_000
    assert streamed_per_request < retrieved_per_request / 4, (
        streamed_per_request,
        retrieved_per_request,
    )
    assert streamed_per_request < 1_000


def test_file_to_file_runs_in_memory_that_does_not_grow_with_the_batch(
    emulator_process: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak traced memory of a request file to a results file, at 10,000 and 40,000 requests.

    `create_raw(RequestFile)`, `wait` and `write_results`, with the journal on: request IDs go
    to compressed logs and the journal, keys are checked by digest, results are streamed a
    block at a time. Requests of about 1 KB make every file larger than the SDK's 8 MiB upload
    chunk, so that the chunk it holds is the same at both sizes.
    """
    monkeypatch.setenv("GOOGLE_API_KEY", API_KEY)

    async def peak(count: int) -> int:
        requests = write_requests(tmp_path / f"requests-{count}.jsonl", count, size=1_000)
        batch = GoogleLMInvoker(MODEL, base_url=emulator_process).batch
        out = tmp_path / f"results-{count}.jsonl"
        tracemalloc.start()
        try:
            batch_id = await batch.create_raw(RequestFile(requests))
            status = await batch.wait(batch_id, polling=PollingPolicy(0.05, 0.05, 1.0))
            written = await batch.write_results(batch_id, out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert status is BatchStatus.FINISHED
        assert written.total == written.succeeded == count
        return peak

    small = asyncio.run(peak(10_000))
    large = asyncio.run(peak(40_000))
    assert large < 1.2 * small, (small, large)
