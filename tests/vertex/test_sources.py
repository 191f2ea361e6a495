"""Jobs on the caller's own data (`create_from_source`): BigQuery and Cloud Storage in and out."""

from __future__ import annotations

import importlib.util
import json

import pytest

from langchain_gemini_batch import (
    BatchStatus,
    GoogleLMInvoker,
    InvalidRequestError,
    LMOutput,
    RequestFailedError,
)
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.vertex.support import BUCKET, NO_WAIT, actions, vertex_invoker

pytestmark = pytest.mark.emulator

BQ_SOURCE = "bq://test-project.batch_data.requests"
BQ_DESTINATION = "bq://test-project.batch_data.responses"


async def test_bigquery_to_bigquery_job_is_created_watched_and_cancelled() -> None:
    with EmulatorServer(job_seconds=30, deterministic=True) as server:
        invoker = vertex_invoker(server, gcs_staging_uri=None)  # no staging needed
        batch_id = await invoker.batch.create_from_source(
            BQ_SOURCE, BQ_DESTINATION, display_name="bq-job"
        )
        jobs = await invoker.batch.list()
        assert [job["id"] for job in jobs] == [batch_id]
        assert jobs[0]["display_name"].startswith("bq-job [lgb-")
        assert await invoker.batch.status(batch_id) is BatchStatus.IN_PROGRESS
        await invoker.batch.cancel(batch_id)
        status = await invoker.batch.wait(batch_id, polling=NO_WAIT)
        again = await invoker.batch.create_from_source(BQ_SOURCE, BQ_DESTINATION)
        counts = actions(server)
        created = next(r for r in server.requests if r.action == "batchPredictionJobs.create")
    assert status is BatchStatus.CANCELLED
    assert counts["batchPredictionJobs.create"] == 2  # a cancelled job is not reattached to
    assert counts["batchPredictionJobs.cancel"] == 1
    assert again != batch_id
    assert created.body["inputConfig"] == {
        "instancesFormat": "bigquery",
        "bigquerySource": {"inputUri": BQ_SOURCE},
    }
    assert created.body["outputConfig"] == {
        "predictionsFormat": "bigquery",
        "bigqueryDestination": {"outputUri": BQ_DESTINATION},
    }
    assert not any(action.startswith("storage.") for action in counts)


async def test_a_rerun_of_the_same_source_reattaches() -> None:
    with EmulatorServer(job_seconds=30, deterministic=True) as server:
        first = await vertex_invoker(server).batch.create_from_source(BQ_SOURCE, BQ_DESTINATION)
        second = await vertex_invoker(server).batch.create_from_source(BQ_SOURCE, BQ_DESTINATION)
        other = await vertex_invoker(server).batch.create_from_source(
            BQ_SOURCE, "bq://test-project.batch_data.other"
        )
        counts = actions(server)
    assert first == second != other
    assert counts["batchPredictionJobs.create"] == 2


@pytest.mark.skipif(
    importlib.util.find_spec("google.cloud.bigquery") is not None,
    reason="google-cloud-bigquery is installed: the emulator serves no BigQuery to read from",
)
async def test_retrieving_a_bigquery_destination_needs_the_bigquery_extra() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True) as server:
        invoker = vertex_invoker(server)
        batch_id = await invoker.batch.create_from_source(BQ_SOURCE, BQ_DESTINATION)
        assert await invoker.batch.wait(batch_id, polling=NO_WAIT) is BatchStatus.FINISHED
        with pytest.raises(ImportError, match=r"langchain-gemini-batch\[bigquery\]"):
            await invoker.batch.retrieve(batch_id)
        counts = actions(server)
    assert counts["batchPredictionJobs.create"] == 1
    assert not any(action.startswith("storage.") for action in counts)


async def test_a_cloud_storage_source_is_read_back_by_key() -> None:
    lines = [
        {"key": "alpha", "request": {"contents": [{"role": "user", "parts": [{"text": "A"}]}]}},
        {"key": "beta", "request": {"contents": [{"role": "user", "parts": [{"text": "B"}]}]}},
        {"key": "gamma", "request": {"contents": [{"role": "bad", "parts": [{"text": "C"}]}]}},
    ]
    with EmulatorServer(job_seconds=0, deterministic=True, shuffle_results=True) as server:
        server.cloud.create_bucket(BUCKET)
        source = f"gs://{BUCKET}/mine/input.jsonl"
        server.cloud.write(source, "".join(json.dumps(line) + "\n" for line in lines).encode())
        invoker = vertex_invoker(server)
        batch_id = await invoker.batch.create_from_source(source, f"gs://{BUCKET}/mine/out")
        await invoker.batch.wait(batch_id, polling=NO_WAIT)
        results = await invoker.batch.retrieve(batch_id)
        objects = server.cloud.objects(BUCKET)
        counts = actions(server)
    assert source in objects  # the caller's input is never deleted
    assert counts["storage.objects.delete"] == 0
    alpha, beta, gamma = results["alpha"], results["beta"], results["gamma"]
    assert isinstance(alpha, LMOutput)
    assert alpha.text == "Echo: A"
    assert isinstance(beta, LMOutput)
    assert beta.text == "Echo: B"
    assert isinstance(gamma, RequestFailedError)
    assert gamma.status == "INVALID_ARGUMENT"
    assert gamma.code == 3
    assert "valid role" in gamma.error_message


async def test_bad_uris_and_the_gemini_api_are_refused_before_sending() -> None:
    with EmulatorServer(job_seconds=0, deterministic=True) as server:
        invoker = vertex_invoker(server)
        with pytest.raises(InvalidRequestError, match="source must be"):
            await invoker.batch.create_from_source("bq://only.two", BQ_DESTINATION)
        with pytest.raises(InvalidRequestError, match="destination must be"):
            await invoker.batch.create_from_source(BQ_SOURCE, "s3://elsewhere")
        gemini = GoogleLMInvoker("gemini-2.5-flash", api_key="k", base_url=server.base_url)
        with pytest.raises(InvalidRequestError, match="need Vertex AI"):
            await gemini.batch.create_from_source(BQ_SOURCE, BQ_DESTINATION)
        assert server.requests == []
