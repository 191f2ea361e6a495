"""Every fault switch, through the real SDK."""

from __future__ import annotations

import io
import json
import time

import pytest
from google import genai
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import (
    MODEL,
    inline_requests,
    jsonl,
    make_client,
    raw_get,
    results_by_key,
)

pytestmark = pytest.mark.emulator


def _finished(server: EmulatorServer, count: int = 6) -> types.BatchJob:
    with make_client(server) as client:
        job = client.batches.create(model=MODEL, src=inline_requests(count))
        assert job.name is not None
        return client.batches.get(name=job.name)


def _file_lines(server: EmulatorServer, keys: list[str]) -> list[dict[str, object]]:
    lines = [{"key": k, "request": {"contents": [{"parts": [{"text": k}]}]}} for k in keys]
    with make_client(server) as client:
        uploaded = client.files.upload(file=io.BytesIO(jsonl(lines)), config={"mime_type": "jsonl"})
        assert uploaded.name is not None
        job = client.batches.create(model=MODEL, src=uploaded.name)
        assert job.name is not None
        finished = client.batches.get(name=job.name)
        assert finished.dest is not None
        assert finished.dest.file_name is not None
        data = client.files.download(file=finished.dest.file_name)
    return [json.loads(line) for line in data.decode().splitlines()]


def test_shuffle_results() -> None:
    with EmulatorServer(job_seconds=0, shuffle_results=True) as server:
        job = _finished(server, 30)
        lines = _file_lines(server, [f"k{i}" for i in range(30)])
    assert job.dest is not None
    assert job.dest.inlined_responses is not None
    keys = [item.metadata["key"] for item in job.dest.inlined_responses if item.metadata]
    assert sorted(keys) == sorted(f"r{i}" for i in range(30))
    assert keys != [f"r{i}" for i in range(30)]
    assert [line["key"] for line in lines] != [f"k{i}" for i in range(30)]
    assert sorted(str(line["key"]) for line in lines) == sorted(f"k{i}" for i in range(30))


def test_drop_metadata() -> None:
    with EmulatorServer(job_seconds=0, drop_metadata=True) as server:
        job = _finished(server, 3)
        lines = _file_lines(server, ["a", "b"])
    assert job.dest is not None
    assert job.dest.inlined_responses is not None
    assert [item.metadata for item in job.dest.inlined_responses] == [None, None, None]
    assert all(item.response is not None for item in job.dest.inlined_responses)
    assert [sorted(line) for line in lines] == [["response"], ["response"]]


def test_fail_keys_inline_and_file() -> None:
    with EmulatorServer(job_seconds=0, fail_keys={"r1", "b"}) as server:
        results = results_by_key(_finished(server, 3))
        lines = _file_lines(server, ["a", "b"])
    error = results["r1"].error
    assert error is not None
    assert error.code == 13
    assert error.details is None
    assert error.message == "Internal error encountered."
    assert results["r1"].response is None
    assert results["r0"].response is not None
    assert results["r2"].response is not None
    assert lines[1] == {"error": {"code": 13, "message": "Internal error encountered."}, "key": "b"}
    assert "response" in lines[0]


def test_fail_fraction_is_partial_and_seeded() -> None:
    picks = []
    for _ in range(2):
        with EmulatorServer(job_seconds=0, fail_fraction=0.5, seed=3) as server:
            results = results_by_key(_finished(server, 40))
        picks.append(sorted(key for key, item in results.items() if item.error is not None))
    assert 0 < len(picks[0]) < 40
    assert picks[0] == picks[1]
    with EmulatorServer(job_seconds=0, fail_fraction=1.0) as server:
        assert all(item.error for item in results_by_key(_finished(server, 4)).values())


def test_faults_may_be_switched_on_after_create() -> None:
    with EmulatorServer(job_seconds=0) as server, make_client(server) as client:
        job = client.batches.create(model=MODEL, src=inline_requests(3))
        assert job.name is not None
        server.options.fail_fraction = 1.0
        finished = client.batches.get(name=job.name)
    assert all(item.error for item in results_by_key(finished).values())


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        ("failed", types.JobState.JOB_STATE_FAILED),
        ("cancelled", types.JobState.JOB_STATE_CANCELLED),
        ("expired", types.JobState.JOB_STATE_EXPIRED),
    ],
)
def test_job_outcome(outcome: str, state: types.JobState) -> None:
    with (
        EmulatorServer(job_seconds=0, job_outcome=outcome) as server,  # type: ignore[arg-type]
        make_client(server) as client,
    ):
        job = client.batches.create(model=MODEL, src=inline_requests(2))
        assert job.name is not None
        finished = client.batches.get(name=job.name)
        body = raw_get(client, job.name)
    assert finished.state == state
    assert finished.done
    assert finished.dest is None
    assert body["done"] is True
    assert "output" not in body["metadata"]
    assert "response" not in body
    if outcome == "failed":
        assert set(body["error"]) == {"code", "message"}
    else:
        assert "error" not in body


