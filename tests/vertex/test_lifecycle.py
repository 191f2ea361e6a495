"""The seed API end to end on Vertex AI: the real google-genai and google-cloud-storage clients
against the emulator's batch prediction jobs and Cloud Storage."""

from __future__ import annotations

import json

import pytest

from langchain_gemini_batch import BatchJobInfo, BatchStatus, LMOutput, RequestFailedError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.vertex.support import (
    BUCKET,
    NO_WAIT,
    STAGING,
    actions,
    outputs,
    staged_inputs,
    vertex_invoker,
    with_bucket,
)

pytestmark = pytest.mark.emulator


def lines(server: EmulatorServer, uri: str) -> list[str]:
    return server.cloud.read(uri).decode().splitlines()


PROMPTS = {"capital": "What is the capital of France?", "sum": "What is 2 + 2?"}


async def test_create_status_retrieve_list_cancel(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    batch_id = await invoker.batch.create(dict(PROMPTS), display_name="lifecycle")
    assert batch_id.startswith("projects/")
    assert "/locations/us-central1/batchPredictionJobs/" in batch_id
    assert server.cloud.job_names() == [batch_id]

    seen = [await invoker.batch.status(batch_id)]
    while not seen[-1].is_terminal:
        seen.append(await invoker.batch.status(batch_id))
    assert BatchStatus.IN_PROGRESS in seen
    assert seen[-1] is BatchStatus.FINISHED

    listed = await invoker.batch.list()
    assert [job["id"] for job in listed] == [batch_id]
    assert listed[0]["request_counts"] == {"total": 2, "succeeded": 2, "failed": 0, "pending": 0}
    assert listed[0]["display_name"].startswith("lifecycle [lgb-")

    results = await invoker.batch.retrieve(batch_id)
    assert {key: out.text for key, out in results.items() if isinstance(out, LMOutput)} == {
        key: f"Echo: {prompt}" for key, prompt in PROMPTS.items()
    }
    counts = actions(server)
    assert counts["batchPredictionJobs.create"] == 1
    assert counts["storage.objects.insert"] == 1  # the staged requests
    assert counts["storage.objects.download"] == 1  # the one predictions.jsonl
    assert counts["storage.objects.delete"] == 1  # the staged requests, once read
    assert staged_inputs(server) == []
    assert len(outputs(server)) == 1  # output objects are left to the caller
    await invoker.batch.delete(batch_id)
    assert server.cloud.job_names() == []
    assert actions(server)["batchPredictionJobs.delete"] == 1

    other = await invoker.batch.create({"slow": "Take your time."}, display_name="to-cancel")
    await invoker.batch.cancel(other)
    status = await invoker.batch.status(other)
    while status is BatchStatus.CANCELING:
        status = await invoker.batch.status(other)
    assert status is BatchStatus.CANCELLED
    assert actions(server)["batchPredictionJobs.cancel"] == 1


async def test_every_job_is_a_file_job_written_where_the_docs_say(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    batch_id = await invoker.batch.create({"only": "Hello"})
    (staged,) = staged_inputs(server)
    fingerprint = staged.removeprefix(f"{STAGING}/").split("/")[0]
    assert len(fingerprint) == 64
    assert staged == f"{STAGING}/{fingerprint}/requests.jsonl"
    (line,) = [json.loads(raw) for raw in server.cloud.read(staged).decode().splitlines()]
    assert line["key"] == "id:only"
    assert line["request"]["contents"] == [{"role": "user", "parts": [{"text": "Hello"}]}]
    jobs = await invoker.batch.jobs(batch_id)
    assert jobs[0]["display_name"].endswith(f"[lgb-{fingerprint[:20]}]")
    await invoker.batch.wait(batch_id, polling=NO_WAIT)
    await invoker.batch.retrieve(batch_id)
    (output,) = outputs(server)
    assert output.startswith(f"{STAGING}/{fingerprint}/output/prediction-model-")


async def test_integer_looking_ids_come_back_under_their_exact_string() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True, shuffle_results=True) as server:
        invoker = vertex_invoker(with_bucket(server))
        prompts = {"000123": "zeros", "42": "answer", "123": "plain", "-7": "negative", "x": "x"}
        results = await invoker.batch.invoke(prompts, polling=NO_WAIT)
        (output,) = outputs(server)
        echoed = [json.loads(raw)["key"] for raw in lines(server, output)]
    assert sorted(echoed) == sorted(f"id:{key}" for key in prompts)  # never coerced
    assert set(results) == set(prompts)
    for key, prompt in prompts.items():
        output_for_key = results[key]
        assert isinstance(output_for_key, LMOutput)
        assert output_for_key.text == f"Echo: {prompt}"


async def test_results_join_by_key_under_shuffled_output() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True, shuffle_results=True) as server:
        invoker = vertex_invoker(with_bucket(server))
        prompts = {f"id-{i:02d}": f"Question {i}" for i in range(30)}
        results = await invoker.batch.invoke(prompts, polling=NO_WAIT)
        (output,) = outputs(server)
        order = [json.loads(raw)["key"] for raw in lines(server, output)]
    assert order != [f"id:{key}" for key in prompts]  # the server did shuffle
    assert list(results) != list(prompts)
    for key, prompt in prompts.items():
        answer = results[key]
        assert isinstance(answer, LMOutput)
        assert answer.text == f"Echo: {prompt}"


