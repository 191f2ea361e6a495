"""Embeddings: embedContent, batchEmbedContents and embedding batch jobs, through the SDK."""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from google import genai
from google.genai import errors, types
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import jsonl, make_client, raw_get, raw_request

pytestmark = pytest.mark.emulator

EMBED = "gemini-embedding-001"
EMBED_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch"
EMBED_OUTPUT_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput"
)


@pytest.fixture(autouse=True)
def _quiet_experimental() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_embeddings warns ExperimentalWarning each call
        yield


def _vectors(client: genai.Client, texts: list[str], **config: Any) -> list[list[float]]:
    response = client.models.embed_content(
        model=EMBED, contents=texts, config=types.EmbedContentConfig(**config)
    )
    return [e.values or [] for e in response.embeddings or []]


def _norm(values: list[float]) -> float:
    return math.sqrt(sum(v * v for v in values))


def test_online_vectors_are_unit_deterministic_and_truncated_as_a_prefix(
    server: EmulatorServer, client: genai.Client
) -> None:
    full_a, full_b = _vectors(client, ["alpha", "beta"])
    assert len(full_a) == len(full_b) == 3072
    assert _norm(full_a) == pytest.approx(1.0, abs=1e-5)
    assert full_a != full_b
    (short,) = _vectors(client, ["alpha"], output_dimensionality=256)
    assert short == full_a[:256]
    assert _vectors(client, ["alpha"]) == [full_a]
    assert server.count("batchEmbedContents") == 3
    with EmulatorServer() as other, make_client(other) as again:
        assert _vectors(again, ["alpha"]) == [full_a]


def test_task_type_and_title_change_the_vector(client: genai.Client) -> None:
    (plain,) = _vectors(client, ["x"], output_dimensionality=8)
    (query,) = _vectors(client, ["x"], output_dimensionality=8, task_type="RETRIEVAL_QUERY")
    (doc,) = _vectors(client, ["x"], output_dimensionality=8, task_type="RETRIEVAL_DOCUMENT")
    (titled,) = _vectors(
        client, ["x"], output_dimensionality=8, task_type="RETRIEVAL_DOCUMENT", title="T"
    )
    assert len({tuple(v) for v in (plain, query, doc, titled)}) == 4


def test_text_embedding_004_is_768_wide_and_has_no_batch_jobs(client: genai.Client) -> None:
    response = client.models.embed_content(model="text-embedding-004", contents="x")
    (embedding,) = response.embeddings or []
    assert len(embedding.values or []) == 768
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create_embeddings(
            model="text-embedding-004", src={"inlined_requests": {"contents": ["x"]}}
        )
    assert caught.value.code == 404
    assert caught.value.message == (
        "models/text-embedding-004 is not found for API version v1beta, or is not supported "
        "for asyncBatchEmbedContent. Call ListModels to see the list of available models and "
        "their supported methods."
    )


