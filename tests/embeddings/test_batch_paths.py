"""`embed_documents` through every path of the shared engine: inline, file, split, failures."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from langchain_gemini_batch import (
    BatchJobError,
    BatchTimeoutError,
    InvalidRequestError,
    RequestFailedError,
)
from langchain_gemini_batch.errors import EmbeddingsFailedError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.embeddings.conftest import (
    API_KEY,
    MakeEmbeddings,
    MakeInvoker,
    jobs_created,
    texts,
)

pytestmark = pytest.mark.emulator


def _created_bodies(server: EmulatorServer) -> list[dict]:  # type: ignore[type-arg]
    return [
        r.body["batch"]
        for r in server.requests
        if r.action == "asyncBatchEmbedContent" and r.status == 200
    ]


async def test_inline_job_sends_googles_shape_and_returns_vectors_in_order(
    server: EmulatorServer, make_embeddings: MakeEmbeddings, make_invoker: MakeInvoker
) -> None:
    corpus = texts(30)
    vectors = await make_embeddings(batch_display_name="kb-index").aembed_documents(corpus)
    (body,) = _created_bodies(server)
    assert body["displayName"].startswith("kb-index [lgb-")
    items = body["inputConfig"]["requests"]["requests"]
    assert items[4] == {
        "request": {
            "content": {"parts": [{"text": corpus[4]}]},
            "taskType": "RETRIEVAL_DOCUMENT",
            "outputDimensionality": 16,
        },
        "metadata": {"key": "4"},
    }
    assert server.count("files.upload") == 0
    online = await make_invoker().embed(corpus, {"task_type": "RETRIEVAL_DOCUMENT"})
    assert vectors == online
    assert all(len(v) == 16 for v in vectors)


async def test_file_mode_uploads_one_jsonl_and_deletes_it(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    corpus = texts(50)
    inline = await make_embeddings(journal=False).aembed_documents(corpus)
    by_file = await make_embeddings(batch_inline_max_bytes=0, batch_resume=False).aembed_documents(
        corpus
    )
    assert by_file == inline
    assert jobs_created(server) == 2
    assert server.count("files.upload") == 1
    assert server.count("files.download") == 1
    assert server.count("files.delete") == 1  # the uploaded input file, once read
    (_, second) = _created_bodies(server)
    assert second["inputConfig"]["fileName"].startswith("files/")


async def test_full_size_vectors_go_by_file_to_keep_the_answer_small(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    corpus = texts(300)  # 11 KB of requests, but 300 x 3072 values (~11 MB) of answer
    vectors = await make_embeddings(output_dimensionality=None).aembed_documents(corpus)
    assert jobs_created(server) == 1
    assert server.count("files.upload") == 1
    assert {len(v) for v in vectors} == {3072}
    assert sum(v * v for v in vectors[0]) == pytest.approx(1.0, abs=1e-5)


async def test_split_past_max_requests_per_job_keeps_input_order(
    server: EmulatorServer, make_embeddings: MakeEmbeddings, make_invoker: MakeInvoker
) -> None:
    corpus = texts(1_000)
    vectors = await make_embeddings(batch_max_requests_per_job=300).aembed_documents(corpus)
    assert jobs_created(server) == 4
    assert [len(b["inputConfig"]["requests"]["requests"]) for b in _created_bodies(server)] == [
        300,
        300,
        300,
        100,
    ]
    sample = [corpus[i] for i in (0, 299, 300, 999)]
    online = await make_invoker().embed(sample, {"task_type": "RETRIEVAL_DOCUMENT"})
    assert [vectors[i] for i in (0, 299, 300, 999)] == online


async def test_shuffled_results_are_joined_by_key(make_embeddings: MakeEmbeddings) -> None:
    corpus = texts(60)
    with EmulatorServer(job_seconds=0) as plain:
        expected = await make_embeddings(base_url=plain.base_url, journal=False).aembed_documents(
            corpus
        )
    with EmulatorServer(job_seconds=0, shuffle_results=True) as shuffled:
        for inline_max in (4_000_000, 0):  # inline items and file lines
            got = await make_embeddings(
                base_url=shuffled.base_url,
                journal=False,
                batch_inline_max_bytes=inline_max,
                batch_resume=False,  # the same texts: a fresh job, not the first one's
            ).aembed_documents(corpus)
            assert got == expected
        assert jobs_created(shuffled) == 2


async def test_failed_texts_are_named_after_the_others_were_read(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    corpus = texts(40)
    server.options.fail_keys = {"3": 8, "17": 3}
    embeddings = make_embeddings()
    with pytest.raises(EmbeddingsFailedError) as caught:
        await embeddings.aembed_documents(corpus)
    error = caught.value
    assert sorted(error.failures) == [3, 17]
    assert str(error).startswith(
        f"2 of 40 texts got no embedding: text 3 ('{corpus[3]}'): request '3' in batches/"
    )
    failure = error.failures[3]
    assert isinstance(failure, RequestFailedError)
    assert (failure.code, failure.status) == (8, "RESOURCE_EXHAUSTED")
    assert error.failures[17].status == "INVALID_ARGUMENT"  # type: ignore[attr-defined]
    assert error.vectors[3] is None
    assert error.vectors[17] is None
    assert sum(v is not None for v in error.vectors) == 38
    # the same work again reattaches to the same (finished) job and reports the same
    results = embeddings.embed_documents_with_failures(corpus)
    assert jobs_created(server) == 1
    assert isinstance(results[3], RequestFailedError)
    assert results[0] == error.vectors[0]


async def test_an_empty_text_is_refused_before_sending_or_returned_in_place(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    corpus = ["first", "", "third"]
    embeddings = make_embeddings()
    with pytest.raises(InvalidRequestError, match="request '1': the text to embed"):
        await embeddings.aembed_documents(corpus)
    assert jobs_created(server) == 0
    results = await embeddings.aembed_documents_with_failures(corpus)
    assert isinstance(results[1], InvalidRequestError)
    assert isinstance(results[0], list)
    assert isinstance(results[2], list)
    (body,) = _created_bodies(server)
    assert [i["metadata"]["key"] for i in body["inputConfig"]["requests"]["requests"]] == [
        "0",
        "2",
    ]


async def test_titles_go_with_their_texts(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    embeddings = make_embeddings()
    titled = await embeddings.aembed_documents(["a body", "b body"], titles=["A", None])
    assert titled[0] == await embeddings.aembed_query(
        "a body", task_type="RETRIEVAL_DOCUMENT", title="A"
    )
    assert titled[1] == await embeddings.aembed_query("b body", task_type="RETRIEVAL_DOCUMENT")
    (body,) = _created_bodies(server)
    first, second = body["inputConfig"]["requests"]["requests"]
    assert first["request"]["title"] == "A"
    assert "title" not in second["request"]


async def test_rerun_reattaches_through_the_journal(
    server: EmulatorServer, make_embeddings: MakeEmbeddings, journal_path: Path
) -> None:
    corpus = texts(200)
    first = make_embeddings().embed_documents(corpus)  # sync, from inside a running loop
    again = make_embeddings().embed_documents(corpus)  # a new object, as a new process
    assert jobs_created(server) == 1
    assert again == first
    await make_embeddings().aembed_documents(corpus, task_type="CLUSTERING")
    await make_embeddings().aembed_documents([*corpus, "one more"])
    assert jobs_created(server) == 3


async def test_a_dropped_create_is_found_not_resent(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    server.inject("asyncBatchEmbedContent", drop="after")  # Google made the job; no answer
    vectors = await make_embeddings(max_retries=2).aembed_documents(texts(20))
    assert len(vectors) == 20
    assert server.counts().jobs == 1


async def test_a_failed_job_or_a_deadline_fails_every_text(
    make_embeddings: MakeEmbeddings,
) -> None:
    with (
        EmulatorServer(job_seconds=0, job_outcome="failed") as failing,
        pytest.raises(BatchJobError, match="JOB_STATE_FAILED"),
    ):
        await make_embeddings(base_url=failing.base_url).aembed_documents(texts(5))
    with EmulatorServer(job_seconds=3600) as slow:
        with pytest.raises(BatchTimeoutError) as caught:
            await make_embeddings(base_url=slow.base_url, batch_timeout=0.2).aembed_documents(
                texts(5)
            )
        assert caught.value.cancelled
        assert slow.count("batches.cancel") == 1


async def test_the_key_never_reaches_logs_or_errors(
    server: EmulatorServer, make_embeddings: MakeEmbeddings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.options.fail_keys = frozenset({"0"})
    embeddings = make_embeddings()
    with pytest.raises(EmbeddingsFailedError) as caught:
        await asyncio.wait_for(embeddings.aembed_documents(texts(3)), 30)
    assert "created batches/" in caplog.text
    assert API_KEY not in caplog.text
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(embeddings)