async def test_wait_reports_progress_and_invoke_counts_calls() -> None:
    seen: list[BatchJobInfo] = []
    with EmulatorServer(job_seconds=15, deterministic=True) as server:
        invoker = vertex_invoker(with_bucket(server))
        batch_id = await invoker.batch.create({f"r{i}": f"Prompt {i}" for i in range(6)})
        status = await invoker.batch.wait(batch_id, polling=NO_WAIT, progress=seen.append)
    assert status is BatchStatus.FINISHED
    states = [info.state for info in seen]
    assert states[0] == "JOB_STATE_PENDING"
    assert states.count("JOB_STATE_RUNNING") >= 3
    assert states[-1] == "JOB_STATE_SUCCEEDED"
    assert all(info.request_counts.total == 6 for info in seen)  # known from create
    running = [info.request_counts.done for info in seen if info.state == "JOB_STATE_RUNNING"]
    assert running == sorted(running)
    assert seen[-1].request_counts.succeeded == 6
    assert len(seen) == actions(server)["batchPredictionJobs.get"]


async def test_per_request_failures_are_request_failed_errors() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True, fail_keys=["id:bad"]) as server:
        invoker = vertex_invoker(with_bucket(server))
        results = await invoker.batch.invoke(
            {"good": "Fine", "bad": "Doomed", "other": "x"},
            polling=NO_WAIT,
        )
    failure = results["bad"]
    assert isinstance(failure, RequestFailedError)
    assert failure.request_id == "bad"
    assert failure.code == 13
    assert failure.status == "INTERNAL"
    assert failure.batch_job is not None
    assert failure.batch_job.startswith("projects/")
    good = results["good"]
    assert isinstance(good, LMOutput)
    assert good.text == "Echo: Fine"


async def test_online_calls_go_to_vertex(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    output = await invoker.invoke("Hello there")
    assert output.text == "Echo: Hello there"
    assert actions(server)["publishers.models.generateContent"] == 1
    chunks = [chunk.text async for chunk in invoker.stream("Stream this")]
    assert "".join(chunks) == "Echo: Stream this"
    assert actions(server)["publishers.models.streamGenerateContent"] == 1
    assert server.requests[-1].path.startswith(
        "/v1beta1/projects/test-project/locations/us-central1/publishers/google/models/"
    )


async def test_the_staging_bucket_name_is_used_verbatim(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server, gcs_staging_uri=f"gs://{BUCKET}")
    await invoker.batch.invoke({"a": "Top level"}, polling=NO_WAIT)
    assert all(uri.startswith(f"gs://{BUCKET}/") for uri in server.cloud.objects(BUCKET))
    assert staged_inputs(server) == []