def test_generation_models_do_not_embed(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(model="gemini-2.5-flash", contents="x")
    assert caught.value.code == 404
    assert "is not supported for batchEmbedContents" in (caught.value.message or "")


def test_embed_content_endpoint_matches_the_batch_call(client: genai.Client) -> None:
    body = {
        "content": {"parts": [{"text": "same"}]},
        "task_type": "SEMANTIC_SIMILARITY",
        "output_dimensionality": 16,
    }
    single = json.loads(raw_request(client, "post", f"models/{EMBED}:embedContent", body))
    assert list(single) == ["embedding"]
    (values,) = _vectors(
        client, ["same"], task_type="SEMANTIC_SIMILARITY", output_dimensionality=16
    )
    assert single["embedding"]["values"] == values


def test_more_than_100_texts_is_googles_400(server: EmulatorServer, client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(model=EMBED, contents=[f"t{i}" for i in range(101)])
    assert caught.value.code == 400
    assert caught.value.message == (
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
    )
    assert len(_vectors(client, [f"t{i}" for i in range(100)])) == 100


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"output_dimensionality": 0}, "output_dimensionality must be between 1 and 3072"),
        ({"output_dimensionality": 4000}, "output_dimensionality must be between 1 and 3072"),
        (
            {"task_type": "GUESSING"},
            "Invalid value at 'requests[0].task_type' (type.googleapis.com/google.ai."
            'generativelanguage.v1beta.TaskType), "GUESSING"',
        ),
    ],
)
def test_bad_embedding_values_are_refused(
    client: genai.Client, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(
            model=EMBED, contents="x", config=types.EmbedContentConfig(**config)
        )
    assert caught.value.code == 400
    assert message in (caught.value.message or "")


def test_inline_embedding_batch_matches_online_vectors(
    server: EmulatorServer, client: genai.Client
) -> None:
    config: dict[str, Any] = {"output_dimensionality": 32, "task_type": "CLUSTERING"}
    source = types.EmbeddingsBatchJobSource(
        inlined_requests=types.EmbedContentBatch(
            contents=["one", "two"], config=types.EmbedContentConfig(**config)
        )
    )
    job = client.batches.create_embeddings(model=EMBED, src=source, config={"display_name": "emb"})
    assert job.name is not None
    assert job.state == types.JobState.JOB_STATE_PENDING
    assert job.model == f"models/{EMBED}"
    finished = client.batches.get(name=job.name)
    assert finished.state == types.JobState.JOB_STATE_SUCCEEDED
    assert finished.dest is not None
    assert finished.dest.inlined_responses is None
    items = finished.dest.inlined_embed_content_responses or []
    batch_vectors = [
        i.response.embedding.values for i in items if i.response and i.response.embedding
    ]
    assert batch_vectors == _vectors(client, ["one", "two"], **config)
    body = raw_get(client, job.name)
    meta = body["metadata"]
    assert meta["@type"] == EMBED_TYPE
    assert meta["batchStats"] == {"requestCount": "2", "successfulRequestCount": "2"}
    raw_items = meta["output"]["inlinedResponses"]["inlinedResponses"]
    assert raw_items[0]["response"]["usageMetadata"] == {"promptTokenCount": 1}
    assert body["response"] == {"@type": EMBED_OUTPUT_TYPE, **meta["output"]}
    assert server.count("asyncBatchEmbedContent", status=200) == 1


def test_per_item_metadata_keys_through_extra_body(client: genai.Client) -> None:
    pairs = [("doc-1", "first text"), ("doc-2", "second text")]
    items = [
        {
            "request": {
                "model": f"models/{EMBED}",
                "content": {"parts": [{"text": text}]},
                "taskType": "RETRIEVAL_DOCUMENT",
                "outputDimensionality": 8,
            },
            "metadata": {"key": key},
        }
        for key, text in pairs
    ]
    extra = {"batch": {"inputConfig": {"requests": {"requests": items}}}}
    job = client.batches.create_embeddings(
        model=EMBED,
        src={"inlined_requests": {"contents": ["placeholder"]}},
        config={"display_name": "keyed", "http_options": {"extra_body": extra}},
    )
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.dest is not None
    results = {
        (item.metadata or {}).get("key"): item.response.embedding.values
        for item in finished.dest.inlined_embed_content_responses or []
        if item.response and item.response.embedding
    }
    online = _vectors(
        client, [t for _, t in pairs], task_type="RETRIEVAL_DOCUMENT", output_dimensionality=8
    )
    assert results == {"doc-1": online[0], "doc-2": online[1]}


def test_embedding_batch_from_a_file_writes_key_first_lines(
    server: EmulatorServer, client: genai.Client
) -> None:
    lines: list[dict[str, Any]] = [
        {"key": "a", "request": {"content": {"parts": [{"text": "apple"}]},
                                 "output_dimensionality": 4}},
        {"key": "b", "request": {"content": {"parts": [{"text": "pear"}]}, "taskType": "NOPE"}},
    ]  # fmt: skip
    uploaded = client.files.upload(file=io.BytesIO(jsonl(lines)), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    job = client.batches.create_embeddings(model=EMBED, src={"file_name": uploaded.name})
    assert job.name is not None
    assert server.requests[-1].body["batch"]["inputConfig"] == {"file_name": uploaded.name}
    finished = client.batches.get(name=job.name)
    assert finished.dest is not None
    assert finished.dest.file_name == f"files/batch-{job.name.removeprefix('batches/')}"
    text = client.files.download(file=finished.dest.file_name).decode()
    first, second = (json.loads(line) for line in text.splitlines())
    assert list(first) == ["key", "response"]
    (apple,) = _vectors(client, ["apple"], output_dimensionality=4)
    assert first["response"] == {"embedding": {"values": apple}}
    assert second["key"] == "b"
    assert second["error"]["code"] == 3
    assert "TaskType" in second["error"]["message"]
    body = raw_get(client, job.name)
    assert body["metadata"]["inputConfig"] == {"fileName": uploaded.name}
    assert body["metadata"]["batchStats"] == {
        "requestCount": "2",
        "successfulRequestCount": "1",
        "failedRequestCount": "1",
    }


def test_embedding_jobs_share_the_batch_resource() -> None:
    with (
        EmulatorServer(job_seconds=60, fail_keys={"k1": 8}) as server,
        make_client(server) as client,
    ):
        src = types.EmbeddingsBatchJobSource(
            inlined_requests=types.EmbedContentBatch(contents=["x"])
        )
        embed = client.batches.create_embeddings(model=EMBED, src=src)
        generate = client.batches.create(
            model="gemini-2.5-flash", src=[types.InlinedRequest(contents="hi")]
        )
        assert embed.name is not None
        assert generate.name is not None
        listed = {job.name: job.model for job in client.batches.list()}
        assert listed == {embed.name: f"models/{EMBED}", generate.name: "models/gemini-2.5-flash"}
        client.batches.cancel(name=embed.name)
        assert client.batches.get(name=embed.name).state == types.JobState.JOB_STATE_CANCELLED
        assert server.counts().jobs_by_state == {
            "BATCH_STATE_CANCELLED": 1,
            "BATCH_STATE_PENDING": 1,
        }
        client.batches.delete(name=embed.name)
        assert server.counts().jobs == 1


def test_fail_keys_apply_to_embedding_items() -> None:
    items = [
        {"request": {"content": {"parts": [{"text": t}]}}, "metadata": {"key": t}}
        for t in ("k0", "k1")
    ]
    body = {"batch": {"displayName": "f", "inputConfig": {"requests": {"requests": items}}}}
    with (
        EmulatorServer(job_seconds=0, fail_keys={"k1": 8}) as server,
        make_client(server) as client,
    ):
        created = json.loads(
            raw_request(client, "post", f"models/{EMBED}:asyncBatchEmbedContent", body)
        )
        finished = client.batches.get(name=created["name"])
    assert finished.dest is not None
    by_key = {
        (i.metadata or {}).get("key"): i
        for i in finished.dest.inlined_embed_content_responses or []
    }
    assert by_key["k0"].response is not None
    error = by_key["k1"].error
    assert error is not None
    assert (error.code, error.message) == (8, "Resource has been exhausted (e.g. check quota).")


async def test_async_client_embeds_online_and_in_a_batch(aclient: AsyncClient) -> None:
    online = await aclient.models.embed_content(
        model=EMBED, contents=["async"], config={"output_dimensionality": 3}
    )
    job = await aclient.batches.create_embeddings(
        model=EMBED,
        src={"inlined_requests": {"contents": ["async"], "config": {"output_dimensionality": 3}}},
    )
    assert job.name is not None
    finished = await aclient.batches.get(name=job.name)
    assert finished.dest is not None
    (item,) = finished.dest.inlined_embed_content_responses or []
    assert item.response is not None
    assert item.response.embedding is not None
    assert [item.response.embedding.values] == [e.values for e in online.embeddings or []]
