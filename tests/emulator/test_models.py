"""The model catalog: `models.list` / `models.get` and Google's 404 for unknown models."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator._catalog import CATALOG, find_model
from tests.emulator.support import MODEL, inline_requests, make_client, raw_get

pytestmark = pytest.mark.emulator

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = "Call ListModels to see the list of available models and their supported methods."


def _not_found(model: str, method: str) -> str:
    return (
        f"models/{model} is not found for API version v1beta, or is not supported for "
        f"{method}. {SUFFIX}"
    )


def test_list_follows_googles_page_tokens(server: EmulatorServer, client: genai.Client) -> None:
    listed = list(client.models.list(config={"page_size": 5}))
    assert [m.name for m in listed] == [m.name for m in CATALOG]
    pages = -(-len(CATALOG) // 5)
    assert server.count("models.list") == pages
    tokens = [r.query.get("pageToken") for r in server.requests]
    assert tokens[0] is None
    assert all(tokens[1:])
    first = raw_get(client, "models?pageSize=2")
    assert len(first["models"]) == 2
    # Google's token: the last name listed, proto-encoded (field 1, length, bytes), base64.
    assert base64.b64decode(first["nextPageToken"]) == b"\n\x15models/gemini-2.5-pro"


def test_list_default_page_holds_the_whole_catalog(client: genai.Client) -> None:
    body = raw_get(client, "models")
    assert set(body) == {"models"}
    assert len(body["models"]) == len(CATALOG)


async def test_list_async(aclient: AsyncClient) -> None:
    pager = await aclient.models.list(config={"page_size": 4})
    names = [model.name async for model in pager]
    assert "models/gemini-embedding-001" in names
    assert len(names) == len(CATALOG)


def test_get_returns_googles_model_shape(client: genai.Client) -> None:
    model = client.models.get(model=MODEL)
    assert model.name == "models/gemini-2.5-flash"
    assert model.display_name == "Gemini 2.5 Flash"
    assert model.version == "001"
    assert (model.input_token_limit, model.output_token_limit) == (1048576, 65536)
    assert model.supported_actions == [
        "generateContent",
        "countTokens",
        "createCachedContent",
        "batchGenerateContent",
    ]
    assert model.thinking is True
    assert (model.temperature, model.max_temperature, model.top_p, model.top_k) == (
        1,
        2,
        0.95,
        64,
    )
    raw = raw_get(client, "models/gemini-embedding-001")
    assert raw["supportedGenerationMethods"] == [
        "embedContent",
        "countTextTokens",
        "countTokens",
        "asyncBatchEmbedContent",
    ]
    assert "temperature" not in raw
    assert "thinking" not in raw


def test_get_unknown_model_is_404(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.get(model="gemini-9-ultra")
    assert caught.value.code == 404
    assert caught.value.status == "NOT_FOUND"
    assert caught.value.message == _not_found("gemini-9-ultra", "get")


@pytest.mark.parametrize(
    ("model", "refused"),
    [
        ("gemini-9-ultra", 4),  # unknown: refused everywhere
        ("gemini-embedding-001", 3),  # known, supports countTokens but does not generate
    ],
)
def test_every_generation_endpoint_refuses_the_model(
    server: EmulatorServer, client: genai.Client, model: str, refused: int
) -> None:
    calls: dict[str, Callable[[], object]] = {
        "generateContent": lambda: client.models.generate_content(model=model, contents="x"),
        "StreamGenerateContent": lambda: list(
            client.models.generate_content_stream(model=model, contents="x")
        ),
        "countTokens": lambda: client.models.count_tokens(model=model, contents="x"),
        "batchGenerateContent": lambda: client.batches.create(model=model, src=inline_requests(1)),
    }
    if refused == 3:
        assert client.models.count_tokens(model=model, contents="x").total_tokens == 1
        del calls["countTokens"]
    for name, call in calls.items():
        with pytest.raises(errors.ClientError) as caught:
            call()
        assert caught.value.code == 404
        assert caught.value.message == _not_found(model, name)
    assert sum(1 for r in server.requests if r.status == 404) == refused


def test_a_model_without_batch_support_is_refused_on_create(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model="text-embedding-004", src=inline_requests(1))
    assert caught.value.message == _not_found("text-embedding-004", "batchGenerateContent")


@pytest.mark.parametrize(
    "model",
    ["gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-2.0-flash", "gemini-3-pro-preview",
     "gemini-3-flash-preview", "gemini-flash-latest"],
)  # fmt: skip
def test_current_generation_models_serve_online_and_batch(client: genai.Client, model: str) -> None:
    assert client.models.generate_content(model=model, contents="hi").text == "Echo: hi"
    assert client.batches.create(model=model, src=inline_requests(1)).model == f"models/{model}"


def test_extra_models_are_served_listed_and_typed() -> None:
    extra = ("gemini-9-ultra", "models/my-embedding-x", "tunedModels/my-tune")
    with EmulatorServer(job_seconds=0, extra_models=extra) as server, make_client(server) as client:
        assert client.models.generate_content(model="gemini-9-ultra", contents="a").text
        assert client.models.get(model="tunedModels/my-tune").name == "tunedModels/my-tune"
        names = [m.name for m in client.models.list()]
        tuned = [m.name for m in client.models.list(config={"query_base": False})]
        embedding = client.models.get(model="my-embedding-x")
    assert names[-2:] == ["models/gemini-9-ultra", "models/my-embedding-x"]
    assert tuned == ["tunedModels/my-tune"]
    assert embedding.supported_actions is not None
    assert "asyncBatchEmbedContent" in embedding.supported_actions
    assert server.count("tunedModels.list") == 1


def test_tuned_model_list_is_empty_by_default(client: genai.Client) -> None:
    assert list(client.models.list(config={"query_base": False})) == []
    assert raw_get(client, "tunedModels") == {}


def test_bad_page_token_is_400(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.list(config={"page_token": "bogus"})
    assert caught.value.code == 400


def test_extra_models_must_be_model_names() -> None:
    with pytest.raises(ValueError, match="extra_models"):
        EmulatorServer(extra_models=["bad/name/x"])
    assert EmulatorServer(extra_models="gemini-x").options.extra_models == ("gemini-x",)


def test_the_catalog_covers_every_model_the_project_sends() -> None:
    model_id = r"(?:gemini-(?:\d|flash|pro|embedding)|text-embedding-)[\w.-]*"
    pattern = re.compile(rf"[\"'](?:models/)?({model_id})[\"']")
    sources = [
        *ROOT.joinpath("examples").rglob("*.py"),
        *ROOT.joinpath("bench").rglob("*.py"),
        *ROOT.joinpath("tests", "cassette_support").rglob("*.py"),
        *ROOT.joinpath("tests", "integration", "conftest.py").parent.glob("test_chat_*.py"),
    ]
    names = {
        match
        for path in sources
        if "emulator" not in path.parts and "pricing" not in path.parts  # prices, not requests
        for match in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert "gemini-2.5-flash" in names
    missing = sorted(name for name in names if find_model(f"models/{name}") is None)
    assert missing == []


def test_model_resource_round_trips_through_the_sdk_type() -> None:
    for entry in CATALOG:
        model = types.Model._from_response(response=entry.resource(), kwargs={})
        assert model.name == entry.name