@pytest.mark.parametrize(
    ("code", "exception"),
    [(429, errors.ClientError), (500, errors.ServerError), (503, errors.ServerError)],
)
def test_http_error_rate(code: int, exception: type[errors.APIError]) -> None:
    with (
        EmulatorServer(http_error_rate=1.0, http_error_codes=[code]) as server,
        make_client(server) as client,
        pytest.raises(exception) as caught,
    ):
        client.batches.create(model=MODEL, src=inline_requests(1))
    assert caught.value.code == code
    if code == 429:
        details = caught.value.details["error"]["details"]
        assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"} in details


def test_http_error_rate_is_seeded_and_partial() -> None:
    outcomes = []
    for _ in range(2):
        with EmulatorServer(http_error_rate=0.5, seed=7) as server, make_client(server) as client:
            run = []
            for _ in range(12):
                try:
                    client.models.generate_content(model=MODEL, contents="x")
                    run.append(200)
                except errors.APIError as error:
                    run.append(error.code)
            outcomes.append(run)
    assert outcomes[0] == outcomes[1]
    assert 200 in outcomes[0]
    assert set(outcomes[0]) - {200}


def test_injected_429_then_success_with_sdk_retry() -> None:
    with EmulatorServer(job_seconds=0) as server:
        server.inject_errors(429, action="batchGenerateContent")
        retrying = types.HttpOptions(
            base_url=server.base_url,
            api_version="v1beta",
            retry_options=types.HttpRetryOptions(attempts=3, initial_delay=0.01, jitter=0),
        )
        with genai.Client(api_key="k", http_options=retrying) as client:
            job = client.batches.create(model=MODEL, src=inline_requests(1))
        assert job.state == types.JobState.JOB_STATE_PENDING
        assert server.count("batchGenerateContent") == 2
        assert server.count("batchGenerateContent", status=429) == 1
        assert server.count("batchGenerateContent", status=200) == 1


def test_injected_errors_apply_in_order_to_the_named_action() -> None:
    with EmulatorServer(job_seconds=0) as server, make_client(server) as client:
        server.inject_errors(503, 500, action="batches.get")
        job = client.batches.create(model=MODEL, src=inline_requests(1))
        assert job.name is not None
        for expected in (503, 500):
            with pytest.raises(errors.ServerError) as caught:
                client.batches.get(name=job.name)
            assert caught.value.code == expected
        assert client.batches.get(name=job.name).done


def test_latency() -> None:
    with EmulatorServer(latency=0.2) as server, make_client(server) as client:
        started = time.perf_counter()
        client.models.generate_content(model=MODEL, contents="slow")
        assert time.perf_counter() - started >= 0.2


def test_max_running_jobs() -> None:
    with (
        EmulatorServer(job_seconds=60, max_running_jobs=1) as server,
        make_client(server) as client,
    ):
        first = client.batches.create(model=MODEL, src=inline_requests(1))
        assert first.name is not None
        with pytest.raises(errors.ClientError) as caught:
            client.batches.create(model=MODEL, src=inline_requests(1))
        assert caught.value.code == 429
        assert caught.value.status == "RESOURCE_EXHAUSTED"
        client.batches.cancel(name=first.name)
        assert client.batches.create(model=MODEL, src=inline_requests(1)).name


def test_inline_limit_bytes() -> None:
    with EmulatorServer(inline_limit_bytes=2000) as server, make_client(server) as client:
        with pytest.raises(errors.ClientError) as caught:
            client.batches.create(model=MODEL, src=inline_requests(60))
        assert caught.value.code == 400
        assert caught.value.message == "Request payload size exceeds the limit: 2000 bytes."
        assert client.batches.create(model=MODEL, src=inline_requests(1)).name
    assert EmulatorServer().options.inline_limit_bytes == 20_971_520
