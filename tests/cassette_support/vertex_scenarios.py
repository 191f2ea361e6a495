"""Cassette scenarios of the Vertex AI paths: google-genai (`vertexai=True`) for the jobs and
google-cloud-storage for staging and results, both recorded (httpx and requests)."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.genai import types

from langchain_gemini_batch import (
    BatchJobError,
    BatchStatus,
    GoogleLMInvoker,
    LMOutput,
    RequestFailedError,
)
from tests.cassette_support.scenarios import MODEL, Context, Run, Scenario

PROJECT = "cassette-project"
LOCATION = "us-central1"
BUCKET = "cassette-bucket"
STAGING = f"gs://{BUCKET}/batches"
_QUIET_GCS = "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA"


def vertex_invoker(ctx: Context, **kwargs: Any) -> GoogleLMInvoker:
    """An invoker on Vertex AI at the context's base URL (Cloud Storage there too)."""
    retry = types.HttpRetryOptions(initial_delay=0.01, max_delay=0.02, jitter=0)
    return GoogleLMInvoker(
        MODEL,
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        base_url=ctx.base_url,
        storage_base_url=ctx.base_url,
        gcs_staging_uri=STAGING,
        http_options=types.HttpOptions(retry_options=retry),
        **kwargs,
    )


@contextlib.contextmanager
def _quiet_gcs() -> Iterator[None]:
    """No background bucket-metadata GET from google-cloud-storage 3.17 (it is racy)."""
    before = os.environ.get(_QUIET_GCS)
    os.environ[_QUIET_GCS] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_QUIET_GCS, None)
        else:
            os.environ[_QUIET_GCS] = before


def _vertex(run: Run) -> Run:
    @functools.wraps(run)
    async def wrapped(ctx: Context) -> None:
        with _quiet_gcs():
            await run(ctx)

    return wrapped


def _bucket(server: Any) -> None:
    server.cloud.create_bucket(BUCKET)


@_vertex
async def lifecycle(ctx: Context) -> None:
    invoker = vertex_invoker(ctx)
    prompts = {"000123": "Zero-padded id", "42": "Integer-looking id", "q-a": "Plain id"}
    batch_id = await invoker.batch.create(prompts, display_name="cassette-vertex")
    assert batch_id.startswith("projects/")
    status = await invoker.batch.status(batch_id)
    while not status.is_terminal:
        status = await invoker.batch.status(batch_id)
    assert status is BatchStatus.FINISHED
    jobs = await invoker.batch.list()
    assert batch_id in [job["id"] for job in jobs]
    results = await invoker.batch.retrieve(batch_id)
    assert set(results) == set(prompts)
    for key, prompt in prompts.items():
        ctx.expect_text(results[key], prompt)
    output = await invoker.invoke("Say hello online")
    ctx.expect_text(output, "Say hello online")


@_vertex
async def partial_success(ctx: Context) -> None:
    invoker = vertex_invoker(ctx)
    prompts = {f"row-{i}": f"Row {i}" for i in range(4)}
    results = await invoker.batch.invoke(
        prompts, polling=ctx.polling, display_name="cassette-vertex-partial"
    )
    for key in ("row-1", "row-3"):
        failure = results[key]
        assert isinstance(failure, RequestFailedError)
        assert failure.request_id == key
        assert failure.status == "INTERNAL"
    for key in ("row-0", "row-2"):
        assert isinstance(results[key], LMOutput)
        ctx.expect_text(results[key], prompts[key])


@_vertex
async def job_failed(ctx: Context) -> None:
    invoker = vertex_invoker(ctx)
    with pytest.raises(BatchJobError, match="FAILED") as caught:
        await invoker.batch.invoke(
            {"a": "Doomed request"}, polling=ctx.polling, display_name="cassette-vertex-failed"
        )
    assert caught.value.state == "JOB_STATE_FAILED"


@_vertex
async def bigquery_cancel(ctx: Context) -> None:
    invoker = vertex_invoker(ctx)
    batch_id = await invoker.batch.create_from_source(
        f"bq://{PROJECT}.batch_data.requests",
        f"bq://{PROJECT}.batch_data.responses",
        display_name="cassette-vertex-bq",
    )
    assert await invoker.batch.status(batch_id) is BatchStatus.IN_PROGRESS
    await invoker.batch.cancel(batch_id)
    status = await invoker.batch.status(batch_id)
    while status is BatchStatus.CANCELING:
        status = await invoker.batch.status(batch_id)
    assert status is BatchStatus.CANCELLED


VERTEX_SCENARIOS: list[Scenario] = [
    Scenario(
        "vertex_lifecycle",
        lifecycle,
        {"job_seconds": 3, "shuffle_results": True},
        setup=_bucket,
        note="bucket cassette-bucket created; Vertex AI and Cloud Storage on the same port",
    ),
    Scenario(
        "vertex_partial_success",
        partial_success,
        {
            "job_seconds": 0,
            "job_outcome": "partially_succeeded",
            "fail_keys": ["id:row-1", "id:row-3"],
        },
        setup=_bucket,
        note="bucket cassette-bucket created",
    ),
    Scenario(
        "vertex_job_failed",
        job_failed,
        {"job_seconds": 2, "job_outcome": "failed"},
        setup=_bucket,
        note="bucket cassette-bucket created",
    ),
    Scenario("vertex_bigquery_cancel", bigquery_cancel, {"job_seconds": 60}),
]
