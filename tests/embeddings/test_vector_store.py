"""A vector store over thousands of texts is ONE batch job, with the vectors online calls give."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.embeddings.conftest import (
    MakeEmbeddings,
    MakeInvoker,
    jobs_created,
    texts,
)

pytestmark = pytest.mark.emulator

N = 2_400


def test_from_texts_is_one_job_storing_the_vectors_embed_query_gives(
    server: EmulatorServer, make_embeddings: MakeEmbeddings, make_invoker: MakeInvoker
) -> None:
    corpus = texts(N)
    embeddings = make_embeddings()
    store = InMemoryVectorStore.from_texts(corpus, embeddings)

    assert jobs_created(server) == 1
    assert server.count("batchEmbedContents") == 0  # nothing went online
    stored = {entry["text"]: entry["vector"] for entry in store.store.values()}
    assert len(stored) == N
    # each stored vector is the one the online endpoint gives for that document: every text
    # through GoogleEMInvoker.embed (batchEmbedContents, 100 per call), a sample through
    # embed_query with the documents' task type
    online = asyncio.run(make_invoker().embed(corpus, {"task_type": "RETRIEVAL_DOCUMENT"}))
    assert server.count("batchEmbedContents") == N // 100
    assert [stored[text] for text in corpus] == online
    for text in corpus[::397]:
        assert embeddings.embed_query(text, task_type="RETRIEVAL_DOCUMENT") == stored[text]
        # a query is embedded as RETRIEVAL_QUERY, as in langchain-google-genai: another vector
        assert embeddings.embed_query(text) != stored[text]
    assert jobs_created(server) == 1


async def test_afrom_texts_and_aadd_texts_make_one_job_each(
    server: EmulatorServer, make_embeddings: MakeEmbeddings
) -> None:
    embeddings = make_embeddings()
    store = await InMemoryVectorStore.afrom_texts(texts(1_000), embeddings)
    assert jobs_created(server) == 1
    await store.aadd_texts(texts(1_500, prefix="More"))
    assert jobs_created(server) == 2
    assert len(store.store) == 2_500
    query = await embeddings.aembed_query(
        "More number 5: about topic 5.", task_type="RETRIEVAL_DOCUMENT"
    )
    (best,) = await store.asimilarity_search_by_vector(query, k=1)
    assert best.page_content == "More number 5: about topic 5."
