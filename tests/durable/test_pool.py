"""Single calls pooled into shared batch jobs: counts of jobs, answers to their own callers."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from langchain_gemini_batch import GoogleLMInvoker, LMOutput, RequestFailedError
from langchain_gemini_batch.batch.pool import BatchPool
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.conftest import FAST, jobs_created, make_invoker


def built(invoker: GoogleLMInvoker, prompt: str, **settings: object) -> dict[str, object]:
    return invoker.request_builder(settings or None).build("x", prompt)


async def test_a_burst_of_calls_is_one_job(server: EmulatorServer, journal_path: Path) -> None:
    invoker = make_invoker(server, journal_path)
    pool = BatchPool(max_wait=0.3, wait_options={"polling": FAST})
    prompts = [f"Question {i}" for i in range(50)]
    results = await asyncio.gather(
        *(pool.run(invoker, built(invoker, p), structured=False) for p in prompts)
    )
    assert jobs_created(server) == 1
    assert [r.text for r in results] == [f"Echo: {p}" for p in prompts]  # type: ignore[union-attr]


async def test_different_settings_share_a_job(server: EmulatorServer, journal_path: Path) -> None:
    invoker = make_invoker(server, journal_path)
    pool = BatchPool(max_wait=0.3, wait_options={"polling": FAST})
    cold = pool.run(invoker, built(invoker, "a", temperature=0.0), structured=False)
    hot = pool.run(
        invoker, built(invoker, "b", temperature=1.5, max_output_tokens=3), structured=False
    )
    first, second = await asyncio.gather(cold, hot)
    assert jobs_created(server) == 1
    (create,) = [r for r in server.requests if r.action == "batchGenerateContent"]
    configs = [
        item["request"]["generationConfig"]
        for item in create.body["batch"]["inputConfig"]["requests"]["requests"]
    ]
    assert sorted(c.get("temperature") for c in configs) == [0.0, 1.5]
    assert isinstance(first, LMOutput)
    assert isinstance(second, LMOutput)
    assert first.text == "Echo: a"
    assert second.text != first.text  # cut by its own max_output_tokens


async def test_a_pool_smaller_than_the_burst_sends_several_jobs(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    pool = BatchPool(max_wait=0.3, max_size=20, wait_options={"polling": FAST})
    results = await asyncio.gather(
        *(pool.run(invoker, built(invoker, f"q{i}"), structured=False) for i in range(50))
    )
    assert jobs_created(server) == 3  # 20 + 20 + 10
    assert all(isinstance(r, LMOutput) for r in results)


def test_calls_from_threads_share_a_job(server: EmulatorServer, journal_path: Path) -> None:
    invoker = make_invoker(server, journal_path)
    pool = BatchPool(max_wait=0.5, wait_options={"polling": FAST})
    answers: dict[int, str] = {}

    def worker(i: int) -> None:  # each thread runs its own event loop, as sync batch() does
        result = asyncio.run(pool.run(invoker, built(invoker, f"thread {i}"), structured=False))
        answers[i] = result.text  # type: ignore[union-attr]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert jobs_created(server) == 1
    assert answers == {i: f"Echo: thread {i}" for i in range(8)}


async def test_a_failed_request_fails_only_its_caller(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=0, fail_fraction=0.5, seed=3) as server:
        invoker = make_invoker(server, journal_path)
        pool = BatchPool(max_wait=0.3, wait_options={"polling": FAST})
        prompts = [f"p{i}" for i in range(20)]
        results = await asyncio.gather(
            *(pool.run(invoker, built(invoker, p), structured=False) for p in prompts)
        )
        failed = [r for r in results if isinstance(r, RequestFailedError)]
        assert 0 < len(failed) < 20
        for prompt, result in zip(prompts, results, strict=True):
            if isinstance(result, LMOutput):
                assert result.text == f"Echo: {prompt}"
        assert jobs_created(server) == 1


async def test_a_caller_cancelled_before_sending_leaves_the_pool(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    pool = BatchPool(max_wait=0.5, wait_options={"polling": FAST})
    tasks = [
        asyncio.create_task(pool.run(invoker, built(invoker, f"c{i}"), structured=False))
        for i in range(3)
    ]
    await asyncio.sleep(0.1)
    tasks[1].cancel()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[1], asyncio.CancelledError)
    (create,) = [r for r in server.requests if r.action == "batchGenerateContent"]
    assert len(create.body["batch"]["inputConfig"]["requests"]["requests"]) == 2


async def test_when_every_caller_is_cancelled_the_job_is_cancelled(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=60) as server:
        invoker = make_invoker(server, journal_path)
        pool = BatchPool(max_wait=0.05, wait_options={"polling": FAST})
        tasks = [
            asyncio.create_task(pool.run(invoker, built(invoker, f"c{i}"), structured=False))
            for i in range(3)
        ]
        for _ in range(200):
            if jobs_created(server):
                break
            await asyncio.sleep(0.02)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for _ in range(200):
            if server.count("batches.cancel", status=200):
                break
            await asyncio.sleep(0.02)
        assert server.count("batches.cancel", status=200) == 1
        assert server.counts().jobs_by_state == {"BATCH_STATE_CANCELLED": 1}


async def test_a_pooled_job_is_journaled_and_reattached(
    server: EmulatorServer, journal_path: Path
) -> None:
    prompts = [f"Question {i}" for i in range(10)]
    for _ in range(2):  # a new pool each time, as a new process would have, calls reordered
        invoker = make_invoker(server, journal_path)
        pool = BatchPool(max_wait=0.3, wait_options={"polling": FAST})
        await asyncio.gather(
            *(pool.run(invoker, built(invoker, p), structured=False) for p in reversed(prompts))
        )
    assert jobs_created(server) == 1
