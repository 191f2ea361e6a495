"""The journal on Vertex AI: reattach on rerun, retrieve from a new invoker, creates sent
once, staged inputs cleaned up."""

from __future__ import annotations

import pytest

from langchain_gemini_batch import InvalidRequestError, LMOutput
from langchain_gemini_batch.batch.journal import Journal, RecordState
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.vertex.support import (
    NO_WAIT,
    STAGING,
    actions,
    outputs,
    staged_inputs,
    vertex_invoker,
    with_bucket,
)

pytestmark = pytest.mark.emulator

PROMPTS = {f"q{i}": f"Question {i}" for i in range(5)}


async def test_rerun_reattaches_and_a_new_invoker_retrieves(server: EmulatorServer) -> None:
    first = vertex_invoker(server)
    batch_id = await first.batch.create(PROMPTS)
    again = await vertex_invoker(server).batch.create(PROMPTS)  # a rerun of the same script
    assert again == batch_id
    assert actions(server)["batchPredictionJobs.create"] == 1
    assert actions(server)["storage.objects.insert"] == 1

    later = vertex_invoker(server)  # another process: IDs and cleanup come from the journal
    await later.batch.wait(batch_id, polling=NO_WAIT)
    results = await later.batch.retrieve(batch_id)
    assert {key: out.text for key, out in results.items() if isinstance(out, LMOutput)} == {
        key: f"Echo: {prompt}" for key, prompt in PROMPTS.items()
    }
    assert staged_inputs(server) == []
    assert actions(server)["storage.objects.delete"] == 1

    # Running the whole script again reads the same job's output again: nothing is paid twice.
    rerun = await vertex_invoker(server).batch.invoke(PROMPTS, polling=NO_WAIT)
    assert rerun.keys() == results.keys()
    assert actions(server)["batchPredictionJobs.create"] == 1
    assert actions(server)["storage.objects.download"] == 2


async def test_journal_endpoints_tell_vertex_projects_and_locations_apart(
    server: EmulatorServer,
) -> None:
    await vertex_invoker(server).batch.create(PROMPTS)
    await vertex_invoker(server, project="other-project").batch.create(PROMPTS)
    await vertex_invoker(server, location="europe-west4").batch.create(PROMPTS)
    assert actions(server)["batchPredictionJobs.create"] == 3
    endpoints = {vertex_invoker(server).batch.engine.backend.endpoint}
    endpoints.add(vertex_invoker(server, project="other-project").batch.engine.backend.endpoint)
    assert len(endpoints) == 2
    assert all(e.startswith(f"vertex:{server.base_url}/projects/") for e in endpoints)


