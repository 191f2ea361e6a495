"""How Vertex AI jobs end: every outcome the emulator can produce, through the seed API."""

from __future__ import annotations

import pytest

from langchain_gemini_batch import (
    BatchJobError,
    BatchStatus,
    LMOutput,
    RequestFailedError,
)
from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator._options import JobOutcome
from tests.vertex.support import (
    NO_WAIT,
    actions,
    outputs,
    staged_inputs,
    vertex_invoker,
    with_bucket,
)

pytestmark = pytest.mark.emulator


async def test_partially_succeeded_keeps_finished_rows_and_reports_failed_ones() -> None:
    with EmulatorServer(
        job_seconds=3,
        deterministic=True,
        job_outcome="partially_succeeded",
        fail_keys=["id:b", "id:d"],
    ) as server:
        invoker = vertex_invoker(with_bucket(server))
        prompts = {key: f"Prompt {key}" for key in "abcde"}
        batch_id = await invoker.batch.create(prompts)
        # google-genai's job.done stays False for PARTIALLY_SUCCEEDED: the package must not
        # wait on it.
        assert await invoker.batch.wait(batch_id, polling=NO_WAIT) is BatchStatus.FINISHED
        info = await invoker.batch.info(batch_id)
        results = await invoker.batch.retrieve(batch_id)
        assert staged_inputs(server) == []
    assert info.state == "JOB_STATE_PARTIALLY_SUCCEEDED"
    assert (info.request_counts.succeeded, info.request_counts.failed) == (3, 2)
    for key in "ace":
        answer = results[key]
        assert isinstance(answer, LMOutput)
        assert answer.text == f"Echo: Prompt {key}"
    for key in "bd":
        failure = results[key]
        assert isinstance(failure, RequestFailedError)
        assert failure.request_id == key
        assert failure.status == "INTERNAL"


@pytest.mark.parametrize(
    ("outcome", "state", "wrote_rows"),
    [
        ("failed", "JOB_STATE_FAILED", True),
        ("cancelled", "JOB_STATE_CANCELLED", True),
        ("expired", "JOB_STATE_EXPIRED", False),
    ],
)
async def test_jobs_that_end_without_results(
    outcome: JobOutcome, state: str, wrote_rows: bool
) -> None:
    with EmulatorServer(job_seconds=6, deterministic=True, job_outcome=outcome) as server:
        invoker = vertex_invoker(with_bucket(server))
        prompts = {f"r{i}": f"Prompt {i}" for i in range(4)}
        with pytest.raises(BatchJobError) as caught:
            await invoker.batch.invoke(prompts, polling=NO_WAIT)
        counts = actions(server)
        left_outputs = outputs(server)
        left_inputs = staged_inputs(server)
    assert caught.value.state == state
    assert counts["batchPredictionJobs.create"] == 1
    # The staged input is deleted once the job has ended, results or not.
    assert counts["storage.objects.delete"] == 1
    assert left_inputs == []
    assert bool(left_outputs) is wrote_rows  # completed rows stay in the bucket, unread


async def test_failed_job_reports_googles_error_message() -> None:
    with EmulatorServer(job_seconds=3, deterministic=True, job_outcome="failed") as server:
        invoker = vertex_invoker(with_bucket(server))
        batch_id = await invoker.batch.create({"a": "Doomed"})
        status = await invoker.batch.wait(batch_id, polling=NO_WAIT)
        info = await invoker.batch.info(batch_id)
    assert status is BatchStatus.FAILED
    assert info.error is not None
    assert info.error.startswith("System error.")


async def test_missing_bucket_fails_the_job_and_nothing_is_left() -> None:
    with EmulatorServer(job_seconds=3, deterministic=True) as server:
        invoker = vertex_invoker(server)  # no bucket: the upload itself is refused
        with pytest.raises(Exception, match=r"404|Not Found|bucket") as caught:
            await invoker.batch.create({"a": "Hello"})
        counts = actions(server)
    assert getattr(caught.value, "code", None) == 404
    assert counts["batchPredictionJobs.create"] == 0
    assert server.cloud.job_names() == []
