"""The raw JSON the SDK hides: the Operation envelope, counters, `@type`s and timestamps."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, inline_requests, jsonl, make_client, raw_get

pytestmark = pytest.mark.emulator

BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")


def _stats(body: dict[str, Any]) -> dict[str, str]:
    return body["metadata"]["batchStats"]  # type: ignore[no-any-return]


def test_operation_moves_from_pending_to_succeeded_with_googles_shapes() -> None:
    # Virtual clock: +1 s per request. Created at 00:00:01, RUNNING from 00:00:03, ends 00:00:07.
    with (
        EmulatorServer(job_seconds=6, deterministic=True, fail_keys=["r1"]) as server,
        make_client(server) as client,
    ):
        job = client.batches.create(
            model=MODEL, src=inline_requests(4), config={"display_name": "shapes"}
        )
        assert job.name is not None
        bodies = [raw_get(client, job.name) for _ in range(6)]
    pending, first_running, *running, succeeded = bodies

    for body in bodies:
        meta = body["metadata"]
        assert body["name"] == meta["name"] == job.name
        assert meta["@type"] == BATCH_TYPE
        assert meta["model"] == f"models/{MODEL}"
        assert meta["displayName"] == "shapes"
        assert "inputConfig" not in meta  # echoed for file jobs only
        assert meta["createTime"] == "2026-01-01T00:00:01.000000000Z"
        for key in ("createTime", "updateTime", "endTime"):
            assert key not in meta or TIMESTAMP.fullmatch(meta[key])
        assert all(isinstance(v, str) and v != "0" for v in _stats(body).values())

    assert pending["metadata"]["state"] == "BATCH_STATE_PENDING"
    assert "done" not in pending
    assert "response" not in pending
    assert "error" not in pending
    assert "output" not in pending["metadata"]
    assert "endTime" not in pending["metadata"]
    assert _stats(pending) == {"requestCount": "4", "pendingRequestCount": "4"}

    assert first_running["metadata"]["state"] == "BATCH_STATE_RUNNING"
    assert "done" not in first_running
    assert first_running["metadata"]["updateTime"] == "2026-01-01T00:00:03.000000000Z"
    assert _stats(first_running) == {"requestCount": "4", "pendingRequestCount": "4"}
    assert [_stats(b) for b in running] == [
        {"requestCount": "4", "successfulRequestCount": "1", "pendingRequestCount": "3"},
        {
            "requestCount": "4",
            "successfulRequestCount": "1",
            "failedRequestCount": "1",
            "pendingRequestCount": "2",
        },
        {
            "requestCount": "4",
            "successfulRequestCount": "2",
            "failedRequestCount": "1",
            "pendingRequestCount": "1",
        },
    ]
    assert all("done" not in b for b in running)

    meta = succeeded["metadata"]
    assert succeeded["done"] is True
    assert meta["state"] == "BATCH_STATE_SUCCEEDED"
    assert meta["endTime"] == meta["updateTime"] == "2026-01-01T00:00:07.000000000Z"
    assert _stats(succeeded) == {
        "requestCount": "4",
        "successfulRequestCount": "3",
        "failedRequestCount": "1",
    }
    assert succeeded["response"] == {"@type": OUTPUT_TYPE, **meta["output"]}
    assert list(succeeded) == ["name", "metadata", "done", "response"]
    items = meta["output"]["inlinedResponses"]["inlinedResponses"]
    assert [item["metadata"] for item in items] == [{"key": f"r{i}"} for i in range(4)]
    assert items[1] == {
        "error": {"code": 13, "message": "Internal error encountered."},
        "metadata": {"key": "r1"},
    }
    response = items[0]["response"]
    assert set(response) == {"candidates", "usageMetadata", "modelVersion", "responseId"}
    assert response["candidates"][0]["content"] == {
        "parts": [{"text": "Echo: question 0"}],
        "role": "model",
    }
    assert response["usageMetadata"]["totalTokenCount"] == (
        response["usageMetadata"]["promptTokenCount"]
        + response["usageMetadata"]["candidatesTokenCount"]
    )


def test_file_job_echoes_input_config_and_points_at_results_file() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True) as server, make_client(server) as client:
        data = jsonl([{"key": "a", "request": {"contents": [{"parts": [{"text": "x"}]}]}}])
        uploaded = client.files.upload(file=io.BytesIO(data), config={"mime_type": "jsonl"})
        assert uploaded.name is not None
        job = client.batches.create(model=MODEL, src=uploaded.name)
        assert job.name is not None
        body = raw_get(client, job.name)
    batch_id = job.name.removeprefix("batches/")
    assert body["metadata"]["inputConfig"] == {"fileName": uploaded.name}
    assert body["metadata"]["output"] == {"responsesFile": f"files/batch-{batch_id}"}
    assert body["response"] == {"@type": OUTPUT_TYPE, "responsesFile": f"files/batch-{batch_id}"}
    assert _stats(body) == {"requestCount": "1", "successfulRequestCount": "1"}


def test_http_error_body_has_googles_shape() -> None:
    with EmulatorServer() as server, make_client(server) as client:
        server.inject_errors(429)
        with pytest.raises(errors.ClientError) as caught:
            client.models.generate_content(model=MODEL, contents="hi")
    error = caught.value.details["error"]
    assert error["code"] == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    types_seen = [d["@type"] for d in error["details"]]
    assert types_seen == [
        "type.googleapis.com/google.rpc.Help",
        "type.googleapis.com/google.rpc.QuotaFailure",
        "type.googleapis.com/google.rpc.RetryInfo",
    ]
    assert error["details"][2]["retryDelay"] == "1s"
    assert error["details"][1]["violations"][0]["quotaId"]


def test_sdk_reads_the_job_back(server: EmulatorServer) -> None:
    with make_client(server) as client:
        job = client.batches.create(model=MODEL, src=inline_requests(1))
        assert job.name is not None
        finished = client.batches.get(name=job.name)
    assert isinstance(finished, types.BatchJob)
    assert finished.create_time is not None
    assert finished.create_time.year == 2026
