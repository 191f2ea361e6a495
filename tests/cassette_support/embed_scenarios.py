"""Cassette scenarios for embeddings: `GoogleEMInvoker(...).batch` and `GeminiBatchEmbeddings`.

Vectors recorded against the emulator are checked exactly (its documented deterministic
model, `_embeddings.embed_values`); against Google, their count and length are.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from google.genai import types
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_gemini_batch import BatchLimits, BatchStatus, RequestFailedError
from langchain_gemini_batch.em_invoker import GoogleEMInvoker
from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings
from langchain_gemini_batch.errors import EmbeddingsFailedError
from langchain_gemini_batch.testing.emulator._embeddings import embed_values
from tests.cassette_support.scenarios import Context, Scenario

EMBED_MODEL = "gemini-embedding-001"
DIM = 8
DOCS = {
    "tides": "Tides rise and fall twice a day.",
    "comets": "Comets grow tails near the sun.",
    "glaciers": "Glaciers carve valleys slowly.",
}


def invoker(ctx: Context, **kwargs: Any) -> GoogleEMInvoker:
    retry = types.HttpRetryOptions(initial_delay=0.01, max_delay=0.02, jitter=0)
    return GoogleEMInvoker(
        EMBED_MODEL,
        ctx.api_key,
        output_dimensionality=DIM,
        base_url=ctx.base_url,
        http_options=types.HttpOptions(retry_options=retry),
        **kwargs,
    )


def embeddings(ctx: Context, **kwargs: Any) -> GeminiBatchEmbeddings:
    return GeminiBatchEmbeddings(
        model=EMBED_MODEL,
        api_key=ctx.api_key,
        base_url=ctx.base_url,
        output_dimensionality=DIM,
        max_retries=0,
        batch_poll_interval=ctx.polling.initial_interval,
        batch_poll_max_interval=ctx.polling.max_interval,
        batch_display_name="cassette-embeddings",
        **kwargs,
    )


def expect_vector(ctx: Context, vector: Any, text: str, task_type: str) -> None:
    """Exactly the emulator's vector for `text`, or any vector of the asked size from Google."""
    assert isinstance(vector, list), vector
    assert len(vector) == DIM
    if ctx.emulated:
        full = 3072
        assert vector == embed_values(
            text, model_id=EMBED_MODEL, task_type=task_type, title="", dimension=DIM, full=full
        )


async def embed_inline_lifecycle(ctx: Context) -> None:
    direct = invoker(ctx, task_type="SEMANTIC_SIMILARITY")
    batch_id = await direct.batch.create(DOCS, display_name="cassette-embed-inline")
    seen = [await direct.batch.status(batch_id)]
    while not seen[-1].is_terminal:
        seen.append(await direct.batch.status(batch_id))
    assert seen[-1] is BatchStatus.FINISHED
    results = await direct.batch.retrieve(batch_id)
    assert list(results) == list(DOCS)
    for key, text in DOCS.items():
        expect_vector(ctx, results[key], text, "SEMANTIC_SIMILARITY")
    (online,) = await direct.embed([DOCS["comets"]])
    assert online == results["comets"]


async def embed_file_documents(ctx: Context) -> None:
    model = embeddings(ctx, batch_inline_max_bytes=0)
    texts = [f"Page {i} of the field guide." for i in range(6)]
    vectors = await model.aembed_documents(texts)
    for text, vector in zip(texts, vectors, strict=True):
        expect_vector(ctx, vector, text, "RETRIEVAL_DOCUMENT")


async def embed_vector_store(ctx: Context) -> None:
    model = embeddings(ctx)
    texts = list(DOCS.values())
    store = await InMemoryVectorStore.afrom_texts(texts, model)
    stored = {entry["text"]: entry["vector"] for entry in store.store.values()}
    for text in texts:
        expect_vector(ctx, stored[text], text, "RETRIEVAL_DOCUMENT")
    same = await model.aembed_query(texts[0], task_type="RETRIEVAL_DOCUMENT")
    if ctx.emulated:
        assert same == stored[texts[0]]
    else:  # the same request online: the same direction (Google's floats may wobble)
        dot = sum(a * b for a, b in zip(same, stored[texts[0]], strict=True))
        norms = math.sqrt(sum(a * a for a in same) * sum(b * b for b in stored[texts[0]]))
        assert dot / norms > 0.999
    query = await model.aembed_query("When does the tide rise?")
    expect_vector(ctx, query, "When does the tide rise?", "RETRIEVAL_QUERY")


async def embed_per_request_errors(ctx: Context) -> None:
    model = embeddings(ctx)
    texts = [f"Item {i}" for i in range(5)]
    with pytest.raises(EmbeddingsFailedError) as caught:
        await model.aembed_documents(texts)
    assert sorted(caught.value.failures) == [1, 3]
    for index in (1, 3):
        failure = caught.value.failures[index]
        assert isinstance(failure, RequestFailedError)
        assert failure.code == 8
    for index in (0, 2, 4):
        expect_vector(ctx, caught.value.vectors[index], texts[index], "RETRIEVAL_DOCUMENT")


async def embed_shuffled_results(ctx: Context) -> None:
    direct = invoker(ctx, batch_limits=BatchLimits(inline_max_bytes=0))
    texts = {f"id-{i:02d}": f"Sentence {i}" for i in range(20)}
    results = await direct.batch.invoke(texts, polling=ctx.polling)
    if ctx.emulated:
        assert list(results) != list(texts)  # the results file really was shuffled
    for key, text in texts.items():
        expect_vector(ctx, results[key], text, "TASK_TYPE_UNSPECIFIED")


EMBED_SCENARIOS: list[Scenario] = [
    Scenario("embed_inline_lifecycle", embed_inline_lifecycle, {"job_seconds": 3}, real_api=True),
    Scenario("embed_file_documents", embed_file_documents, {"job_seconds": 0}, real_api=True),
    Scenario("embed_vector_store", embed_vector_store, {"job_seconds": 0}, real_api=True),
    Scenario(
        "embed_per_request_errors",
        embed_per_request_errors,
        {"job_seconds": 0, "fail_keys": {"1": 8, "3": 8}},
    ),
    Scenario(
        "embed_shuffled_results",
        embed_shuffled_results,
        {"job_seconds": 0, "shuffle_results": True},
    ),
]
