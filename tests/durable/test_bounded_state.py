"""A long-lived invoker keeps no per-job state once a job was read, and little before.

The emulator runs in its own process here, so traced memory is the client's alone.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_gemini_batch import GoogleLMInvoker
from tests.durable.conftest import API_KEY, FAST, MODEL


@pytest.fixture
def base_url() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_gemini_batch.testing.emulator", "--port", "0",
         "--job-seconds", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    try:
        assert match, line
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_many_batches_do_not_grow_an_invoker(base_url: str, journal_path: Path) -> None:
    invoker = GoogleLMInvoker(MODEL, API_KEY, base_url=base_url, journal=journal_path)
    prompts = {f"q{i}": f"Question number {i} " * 5 for i in range(200)}

    async def rounds(n: int) -> None:
        for _ in range(n):
            await invoker.batch.invoke(prompts, polling=FAST, resume=False)

    await rounds(3)  # warm up: client, connection pool, caches
    tracemalloc.start()
    try:
        before = _traced()
        await rounds(20)
        after = _traced()
    finally:
        tracemalloc.stop()
    assert len(invoker.batch.engine.records) == 0
    assert after - before < 500_000, f"grew {after - before:,} bytes over 20 batches"


async def test_jobs_waited_on_but_not_read_hold_no_results(base_url: str) -> None:
    invoker = GoogleLMInvoker(MODEL, API_KEY, base_url=base_url, journal=False)
    prompts = {f"q{i}": "x" * 400 for i in range(300)}  # about 150 KB of answers per job
    batch_id = await invoker.batch.create(prompts, resume=False)
    await invoker.batch.wait(batch_id, polling=FAST)
    tracemalloc.start()
    try:
        before = _traced()
        for _ in range(20):
            batch_id = await invoker.batch.create(prompts, resume=False)
            await invoker.batch.wait(batch_id, polling=FAST)
        after = _traced()
    finally:
        tracemalloc.stop()
    # each record keeps its 300 request IDs (to check keys later), not the job's results
    assert len(invoker.batch.engine.records) == 21
    assert after - before < 1_000_000, f"grew {after - before:,} bytes for 20 unread jobs"
