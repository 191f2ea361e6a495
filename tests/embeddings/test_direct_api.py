"""`GoogleEMInvoker(...).batch`: the seed's batch API for embeddings, on the shared engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from langchain_gemini_batch import (
    BatchJobError,
    BatchLimits,
    BatchStatus,
    GoogleLMInvoker,
    InvalidRequestError,
    RequestFailedError,
    UnknownParameterError,
)
from langchain_gemini_batch.batch.embed_codec import EmbedInput
from langchain_gemini_batch.batch.journal import RecordState
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.embeddings.conftest import FAST, MODEL, MakeInvoker, jobs_created

pytestmark = pytest.mark.emulator

DOCS = {f"doc-{i}": f"Paragraph {i} of the handbook." for i in range(25)}


async def test_create_wait_and_retrieve_from_a_new_invoker(
    server: EmulatorServer, make_invoker: MakeInvoker, journal_path: Path
) -> None:
    batch_id = await make_invoker().batch.create(DOCS, {"task_type": "retrieval_document"})
    assert batch_id.startswith("batches/")
    later = make_invoker()  # another process: only the journal and the batch ID are shared
    assert await later.batch.wait(batch_id, polling=FAST) is BatchStatus.FINISHED
    results = await later.batch.retrieve(batch_id)
    assert list(results) == list(DOCS)  # joined by key; the journal restored the IDs
    online = await make_invoker().embed(list(DOCS.values()), {"task_type": "RETRIEVAL_DOCUMENT"})
    assert list(results.values()) == online
    (record,) = later.journal.records() if later.journal else []
    assert (record.kind, record.state) == ("embed", RecordState.RETRIEVED)
    assert jobs_created(server) == 1


async def test_retrieve_without_a_journal_checks_custom_request_ids(
    server: EmulatorServer, make_invoker: MakeInvoker
) -> None:
    invoker = make_invoker(journal=False)
    batch_id = await invoker.batch.create(DOCS)
    await invoker.batch.wait(batch_id, polling=FAST)
    stranger = make_invoker(journal=False)
    streamed = [pair async for pair in stranger.batch.iter_results(batch_id)]
    assert sorted(key for key, _ in streamed) == sorted(DOCS)
    results = await stranger.batch.retrieve(batch_id, custom_request_ids=DOCS)
    assert dict(streamed) == results


async def test_info_jobs_list_cancel_and_delete(make_invoker: MakeInvoker) -> None:
    with EmulatorServer(job_seconds=3600) as slow:
        invoker = make_invoker(base_url=slow.base_url)
        batch_id = await invoker.batch.create(DOCS, display_name="handbook")
        info = await invoker.batch.info(batch_id)
        assert info.request_counts.total == len(DOCS)
        (job,) = await invoker.batch.jobs(batch_id)
        assert job["id"] == batch_id
        assert job["model"] == f"models/{MODEL}"
        listed = {j["id"]: j for j in await invoker.batch.list(page_size=1)}
        assert listed[batch_id]["display_name"].startswith("handbook [lgb-")
        await invoker.batch.cancel(batch_id)
        assert await invoker.batch.status(batch_id) is BatchStatus.CANCELLED
        with pytest.raises(BatchJobError, match="CANCELLED"):
            await invoker.batch.retrieve(batch_id)
        await invoker.batch.delete(batch_id)
        assert batch_id not in {j["id"] for j in await invoker.batch.list()}


async def test_invoke_types_failures_as_for_generation(
    server: EmulatorServer, make_invoker: MakeInvoker
) -> None:
    server.options.fail_keys = {"doc-2": 13}
    requests: dict[str, str | EmbedInput | dict[str, str]] = {
        **DOCS,
        "titled": EmbedInput("A titled page.", title="Title"),
        "mapped": {"text": "A clustered page.", "task_type": "CLUSTERING"},
        "empty": "",
    }
    results = await make_invoker(task_type="RETRIEVAL_DOCUMENT").batch.invoke(
        requests, polling=FAST, skip_invalid=True
    )
    failure = results["doc-2"]
    assert isinstance(failure, RequestFailedError)
    assert (failure.request_id, failure.code, failure.status) == ("doc-2", 13, "INTERNAL")
    assert failure.batch_job is not None
    assert failure.batch_job.startswith("batches/")
    assert isinstance(results["empty"], InvalidRequestError)
    assert isinstance(results["doc-0"], list)
    online = make_invoker()
    (titled,) = await online.embed(
        [EmbedInput("A titled page.", "Title")], {"task_type": "RETRIEVAL_DOCUMENT"}
    )
    (clustered,) = await online.embed(["A clustered page."], {"task_type": "CLUSTERING"})
    assert results["titled"] == titled
    assert results["mapped"] == clustered
    (body,) = [r.body for r in server.requests if r.action == "asyncBatchEmbedContent"]
    keys = [i["metadata"]["key"] for i in body["batch"]["inputConfig"]["requests"]["requests"]]
    assert "empty" not in keys


async def test_unknown_settings_and_too_many_jobs_are_refused_before_sending(
    server: EmulatorServer, make_invoker: MakeInvoker
) -> None:
    with pytest.raises(UnknownParameterError, match="did you mean 'output_dimensionality'"):
        await make_invoker().batch.create(DOCS, {"output_dimension": 8})
    limits = BatchLimits(max_requests_per_job=5, max_concurrent_jobs=2)
    with pytest.raises(InvalidRequestError, match="needs 5 jobs, more than max_concurrent_jobs=2"):
        await make_invoker(batch_limits=limits).batch.create(DOCS)
    assert jobs_created(server) == 0
    # invoke runs the same work in waves of 2 jobs
    results = await make_invoker(batch_limits=limits).batch.invoke(DOCS, polling=FAST)
    assert list(results) == list(DOCS)
    assert jobs_created(server) == 5


async def test_a_batch_is_read_only_by_its_own_kind(
    server: EmulatorServer, make_invoker: MakeInvoker, journal_path: Path
) -> None:
    batch_id = await make_invoker().batch.create(DOCS)
    generator = GoogleLMInvoker(
        "gemini-2.5-flash", "k", base_url=server.base_url, journal=journal_path
    )
    with pytest.raises(InvalidRequestError, match="holds embed requests, not generate ones"):
        await generator.batch.retrieve(batch_id)


async def test_online_embed_sends_what_google_genai_sends(
    server: EmulatorServer, make_invoker: MakeInvoker
) -> None:
    from google import genai
    from google.genai import types

    texts = [f"text {i}" for i in range(150)]
    vectors = await make_invoker().embed(texts, {"task_type": "SEMANTIC_SIMILARITY"})
    assert len(vectors) == 150
    ours = [r.body for r in server.requests if r.action == "batchEmbedContents"]
    assert [len(body["requests"]) for body in ours] == [100, 50]
    client = genai.Client(api_key="k", http_options=types.HttpOptions(base_url=server.base_url))
    config = types.EmbedContentConfig(task_type="SEMANTIC_SIMILARITY", output_dimensionality=16)
    sdk = client.models.embed_content(
        model=MODEL, contents=[{"parts": [{"text": t}]} for t in texts[:100]], config=config
    )
    theirs = [r.body for r in server.requests if r.action == "batchEmbedContents"][-1]
    assert theirs == ours[0]
    assert [e.values for e in sdk.embeddings or []] == vectors[:100]
