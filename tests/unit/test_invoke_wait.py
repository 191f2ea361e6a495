"""invoke(): create, wait with backoff and a deadline, retrieve; remote cancel on exit."""

import asyncio
import itertools

import pytest

from langchain_gemini_batch import BatchTimeoutError, LMOutput, PollingPolicy
from tests.unit.fake_google import FakeGoogle, answer, operation

CREATE = r":batchGenerateContent$"
GET = r"/batches/job1$"
CANCEL = r"/batches/job1:cancel$"
FAST = PollingPolicy(initial_interval=0.001, max_interval=0.004, multiplier=2)


def _first_poll_after(policy: PollingPolicy, run_time: float) -> tuple[float, int]:
    """When a job ending at `run_time` is first seen ended, and after how many status calls."""
    elapsed, calls = 0.0, 1  # the first status call is made at once
    for wait in policy.intervals():
        if elapsed >= run_time:
            break
        elapsed += wait
        calls += 1
    return elapsed, calls


def test_polling_starts_quickly_then_backs_off_to_a_cap() -> None:
    policy = PollingPolicy()
    waits = list(itertools.islice(policy.intervals(), 60))
    assert waits[:3] == [1, 1.5, 2.25]
    assert max(waits) == 180
    with pytest.raises(ValueError):
        PollingPolicy(initial_interval=5, max_interval=1)
    assert list(itertools.islice(PollingPolicy(7, 7, 1.0).intervals(), 30)) == [7] * 30


@pytest.mark.parametrize("run_time", [0.5, 3, 20, 59, 300, 601, 1800, 3600, 6 * 3600, 86400])
def test_a_finished_job_is_noticed_within_a_quarter_of_its_run_time(run_time: float) -> None:
    seen, _ = _first_poll_after(PollingPolicy(), run_time)
    assert seen - run_time <= max(10.0, 0.25 * run_time)


def test_an_hour_long_job_costs_at_most_40_status_calls() -> None:
    _, calls = _first_poll_after(PollingPolicy(), 3600)
    assert calls <= 40


async def test_invoke_polls_until_done_and_returns_keyed_results(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    done = operation(
        state="BATCH_STATE_SUCCEEDED",
        inlined=[
            {"response": answer("B"), "metadata": {"key": "b"}},
            {"response": answer("A"), "metadata": {"key": "a"}},
        ],
    )
    google.on(
        "GET",
        GET,
        operation(state="BATCH_STATE_PENDING"),
        operation(state="BATCH_STATE_RUNNING"),
        done,
    )
    invoker = google.invoker()
    results = await invoker.batch.invoke({"a": "x", "b": "y"}, polling=FAST)
    assert {k: v.text for k, v in results.items() if isinstance(v, LMOutput)} == {
        "a": "A",
        "b": "B",
    }
    # the terminal poll's body is reused to read the results: three GETs, not four
    assert len(google.requests_to("GET", GET)) == 3


async def test_deadline_cancels_the_remote_job(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("GET", GET, operation(state="BATCH_STATE_RUNNING"))  # even after the cancel
    google.on("POST", CANCEL, {})
    invoker = google.invoker()
    with pytest.raises(BatchTimeoutError, match=r"batches/job1.*not confirmed") as caught:
        await invoker.batch.invoke({"a": "x"}, polling=FAST, max_wait=0.02)
    assert not caught.value.cancelled  # Google still said RUNNING after the cancel
    assert caught.value.cancel_attempted
    assert len(google.requests_to("POST", CANCEL)) == 1


async def test_a_cancel_is_confirmed_by_the_job_state(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    running = operation(state="BATCH_STATE_RUNNING")
    google.on("GET", GET, running, running, running, operation(state="BATCH_STATE_CANCELLED"))
    google.on("POST", CANCEL, {})
    invoker = google.invoker()
    with pytest.raises(BatchTimeoutError, match=r"batches/job1.*it was cancelled") as caught:
        await invoker.batch.invoke({"a": "x"}, polling=FAST, max_iterations=3)
    assert caught.value.cancelled


async def test_deadline_can_leave_the_job_running(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("GET", GET, operation(state="BATCH_STATE_RUNNING"))
    invoker = google.invoker()
    with pytest.raises(BatchTimeoutError, match="still running") as caught:
        await invoker.batch.invoke({"a": "x"}, polling=FAST, max_wait=0.02, cancel_on_exit=False)
    assert not caught.value.cancelled
    assert google.requests_to("POST", CANCEL) == []


async def test_seed_options_max_iterations_and_fixed_interval(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("GET", GET, operation(state="BATCH_STATE_PENDING"))
    google.on("POST", CANCEL, {})
    invoker = google.invoker()
    with pytest.raises(BatchTimeoutError):
        await invoker.batch.invoke({"a": "x"}, status_check_interval=0.001, max_iterations=4)
    assert len(google.requests_to("GET", GET)) == 4 + 1  # and one last look after the cancel


async def test_cancelling_the_caller_cancels_the_job(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("GET", GET, operation(state="BATCH_STATE_RUNNING"))
    google.on("POST", CANCEL, {})
    invoker = google.invoker()
    task = asyncio.create_task(invoker.batch.invoke({"a": "x"}, polling=FAST))
    for _ in range(5000):  # until the first status poll has been sent
        if google.requests_to("GET", GET):
            break
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(google.requests_to("POST", CANCEL)) == 1


async def test_no_short_default_deadline() -> None:
    import inspect

    from langchain_gemini_batch import BatchOperations

    assert inspect.signature(BatchOperations.invoke).parameters["max_wait"].default is None
