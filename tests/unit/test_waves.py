"""Work beyond the concurrent-job cap: create() refuses it, invoke() runs it in waves."""

import pytest

from langchain_gemini_batch import BatchLimits, InvalidRequestError, LMOutput, PollingPolicy
from tests.unit.fake_google import FakeGoogle, answer, operation

CREATE = r":batchGenerateContent$"
FAST = PollingPolicy(initial_interval=0.0, max_interval=0.0, multiplier=1.0)


def finished(job: str, key: str) -> dict[str, object]:
    return operation(
        job,
        "BATCH_STATE_SUCCEEDED",
        inlined=[{"response": answer(key.upper()), "metadata": {"key": key}}],
    )


async def test_create_refuses_more_jobs_than_the_cap(google: FakeGoogle) -> None:
    limits = BatchLimits(max_requests_per_job=1, max_concurrent_jobs=2)
    invoker = google.invoker(batch_limits=limits)
    with pytest.raises(InvalidRequestError, match="needs 3 jobs, more than max_concurrent_jobs=2"):
        await invoker.batch.create({"a": "x", "b": "y", "c": "z"})
    assert google.sent == []


async def test_invoke_runs_waves_of_at_most_the_cap(google: FakeGoogle) -> None:
    keys = ["a", "b", "c", "d", "e"]
    google.on("POST", CREATE, *[operation(f"j{i}") for i in range(5)])
    for i, key in enumerate(keys):
        google.on("GET", rf"/batches/j{i}$", finished(f"j{i}", key))
    limits = BatchLimits(max_requests_per_job=1, max_concurrent_jobs=2)
    invoker = google.invoker(batch_limits=limits)
    results = await invoker.batch.invoke({k: k for k in keys}, polling=FAST, display_name="w")
    assert {k: v.text for k, v in results.items() if isinstance(v, LMOutput)} == {
        k: k.upper() for k in keys
    }
    order = [(s.method, s.path.rsplit("/", 1)[-1]) for s in google.sent]
    creates = [i for i, (m, p) in enumerate(order) if m == "POST"]
    first_poll_of_j2 = order.index(("GET", "j2"))
    # the third job is created only after the first wave (j0, j1) was polled to its end
    assert order.index(("GET", "j0")) < creates[2] < first_poll_of_j2
    names = [
        s.body["batch"]["displayName"].split(" [lgb-")[0]
        for s in google.requests_to("POST", CREATE)
    ]
    assert names == [f"w ({i}/5)" for i in range(1, 6)]
