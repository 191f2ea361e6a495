"""`GeminiBatchEmbeddings` offline: the names of `GoogleGenerativeAIEmbeddings`, checks, secrets."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from langchain_google_genai import GoogleGenerativeAIEmbeddings
from pydantic import ValidationError

from langchain_gemini_batch import InvalidRequestError
from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings

KEY = "unit-secret-key-8d1f"


def test_every_constructor_name_of_langchain_google_genai_is_accepted() -> None:
    theirs = GoogleGenerativeAIEmbeddings.model_fields
    ours = GeminiBatchEmbeddings.model_fields
    for name, field in theirs.items():
        if name == "client":  # their google-genai client object; ours is built on first use
            continue
        assert name in ours, name
        assert ours[name].alias == field.alias, name
        if not field.is_required() and field.default_factory is None:
            assert ours[name].get_default() == field.get_default(), name


@pytest.mark.parametrize("method", ["embed_documents", "aembed_documents"])
def test_document_and_query_methods_take_their_keywords(method: str) -> None:
    for name in (method, method.replace("documents", "query")):
        theirs = inspect.signature(getattr(GoogleGenerativeAIEmbeddings, name)).parameters
        ours = inspect.signature(getattr(GeminiBatchEmbeddings, name)).parameters
        assert list(theirs) == list(ours)[: len(theirs)], name


def test_the_key_is_read_from_either_name_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for kwargs in ({"api_key": KEY}, {"google_api_key": KEY}):
        model = GeminiBatchEmbeddings(**kwargs)
        assert model.google_api_key is not None
        assert model.google_api_key.get_secret_value() == KEY
        assert KEY not in repr(model)
        assert KEY not in str(model.model_dump())
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    assert GeminiBatchEmbeddings().google_api_key is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vertexai": True}, "Gemini Developer API only"),
        ({"credentials": object()}, "Gemini Developer API only"),
        ({"project": "p"}, "project selects Vertex AI"),
        ({"api_version": "v1"}, "api_version must be 'v1beta'"),
        ({"request_options": {"retry": 3}}, "unknown request_options key 'retry'"),
        ({"task_type": "GUESSING"}, "task_type 'GUESSING' is not one of"),
        ({"output_dimensionality": -4}, "output_dimensionality must be a positive"),
        ({"batch_poll_interval": 5, "batch_poll_max_interval": 1}, "batch_poll_max_interval"),
        ({"batch_inline_max_bytes": 30_000_000}, "inline_max_bytes must be between"),
        ({"batch_timout": 5}, "batch_timout"),
    ],
)
def test_settings_google_would_refuse_fail_at_construction(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValidationError, InvalidRequestError)) as caught:
        GeminiBatchEmbeddings(api_key=KEY, **kwargs)
    assert message in str(caught.value)


def test_vertex_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    with pytest.raises(ValidationError, match="Vertex AI has no embedding batches"):
        GeminiBatchEmbeddings(api_key=KEY)
    assert GeminiBatchEmbeddings(api_key=KEY, vertexai=False).vertexai is False


async def test_nothing_is_sent_for_no_texts_or_an_invalid_one() -> None:
    # pytest-socket blocks every connection here: these must fail (or succeed) offline
    model = GeminiBatchEmbeddings(api_key=KEY)
    assert model.embed_documents([]) == []
    assert await model.aembed_documents([]) == []
    with pytest.raises(InvalidRequestError, match="request '1': the text to embed must be"):
        await model.aembed_documents(["fine", "", "fine too"])
    with pytest.raises(ValueError, match="titles has 1 entries for 2 texts"):
        await model.aembed_documents(["a", "b"], titles=["only one"])
    with pytest.raises(InvalidRequestError, match="title applies only with task_type"):
        await model.aembed_query("q", title="T")  # queries default to RETRIEVAL_QUERY


def test_without_a_key_the_first_call_says_where_to_put_one() -> None:
    model = GeminiBatchEmbeddings()  # construction does no I/O and needs no key
    with pytest.raises(ValueError, match="no Gemini API key"):
        model.embed_query("hello")