async def test_a_create_that_failed_ambiguously_is_found_not_resent(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    server.inject_errors(503, action="batchPredictionJobs.create")
    batch_id = await invoker.batch.create(PROMPTS)
    counts = actions(server)
    # The SDK's retries are off for the create: one refused call, then a look by tag, then one
    # more create (the emulator refused the first before making a job).
    assert counts["batchPredictionJobs.create"] == 2
    assert counts["batchPredictionJobs.list"] == 2  # before the create, and after it failed
    assert server.cloud.job_names() == [batch_id]


async def test_a_refused_create_deletes_the_staged_input(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    server.inject_errors(400, action="batchPredictionJobs.create")
    with pytest.raises(Exception, match="400") as caught:
        await invoker.batch.create(PROMPTS)
    assert getattr(caught.value, "code", None) == 400
    counts = actions(server)
    assert counts["batchPredictionJobs.create"] == 1
    assert counts["storage.objects.insert"] == 1
    assert counts["storage.objects.delete"] == 1
    assert server.cloud.objects() == []


async def test_a_job_left_by_a_dead_process_is_found_by_its_tag(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    batch_id = await invoker.batch.create(PROMPTS)
    journal = invoker.journal
    assert isinstance(journal, Journal)
    endpoint = invoker.batch.engine.backend.endpoint
    record = journal.find(endpoint, batch_id)
    assert record is not None
    assert record.input_file is not None
    assert record.input_file.startswith(f"{STAGING}/")
    # The process died between create and recording it: the intent is all the journal has.
    journal.set_state(record, RecordState.CREATING)
    rerun = vertex_invoker(server)
    assert await rerun.batch.create(PROMPTS) == batch_id
    assert actions(server)["batchPredictionJobs.create"] == 1
    found = journal.find(endpoint, batch_id)
    assert found is not None
    assert found.input_file == record.input_file  # cleanup still knows the staged object
    await rerun.batch.wait(batch_id, polling=NO_WAIT)
    await rerun.batch.retrieve(batch_id)
    assert staged_inputs(server) == []


async def test_requests_vertex_cannot_import_are_refused_before_anything_is_sent(
    server: EmulatorServer,
) -> None:
    invoker = vertex_invoker(server)
    schema = {"$defs": {"A": {"type": "string"}}, "type": "object"}
    with pytest.raises(InvalidRequestError, match=r"\$defs") as caught:
        await invoker.batch.create({"x": "Hi"}, {"response_json_schema": schema})
    assert caught.value.request_id == "x"
    skipped = await invoker.batch.invoke(
        {"x": "Hi"}, {"response_json_schema": schema}, skip_invalid=True, polling=NO_WAIT
    )
    assert isinstance(skipped["x"], InvalidRequestError)
    assert server.requests == []


async def test_without_a_staging_uri_nothing_is_sent(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server, gcs_staging_uri=None)
    with pytest.raises(InvalidRequestError, match="GEMINI_BATCH_GCS_STAGING_URI"):
        await invoker.batch.create(PROMPTS)
    assert server.requests == []


async def test_the_staging_uri_comes_from_the_environment(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_BATCH_GCS_STAGING_URI", "gs://staging-bucket/from-env/")
    invoker = vertex_invoker(server, gcs_staging_uri=None)
    await invoker.batch.invoke({"a": "Hi"}, polling=NO_WAIT)
    (output,) = outputs(server)
    assert output.startswith("gs://staging-bucket/from-env/")
    assert "//" not in output.removeprefix("gs://")


async def test_a_split_batch_runs_as_several_jobs() -> None:
    from langchain_gemini_batch import BatchLimits

    with EmulatorServer(job_seconds=0, deterministic=True) as server:
        invoker = vertex_invoker(
            with_bucket(server), batch_limits=BatchLimits(max_requests_per_job=2)
        )
        results = await invoker.batch.invoke(PROMPTS, polling=NO_WAIT)
        counts = actions(server)
        left = staged_inputs(server)
    assert counts["batchPredictionJobs.create"] == 3
    assert counts["storage.objects.insert"] == 3
    assert counts["storage.objects.delete"] == 3
    assert left == []
    assert {key: out.text for key, out in results.items() if isinstance(out, LMOutput)} == {
        key: f"Echo: {prompt}" for key, prompt in PROMPTS.items()
    }


async def test_a_failed_results_download_is_retried(server: EmulatorServer) -> None:
    invoker = vertex_invoker(server)
    batch_id = await invoker.batch.create(PROMPTS)
    await invoker.batch.wait(batch_id, polling=NO_WAIT)
    server.inject_errors(503, action="storage.objects.download")
    results = await invoker.batch.retrieve(batch_id)
    assert set(results) == set(PROMPTS)
    assert all(isinstance(result, LMOutput) for result in results.values())
    assert actions(server)["storage.objects.download"] == 2


def test_requests_network_failures_are_transient() -> None:
    import requests

    from langchain_gemini_batch.batch._faults import is_transient

    assert is_transient(requests.exceptions.ConnectionError("reset"))
    assert is_transient(requests.exceptions.ReadTimeout("slow"))
    assert not is_transient(requests.exceptions.InvalidURL("bad"))
