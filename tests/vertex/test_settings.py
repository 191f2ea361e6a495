"""Vertex AI settings, credentials and wire parsing, with the network off."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.genai import types

from langchain_gemini_batch import BatchStatus, GoogleLMInvoker
from langchain_gemini_batch._auth import StaticTokenCredentials
from langchain_gemini_batch.batch.backends import _bigquery, _vertex_jobs
from langchain_gemini_batch.batch.backends._gcs import CloudStorage, join_uri, parse_gs_uri
from langchain_gemini_batch.batch.backends.vertex import VertexBackend

MODEL = "gemini-2.5-flash"


def test_environment_variables_choose_vertex_and_its_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    monkeypatch.setenv("GEMINI_BATCH_GCS_STAGING_URI", "gs://env-bucket/prefix")
    monkeypatch.setenv("GOOGLE_API_KEY", "ignored-on-vertex")
    invoker = GoogleLMInvoker(MODEL, credentials=AnonymousCredentials(), base_url="http://x.test")  # type: ignore[no-untyped-call]
    assert invoker.vertexai is True
    assert invoker.client.vertex_project == "env-project"
    assert invoker.client.vertex_location == "europe-west4"
    backend = invoker.batch.engine.backend
    assert isinstance(backend, VertexBackend)
    assert backend.staging_uri == "gs://env-bucket/prefix"
    assert backend.endpoint == "vertex:http://x.test/projects/env-project/locations/europe-west4"
    assert "ignored-on-vertex" not in repr(invoker)


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    invoker = GoogleLMInvoker(MODEL, vertexai=False, api_key="k")
    assert invoker.vertexai is False
    vertex = GoogleLMInvoker(MODEL, project="arg-project", location="us-east4")
    assert vertex.client.vertex_project == "arg-project"
    assert vertex.client.vertex_location == "us-east4"


def test_location_defaults_to_global_as_in_google_genai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    invoker = GoogleLMInvoker(MODEL, vertexai=True, project="p")
    assert invoker.client.vertex_location == "global"


def test_api_key_and_bad_staging_uris_are_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="express mode"):
        GoogleLMInvoker(MODEL, api_key="k", vertexai=True, project="p")
    with pytest.raises(ValueError, match="gs://"):
        GoogleLMInvoker(MODEL, vertexai=True, project="p", gcs_staging_uri="s3://bucket/x")


def test_anonymous_credentials_are_replaced_only_for_a_custom_base_url() -> None:
    emulated = GoogleLMInvoker(
        MODEL,
        vertexai=True,
        project="p",
        location="us-central1",
        base_url="http://127.0.0.1:9",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
    )
    credentials = emulated.client.sdk._api_client._credentials
    assert isinstance(credentials, StaticTokenCredentials)
    assert not credentials.expired
    credentials.refresh(None)  # never fails, keeps the token
    assert credentials.token
    assert "token=" not in repr(credentials) or "*" in repr(credentials)

    google = GoogleLMInvoker(
        MODEL,
        vertexai=True,
        project="p",
        location="us-central1",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
    )
    with pytest.raises(ValueError, match="AnonymousCredentials only work against a custom"):
        _ = google.client.sdk


def test_a_custom_base_url_without_a_project_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    invoker = GoogleLMInvoker(MODEL, vertexai=True, base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="needs a project"):
        _ = invoker.client.sdk


def test_job_names_from_ids_and_full_names() -> None:
    invoker = GoogleLMInvoker(MODEL, vertexai=True, project="p", location="us-central1")
    backend = invoker.batch.engine.backend
    full = "projects/123/locations/us-central1/batchPredictionJobs/456"
    assert backend.job_name(full) == full
    assert backend.job_name("456") == "projects/p/locations/us-central1/batchPredictionJobs/456"
    with pytest.raises(ValueError, match="not a Vertex AI batch job"):
        backend.job_name("batches/abc")


def test_missing_google_cloud_storage_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.cloud.storage", None)
    with pytest.raises(ImportError, match=r"langchain-gemini-batch\[vertex\]"):
        _ = CloudStorage(project="p").client


def test_gs_uris() -> None:
    assert parse_gs_uri("gs://b/a/b.jsonl") == ("b", "a/b.jsonl")
    assert parse_gs_uri("gs://b") == ("b", "")
    assert join_uri("gs://b/p/", "/x/", "y") == "gs://b/p/x/y"
    with pytest.raises(ValueError, match="bucket"):
        parse_gs_uri("gs:///x")


@pytest.mark.parametrize(
    ("request_id", "echoed"),
    [("000123", "id:000123"), ("42", "id:42"), ("id:x", "id:id:x"), ("a b", "id:a b")],
)
def test_wire_keys_round_trip(request_id: str, echoed: str) -> None:
    assert _vertex_jobs.wire_key(request_id) == echoed
    assert _vertex_jobs.request_id_of(echoed) == request_id


def test_keys_of_the_callers_own_input() -> None:
    assert _vertex_jobs.request_id_of("plain") == "plain"
    assert _vertex_jobs.request_id_of(42) == "42"
    assert _vertex_jobs.request_id_of(None) is None
    assert _vertex_jobs.request_id_of(True) is None


def test_failed_line_status_becomes_an_rpc_error() -> None:
    status = (
        'Bad Request: {"error": {"code": 400, "message": "Please use a valid role: user, '
        'model.", "status": "INVALID_ARGUMENT"}}'
    )
    assert _vertex_jobs.result_item({"status": status, "request": {}}) == {
        "error": {
            "code": 3,
            "status": "INVALID_ARGUMENT",
            "message": "Please use a valid role: user, model.",
            "http_code": 400,
        }
    }
    assert _vertex_jobs.status_error("Something odd") == {"message": "Something odd"}
    assert _vertex_jobs.result_item({"status": "", "response": '{"candidates": []}'}) == {
        "response": {"candidates": []}
    }
    assert _vertex_jobs.result_item({"status": ""}) == {}


def _job(state: types.JobState, **fields: Any) -> types.BatchJob:
    name = "projects/1/locations/l/batchPredictionJobs/2"
    return types.BatchJob(name=name, state=state, **fields)


@pytest.mark.parametrize("state", list(types.JobState))
def test_every_job_state_maps_to_a_status(state: types.JobState) -> None:
    info = _vertex_jobs.remote_job(_job(state)).info
    assert info.state == state.value
    expected = {
        "JOB_STATE_PARTIALLY_SUCCEEDED": BatchStatus.FINISHED,
        "JOB_STATE_SUCCEEDED": BatchStatus.FINISHED,
        "JOB_STATE_PAUSED": BatchStatus.IN_PROGRESS,
        "JOB_STATE_UPDATING": BatchStatus.IN_PROGRESS,
        "JOB_STATE_QUEUED": BatchStatus.IN_PROGRESS,
        "JOB_STATE_PENDING": BatchStatus.IN_PROGRESS,
        "JOB_STATE_RUNNING": BatchStatus.IN_PROGRESS,
        "JOB_STATE_FAILED": BatchStatus.FAILED,
        "JOB_STATE_CANCELLING": BatchStatus.CANCELING,
        "JOB_STATE_CANCELLED": BatchStatus.CANCELLED,
        "JOB_STATE_EXPIRED": BatchStatus.EXPIRED,
        "JOB_STATE_UNSPECIFIED": BatchStatus.UNKNOWN,
    }[state.value]
    assert info.status is expected


def test_completion_stats_become_request_counts() -> None:
    stats = types.CompletionStats(successful_count=7, failed_count=2, incomplete_count=1)
    job = _job(types.JobState.JOB_STATE_PARTIALLY_SUCCEEDED, completion_stats=stats)
    counts = _vertex_jobs.remote_job(job).info.request_counts
    assert (counts.total, counts.succeeded, counts.failed, counts.pending) == (10, 7, 2, 1)
    running = _job(
        types.JobState.JOB_STATE_RUNNING,
        completion_stats=types.CompletionStats(successful_count=3),
    )
    counts = _vertex_jobs.remote_job(running, known_total=8).info.request_counts
    assert (counts.total, counts.done, counts.pending) == (8, 3, 5)


def test_output_locations() -> None:
    gcs = {"output_info": {"gcs_output_directory": "gs://b/o/prediction-model-x"}}
    assert _vertex_jobs.output_location(gcs) == "gs://b/o/prediction-model-x"
    table = {"dest": {"bigquery_uri": "bq://p.d.t"}}
    assert _vertex_jobs.output_location(table) == "bq://p.d.t"
    dataset = {
        "dest": {"bigquery_uri": "bq://p.d"},
        "output_info": {"bigquery_output_table": "predictions_2026"},
    }
    assert _vertex_jobs.output_location(dataset) == "bq://p.d.predictions_2026"
    assert _vertex_jobs.output_location({"dest": {"bigquery_uri": "bq://p.d"}}) is None


def test_bigquery_rows_become_result_lines() -> None:
    line = _bigquery.row_line(
        {"key": "a", "request": {"x": 1}, "response": {"candidates": []}, "status": None}
    )
    assert line == b'{"key": "a", "response": {"candidates": []}}\n'
    failed = _bigquery.row_line({"key": "b", "status": "Bad Request: {}", "day": date(2026, 1, 1)})
    assert failed == b'{"key": "b", "status": "Bad Request: {}"}\n'
    assert _bigquery.table_id("bq://p.d.t") == "p.d.t"
    with pytest.raises(ValueError, match="table"):
        _bigquery.table_id("bq://p.d")
