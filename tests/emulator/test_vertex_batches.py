"""Vertex AI batch prediction jobs through google-genai's public `client.batches` API."""

from __future__ import annotations

import json
import re

import pytest
from google import genai
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import EmulatorCredentials, vertex_client
from tests.emulator.vertex_support import (
    BUCKET,
    INPUT_URI,
    LOCATION,
    MODEL,
    PROJECT,
    clean_env,
    read_predictions,
    seed_input,
)

pytestmark = pytest.mark.emulator

JobState = types.JobState
JOB_NAME = re.compile(rf"projects/\d{{12}}/locations/{LOCATION}/batchPredictionJobs/\d{{19}}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    """Deterministic: +1 s per request; jobs PENDING 10 s, RUNNING 20 s, then ended."""
    with EmulatorServer(job_seconds=30, deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> genai.Client:
    return vertex_client(server.base_url, project=PROJECT, location=LOCATION)


def _create(client: genai.Client, display_name: str | None = None) -> types.BatchJob:
    return client.batches.create(
        model=MODEL,
        src=INPUT_URI,
        config=types.CreateBatchJobConfig(dest=f"gs://{BUCKET}/out", display_name=display_name),
    )


def _poll(client: genai.Client, name: str, until: set[JobState]) -> list[JobState]:
    states = []
    for _ in range(100):
        job = client.batches.get(name=name)
        assert job.state is not None
        states.append(job.state)
        if job.state in until:
            return states
    raise AssertionError(f"never reached {until}: {states[-3:]}")


ENDED = {
    JobState.JOB_STATE_SUCCEEDED,
    JobState.JOB_STATE_FAILED,
    JobState.JOB_STATE_CANCELLED,
    JobState.JOB_STATE_EXPIRED,
    JobState.JOB_STATE_PARTIALLY_SUCCEEDED,
}


def test_create_answers_a_pending_job_in_vertex_shape(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 3)
    job = _create(client, display_name="nightly")
    assert job.name is not None
    assert JOB_NAME.fullmatch(job.name)
    assert job.state == JobState.JOB_STATE_PENDING
    assert job.done is False
    assert job.display_name == "nightly"
    assert job.model == f"publishers/google/models/{MODEL}"
    assert job.src is not None
    assert job.src.format == "jsonl"
    assert job.src.gcs_uri == [INPUT_URI]
    assert job.dest is not None
    assert (job.dest.format, job.dest.gcs_uri) == ("jsonl", f"gs://{BUCKET}/out")
    assert job.completion_stats is None
    assert job.output_info is None
    assert server.count("batchPredictionJobs.create", status=200) == 1
    assert server.cloud.job_names() == [job.name]
    body = server.requests[-1].body
    assert body["inputConfig"] == {"instancesFormat": "jsonl", "gcsSource": {"uris": [INPUT_URI]}}
    assert body["outputConfig"]["gcsDestination"] == {"outputUriPrefix": f"gs://{BUCKET}/out"}


def test_job_runs_pending_running_succeeded_and_writes_predictions(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 4)
    job = _create(client)
    assert job.name is not None
    states = _poll(client, job.name, ENDED)
    assert states[0] == JobState.JOB_STATE_PENDING
    assert JobState.JOB_STATE_RUNNING in states
    assert states[-1] == JobState.JOB_STATE_SUCCEEDED
    assert states.index(JobState.JOB_STATE_RUNNING) > states.count(JobState.JOB_STATE_PENDING) - 1
    done = client.batches.get(name=job.name)
    assert done.done is True
    assert done.completion_stats is not None
    assert done.completion_stats.successful_count == 4
    assert done.completion_stats.failed_count is None  # zero counters are omitted
    assert done.create_time is not None
    assert done.start_time is not None
    assert done.end_time is not None
    assert done.update_time == done.end_time
    assert done.create_time < done.start_time < done.end_time
    assert done.output_info is not None
    directory = done.output_info.gcs_output_directory
    assert directory is not None
    stamp = directory.removeprefix(f"gs://{BUCKET}/out/prediction-model-")
    assert TIMESTAMP.fullmatch(stamp)
    assert server.cloud.objects(BUCKET) == [INPUT_URI, f"{directory}/predictions.jsonl"]
    assert len(read_predictions(server, directory)) == 4


def test_running_job_shows_progress(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 20)
    job = _create(client)
    assert job.name is not None
    _poll(client, job.name, {JobState.JOB_STATE_RUNNING})
    counts = []
    while (latest := client.batches.get(name=job.name)).state == JobState.JOB_STATE_RUNNING:
        assert latest.output_info is not None
        assert latest.output_info.gcs_output_directory
        assert latest.completion_stats is not None
        counts.append(latest.completion_stats.successful_count or 0)
    assert counts == sorted(counts)
    assert 0 < counts[-1] < 20
    assert latest.completion_stats is not None
    assert latest.completion_stats.successful_count == 20


def test_raw_resource_fields(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 2)
    job = _create(client, display_name="raw")
    assert job.name is not None
    _poll(client, job.name, ENDED)
    job_id = job.name.rsplit("/", 1)[1]
    response = client._api_client.request("get", f"batchPredictionJobs/{job_id}", {})
    resource = json.loads(response.body or "{}")
    assert list(resource)[:6] == [
        "name", "displayName", "model", "inputConfig", "outputConfig", "state",
    ]  # fmt: skip
    assert resource["completionStats"] == {"successfulCount": "2"}
    for key in ("createTime", "startTime", "endTime", "updateTime"):
        assert TIMESTAMP.fullmatch(resource[key])
    assert "error" not in resource


def test_list_pages_newest_first_and_filters(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 1)
    names = [_create(client, display_name=f"job-{i}").name for i in range(5)]
    pager = client.batches.list(config={"page_size": 2})
    listed = [job.name for job in pager]
    assert listed == list(reversed(names))
    assert server.count("batchPredictionJobs.list") == 3
    assert [r.query.get("pageSize") for r in server.requests[-3:]] == ["2", "2", "2"]
    by_name = list(client.batches.list(config={"filter": 'display_name="job-3"'}))
    assert [job.name for job in by_name] == [names[3]]
    pending = list(client.batches.list(config={"filter": "state=JOB_STATE_PENDING"}))
    assert len(pending) == 5
    assert list(client.batches.list(config={"filter": "state=JOB_STATE_SUCCEEDED"})) == []
    with pytest.raises(errors.ClientError) as raised:
        list(client.batches.list(config={"filter": "create_time>1"}))
    assert raised.value.code == 400


def test_jobs_are_scoped_by_project_and_location(server: EmulatorServer) -> None:
    seed_input(server, 1)
    here = vertex_client(server.base_url, project=PROJECT, location=LOCATION)
    there = vertex_client(server.base_url, project="other-project", location=LOCATION)
    job = _create(here)
    assert job.name is not None
    assert list(there.batches.list()) == []
    with pytest.raises(errors.ClientError) as raised:
        there.batches.get(name=job.name)
    assert raised.value.code == 404
    number = job.name.split("/")[1]
    by_number = vertex_client(server.base_url, project=number, location=LOCATION)
    assert by_number.batches.get(name=job.name).name == job.name


def test_cancel_running_job_keeps_completed_rows(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 20)
    job = _create(client)
    assert job.name is not None
    _poll(client, job.name, {JobState.JOB_STATE_RUNNING})
    client.batches.get(name=job.name)
    client.batches.get(name=job.name)
    client.batches.cancel(name=job.name)
    states = _poll(client, job.name, ENDED)
    assert states[0] == JobState.JOB_STATE_CANCELLING
    assert states[-1] == JobState.JOB_STATE_CANCELLED
    cancelled = client.batches.get(name=job.name)
    assert cancelled.done is True
    assert cancelled.error is not None
    assert (cancelled.error.code, cancelled.error.message) == (1, "CANCELED")
    assert cancelled.completion_stats is None
    assert cancelled.output_info is not None
    directory = cancelled.output_info.gcs_output_directory
    kept = read_predictions(server, str(directory))
    assert 0 < len(kept) < 20
    assert server.count("batchPredictionJobs.cancel", status=200) == 1


def test_cancel_pending_job_writes_nothing(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 3)
    job = _create(client)
    assert job.name is not None
    client.batches.cancel(name=job.name)
    client.batches.cancel(name=job.name)  # asking twice is harmless while CANCELLING
    _poll(client, job.name, ENDED)
    assert server.cloud.objects(BUCKET) == [INPUT_URI]


def test_cancel_or_delete_at_the_wrong_time_is_a_failed_precondition(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 1)
    job = _create(client)
    assert job.name is not None
    with pytest.raises(errors.ClientError) as running:
        client.batches.delete(name=job.name)
    assert (running.value.code, running.value.status) == (400, "FAILED_PRECONDITION")
    _poll(client, job.name, ENDED)
    with pytest.raises(errors.ClientError) as ended:
        client.batches.cancel(name=job.name)
    assert (ended.value.code, ended.value.status) == (400, "FAILED_PRECONDITION")
    deleted = client.batches.delete(name=job.name)
    assert deleted.done is True
    assert deleted.name is not None
    assert "/operations/" in deleted.name
    with pytest.raises(errors.ClientError) as gone:
        client.batches.get(name=job.name)
    assert gone.value.code == 404
    assert server.cloud.job_names() == []
    assert server.count("batchPredictionJobs.delete", status=200) == 1


def test_unknown_model_gets_vertex_404(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 1)
    with pytest.raises(errors.ClientError) as raised:
        client.batches.create(model="not-a-model", src=INPUT_URI)
    assert raised.value.code == 404
    assert raised.value.message == "The PublisherModel not-a-model does not exist."
    assert server.cloud.job_names() == []


def test_sources_vertex_refuses_never_reach_the_emulator(
    server: EmulatorServer, client: genai.Client
) -> None:
    inline = [types.InlinedRequest(contents="hi")]
    with pytest.raises(ValueError, match="not supported"):
        client.batches.create(model=MODEL, src=inline)
    with pytest.raises(ValueError, match="not supported"):
        client.batches.create(model=MODEL, src="files/abc")
    assert server.requests == []


def test_inline_requests_in_a_raw_body_are_refused(
    server: EmulatorServer, client: genai.Client
) -> None:
    body: dict[str, object] = {
        "displayName": "x",
        "model": f"publishers/google/models/{MODEL}",
        "inputConfig": {"requests": {"requests": [{"request": {"contents": []}}]}},
        "outputConfig": {"predictionsFormat": "jsonl"},
    }
    with pytest.raises(errors.ClientError) as raised:
        client._api_client.request("post", "batchPredictionJobs", body)
    assert raised.value.code == 400
    assert 'Unknown name "requests"' in str(raised.value.message)
    assert server.cloud.job_names() == []


def test_source_without_jsonl_suffix_gets_no_destination_and_is_refused(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 1, uri=f"gs://{BUCKET}/in/input.json")
    with pytest.raises(errors.ClientError) as raised:
        client.batches.create(model=MODEL, src=f"gs://{BUCKET}/in/input.json")
    assert raised.value.code == 400
    assert "output_config" in str(raised.value.message)


def test_default_destination_is_next_to_the_input(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 1)
    job = client.batches.create(model=MODEL, src=INPUT_URI)
    assert job.dest is not None
    assert job.dest.gcs_uri == f"gs://{BUCKET}/in/input/dest"
    assert job.name is not None
    _poll(client, job.name, ENDED)
    written = [u for u in server.cloud.objects() if u.endswith("predictions.jsonl")]
    assert len(written) == 1
    assert written[0].startswith(f"gs://{BUCKET}/in/input/dest/prediction-model-")


def test_injected_429_on_create_then_sdk_retry_succeeds(server: EmulatorServer) -> None:
    seed_input(server, 1)
    server.inject_errors(429, action="batchPredictionJobs.create")
    retrying = genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=EmulatorCredentials(),
        http_options=types.HttpOptions(
            base_url=server.base_url,
            retry_options=types.HttpRetryOptions(attempts=3, initial_delay=0.01, jitter=0),
        ),
    )
    plain = vertex_client(server.base_url, project=PROJECT, location=LOCATION)
    job = _create(retrying)
    assert job.state == JobState.JOB_STATE_PENDING
    assert server.count("batchPredictionJobs.create", status=429) == 1
    assert server.count("batchPredictionJobs.create", status=200) == 1
    server.inject_errors(429, action="batchPredictionJobs.list")
    with pytest.raises(errors.ClientError) as quota:
        list(plain.batches.list())
    assert quota.value.details == {
        "error": {
            "code": 429,
            "message": "Resource exhausted. Please try again later. Please refer to "
            "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more "
            "details.",
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    server.inject_errors(503, action="batchPredictionJobs.get")
    assert job.name is not None
    with pytest.raises(errors.ServerError) as raised:
        plain.batches.get(name=job.name)
    assert raised.value.code == 503
    assert plain.batches.get(name=job.name).name == job.name
    assert server.cloud.job_names() == [job.name]
