"""How Vertex AI jobs end: outcomes, unreadable input, BigQuery jobs."""

from __future__ import annotations

import pytest
from google import genai
from google.genai import types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import vertex_client
from tests.emulator.vertex_support import (
    BUCKET,
    INPUT_URI,
    LOCATION,
    MODEL,
    PROJECT,
    clean_env,
    jsonl,
    read_predictions,
    request_line,
    seed_input,
)

pytestmark = pytest.mark.emulator

JobState = types.JobState
ENDED = {
    JobState.JOB_STATE_SUCCEEDED,
    JobState.JOB_STATE_FAILED,
    JobState.JOB_STATE_CANCELLED,
    JobState.JOB_STATE_EXPIRED,
    JobState.JOB_STATE_PARTIALLY_SUCCEEDED,
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    with EmulatorServer(job_seconds=30, deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> genai.Client:
    return vertex_client(server.base_url, project=PROJECT, location=LOCATION)


def _run(
    client: genai.Client, src: str = INPUT_URI, dest: str = f"gs://{BUCKET}/out"
) -> types.BatchJob:
    job = client.batches.create(model=MODEL, src=src, config={"dest": dest})
    assert job.name is not None
    for _ in range(100):
        latest = client.batches.get(name=job.name)
        if latest.state in ENDED:
            return latest
    raise AssertionError("the job never ended")


def test_partially_succeeded_is_not_done_for_the_sdk(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 3)
    server.options.job_outcome = "partially_succeeded"
    job = _run(client)
    assert job.state == JobState.JOB_STATE_PARTIALLY_SUCCEEDED
    assert job.done is False  # google-genai's JOB_STATES_ENDED leaves it out
    assert job.output_info is not None
    assert len(read_predictions(server, str(job.output_info.gcs_output_directory))) == 3


def test_failed_rows_still_end_succeeded_by_default(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 4)
    server.options.fail_keys = frozenset({"r-1", "r-2"})
    job = _run(client)
    assert job.state == JobState.JOB_STATE_SUCCEEDED
    assert job.completion_stats is not None
    assert (job.completion_stats.successful_count, job.completion_stats.failed_count) == (2, 2)


def test_failed_outcome_fails_halfway_with_partial_output(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 20)
    server.options.job_outcome = "failed"
    job = _run(client)
    assert job.state == JobState.JOB_STATE_FAILED
    assert job.done is True
    assert job.error is not None
    assert job.error.code == 13
    assert job.completion_stats is not None
    done = job.completion_stats.successful_count or 0
    assert 0 < done < 20
    assert job.completion_stats.incomplete_count == 20 - done
    assert job.output_info is not None
    assert len(read_predictions(server, str(job.output_info.gcs_output_directory))) == done


def test_cancelled_outcome_ends_cancelled_halfway(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 20)
    server.options.job_outcome = "cancelled"
    job = _run(client)
    assert job.state == JobState.JOB_STATE_CANCELLED
    assert job.error is not None
    assert (job.error.code, job.error.message) == (1, "CANCELED")


def test_expired_job_never_runs(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 3)
    server.options.job_outcome = "expired"
    job = _run(client)
    assert job.state == JobState.JOB_STATE_EXPIRED
    assert job.start_time is None
    assert job.output_info is None
    assert job.completion_stats is None
    assert server.cloud.objects(BUCKET) == [INPUT_URI]


def test_missing_bucket_fails_the_job_with_code_9(
    server: EmulatorServer, client: genai.Client
) -> None:
    job = _run(client, src="gs://no-such-bucket/in.jsonl")
    assert job.state == JobState.JOB_STATE_FAILED
    assert job.error is not None
    assert job.error.code == 9
    assert "no-such-bucket" in str(job.error.message)
    seed_input(server, 1)
    job = _run(client, dest="gs://missing-output/out")
    assert job.error is not None
    assert job.error.code == 9
    assert "missing-output" in str(job.error.message)


def test_missing_input_object_fails_the_job_with_code_3(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.cloud.create_bucket(BUCKET)
    job = _run(client)
    assert job.state == JobState.JOB_STATE_FAILED
    assert job.error is not None
    assert job.error.code == 3
    assert str(job.error.message).startswith("Failed to import data.")


@pytest.mark.parametrize(
    "bad_line",
    [
        jsonl([request_line("a", "x", generationConfig={})]),
        jsonl([request_line("a", "x", tools=[{"googleSearch": {}}])]),
        jsonl(
            [request_line("a", "x", generationConfig={"responseJsonSchema": {"$defs": {"a": 1}}})]
        ),
        jsonl([{"key": 7, "request": {"contents": [{"parts": [{"text": "x"}]}]}}]),
        b"not json\n",
    ],
    ids=["empty-struct", "empty-tool", "dollar-key", "type-change", "invalid-json"],
)
def test_input_bigquery_cannot_import_fails_the_whole_job(
    server: EmulatorServer, client: genai.Client, bad_line: bytes
) -> None:
    server.cloud.create_bucket(BUCKET)
    server.cloud.write(INPUT_URI, jsonl([request_line("b", "fine")]) + bad_line)
    job = _run(client)
    assert job.state == JobState.JOB_STATE_FAILED
    assert job.error is not None
    assert job.error.code == 3
    assert not [u for u in server.cloud.objects() if u.endswith("predictions.jsonl")]


def test_several_input_uris_and_wildcards_are_read(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.cloud.create_bucket(BUCKET)
    server.cloud.write(f"gs://{BUCKET}/in/a.jsonl", jsonl([request_line("a", "one")]))
    server.cloud.write(f"gs://{BUCKET}/in/b.jsonl", jsonl([request_line("b", "two")]))
    job = client.batches.create(
        model=MODEL,
        src={
            "gcs_uri": [f"gs://{BUCKET}/in/a.jsonl", f"gs://{BUCKET}/in/b.jsonl"],
            "format": "jsonl",
        },
        config={"dest": f"gs://{BUCKET}/out"},
    )
    assert job.name is not None
    star = _run(client, src=f"gs://{BUCKET}/in/*.jsonl")
    first = _run_existing(client, job.name)
    for ended in (first, star):
        assert ended.completion_stats is not None
        assert ended.completion_stats.successful_count == 2


def _run_existing(client: genai.Client, name: str) -> types.BatchJob:
    for _ in range(100):
        latest = client.batches.get(name=name)
        if latest.state in ENDED:
            return latest
    raise AssertionError("the job never ended")


def test_bigquery_job_is_recorded_runs_and_writes_nothing(
    server: EmulatorServer, client: genai.Client
) -> None:
    job = client.batches.create(
        model=MODEL, src="bq://proj.dataset.requests", config={"dest": "bq://proj.dataset.results"}
    )
    assert job.src is not None
    assert job.src.bigquery_uri == "bq://proj.dataset.requests"
    assert job.src.format == "bigquery"
    assert job.dest is not None
    assert job.dest.bigquery_uri == "bq://proj.dataset.results"
    assert job.name is not None
    assert [j.name for j in client.batches.list()] == [job.name]
    ended = _run_existing(client, job.name)
    assert ended.state == JobState.JOB_STATE_SUCCEEDED
    assert ended.output_info is not None
    assert ended.output_info.bigquery_output_table == "results"
    assert ended.completion_stats is None
    assert server.cloud.objects() == []
    other = client.batches.create(model=MODEL, src="bq://proj.dataset.requests")
    assert other.dest is not None
    assert str(other.dest.bigquery_uri).startswith("bq://proj.dataset.requests_dest_")
    assert other.name is not None
    client.batches.cancel(name=other.name)
    assert _run_existing(client, other.name).state == JobState.JOB_STATE_CANCELLED
