"""`EmbedCodec`: the embedContent wire request, validation, decoding, fingerprints, planning."""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_gemini_batch import BatchLimits, InvalidRequestError, RequestFailedError
from langchain_gemini_batch.batch._plan import plan_jobs
from langchain_gemini_batch.batch.embed_codec import (
    EmbedCodec,
    EmbedInput,
    EmbedSettings,
    embed_settings,
)
from langchain_gemini_batch.errors import EmbeddingsFailedError, UnknownParameterError

DOC = EmbedSettings(task_type="RETRIEVAL_DOCUMENT", output_dimensionality=768)


def test_build_is_googles_embed_content_request() -> None:
    codec = EmbedCodec(DOC)
    assert codec.build("d1", "The fox") == {
        "content": {"parts": [{"text": "The fox"}]},
        "taskType": "RETRIEVAL_DOCUMENT",
        "outputDimensionality": 768,
    }
    assert codec.build("d2", EmbedInput("Body", title="Title"))["title"] == "Title"
    assert EmbedCodec().build("q", "x") == {"content": {"parts": [{"text": "x"}]}}
    override = codec.build("d3", {"text": "y", "task_type": "clustering"})
    assert override["taskType"] == "CLUSTERING"
    assert codec.method == "asyncBatchEmbedContent"
    assert codec.kind == "embed"
    assert codec.structured is False


def test_lines_and_inline_items_carry_the_key() -> None:
    codec = EmbedCodec(DOC)
    request = codec.build("k-1", "text")
    line = codec.encode_line("k-1", request)
    assert line.endswith(b"\n")
    assert json.loads(line) == {"key": "k-1", "request": request}
    assert codec.inline_item("k-1", request) == {"request": request, "metadata": {"key": "k-1"}}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("", "request '7': the text to embed must be a non-empty string, got an empty string"),
        (None, "request '7': the text to embed must be a non-empty string, got NoneType"),
        (EmbedInput("x", title=3), "request '7': title must be a string"),  # type: ignore[arg-type]
        ({"text": "x", "dimension": 8}, "request '7': unknown embedding request field 'dimension'"),
        ({"text": "x", "task_type": "GUESS"}, "request '7': task_type 'GUESS' is not one of"),
        ({"text": "x", "output_dimensionality": 0}, "must be a positive whole number, got 0"),
    ],
)
def test_invalid_inputs_name_the_request(item: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        EmbedCodec(DOC).build("7", item)
    assert caught.value.request_id == "7"
    assert message in str(caught.value)


def test_a_title_needs_retrieval_document() -> None:
    codec = EmbedCodec(EmbedSettings(task_type="RETRIEVAL_QUERY"))
    with pytest.raises(InvalidRequestError, match="title applies only with task_type"):
        codec.build("q", EmbedInput("x", title="T"))


def test_a_lone_surrogate_is_refused_naming_the_request_and_field() -> None:
    codec = EmbedCodec(DOC)
    request = codec.build("bad", "ok \ud800")
    with pytest.raises(InvalidRequestError) as caught:
        codec.encode_line("bad", request)
    assert caught.value.request_id == "bad"
    assert "request.content.parts[0].text holds \\ud800, a lone surrogate" in str(caught.value)


def test_settings_are_validated_and_unknown_names_refused() -> None:
    assert embed_settings(EmbedSettings(), {"task_type": "semantic_similarity"}).task_type == (
        "SEMANTIC_SIMILARITY"
    )
    with pytest.raises(UnknownParameterError, match="did you mean 'task_type'"):
        embed_settings(EmbedSettings(), {"tasktype": "X"})
    with pytest.raises(InvalidRequestError, match="output_dimensionality must be a positive"):
        EmbedCodec(EmbedSettings(output_dimensionality=True))
    with pytest.raises(InvalidRequestError, match="task_type 'NOPE' is not one of"):
        EmbedCodec(EmbedSettings(task_type="NOPE"))


def test_decode_gives_floats_or_failures_typed_as_for_generation() -> None:
    codec = EmbedCodec()
    vector = codec.decode(
        "a", {"response": {"embedding": {"values": [0.5, 0, -1]}}}, structured=False, batch_job="b"
    )
    assert vector == [0.5, 0.0, -1.0]
    assert all(type(v) is float for v in vector)
    failure = codec.decode(
        "a", {"error": {"code": 8, "message": "quota"}}, structured=False, batch_job="batches/x"
    )
    assert isinstance(failure, RequestFailedError)
    assert (failure.request_id, failure.code, failure.status) == ("a", 8, "RESOURCE_EXHAUSTED")
    assert failure.batch_job == "batches/x"
    empty = codec.decode("a", {"response": {}}, structured=False, batch_job="b")
    assert isinstance(empty, RequestFailedError)
    assert "neither an embedding nor an error" in str(empty)


def test_fingerprint_follows_model_and_settings() -> None:
    base = EmbedCodec(DOC).fingerprint("gemini-embedding-001")
    assert base == EmbedCodec(DOC).fingerprint("gemini-embedding-001")
    assert base != EmbedCodec(DOC).fingerprint("gemini-embedding-002")
    assert base != EmbedCodec(EmbedSettings(task_type="RETRIEVAL_DOCUMENT")).fingerprint(
        "gemini-embedding-001"
    )


def test_vectors_weigh_in_the_choice_of_inline_or_file() -> None:
    texts = {str(i): f"text {i}" for i in range(400)}
    limits = BatchLimits()  # 4 MB inline
    (full,) = plan_jobs(texts, EmbedCodec(), limits)  # 400 x 3072 values: ~15 MB of answer
    (small,) = plan_jobs(texts, EmbedCodec(EmbedSettings(output_dimensionality=8)), limits)
    try:
        assert not full.inline
        assert small.inline
        assert full.size < 40_000  # the requests alone are far below 4 MB
    finally:
        full.close()
        small.close()


def test_embeddings_failed_error_names_the_texts_and_keeps_the_vectors() -> None:
    failure = RequestFailedError(
        request_id="1", code=13, status="INTERNAL", error_message="boom", batch_job="batches/j"
    )
    texts = ["fine", "x" * 100, "also fine"]
    error = EmbeddingsFailedError(texts, [[0.1], None, [0.2]], {1: failure})
    assert error.vectors == [[0.1], None, [0.2]]
    assert error.failures == {1: failure}
    message = str(error)
    assert message.startswith("1 of 3 texts got no embedding: text 1 ('xxxx")
    assert "...'" in message
    assert "request '1' in batches/j failed (INTERNAL): boom" in message
