"""A whole Vertex AI batch round trip using only the official clients' public APIs."""

from __future__ import annotations

import json
import time

import pytest
from google.genai import types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import storage_client, vertex_client
from tests.emulator.vertex_support import LOCATION, MODEL, PROJECT, clean_env, jsonl, request_line

pytestmark = pytest.mark.emulator

ENDED = {
    types.JobState.JOB_STATE_SUCCEEDED,
    types.JobState.JOB_STATE_FAILED,
    types.JobState.JOB_STATE_CANCELLED,
    types.JobState.JOB_STATE_EXPIRED,
    types.JobState.JOB_STATE_PARTIALLY_SUCCEEDED,
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


def test_round_trip_with_wall_clock_jobs() -> None:
    with EmulatorServer(job_seconds=0.6, shuffle_results=True, fail_keys=["r-3"]) as server:
        gcs = storage_client(server.base_url, project=PROJECT)
        genai_client = vertex_client(server.base_url, project=PROJECT, location=LOCATION)
        bucket = gcs.create_bucket("round-trip")
        inputs = [request_line(f"r-{i}", f"question {i}") for i in range(8)]
        bucket.blob("batch-1/input.jsonl").upload_from_string(jsonl(inputs))

        job = genai_client.batches.create(
            model=MODEL,
            src="gs://round-trip/batch-1/input.jsonl",
            config={"dest": "gs://round-trip/batch-1/output", "display_name": "round-trip"},
        )
        assert job.name is not None
        assert [j.name for j in genai_client.batches.list()] == [job.name]
        deadline = time.monotonic() + 30
        while (latest := genai_client.batches.get(name=job.name)).state not in ENDED:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert latest.state == types.JobState.JOB_STATE_SUCCEEDED
        assert latest.output_info is not None
        directory = str(latest.output_info.gcs_output_directory)
        prefix = directory.removeprefix("gs://round-trip/") + "/"

        blobs = list(gcs.list_blobs("round-trip", prefix=prefix))
        assert [b.name for b in blobs] == [prefix + "predictions.jsonl"]
        rows = [json.loads(line) for line in blobs[0].download_as_text().splitlines()]
        by_key = {row["key"]: row for row in rows}
        assert sorted(by_key) == sorted(line["key"] for line in inputs)
        assert "response" not in by_key["r-3"]
        assert by_key["r-3"]["status"]
        for i in (0, 1, 2, 4, 5, 6, 7):
            response = types.GenerateContentResponse._from_response(
                response=by_key[f"r-{i}"]["response"], kwargs={}
            )
            assert response.text == f"Echo: question {i}"

        for blob in gcs.list_blobs("round-trip"):
            blob.delete()
        genai_client.batches.delete(name=job.name)
        assert server.cloud.objects() == []
        assert server.cloud.job_names() == []

    actions = [r.action for r in server.requests]
    assert actions.count("storage.objects.insert") == 1
    assert actions.count("storage.objects.delete") == 2
    assert actions.count("storage.objects.download") == 1
    assert actions.count("batchPredictionJobs.create") == 1
    assert actions.count("batchPredictionJobs.delete") == 1
    assert all(r.status in (200, 204) for r in server.requests)
