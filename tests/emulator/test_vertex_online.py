"""Online calls in Vertex AI mode: generateContent, streaming and countTokens."""

from __future__ import annotations

import pytest
from google import genai
from google.genai import errors

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import vertex_client
from tests.emulator.vertex_support import LOCATION, MODEL, PROJECT, clean_env

pytestmark = pytest.mark.emulator

MODEL_PATH = f"/v1beta1/projects/{PROJECT}/locations/{LOCATION}/publishers/google/models/{MODEL}"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    with EmulatorServer(deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> genai.Client:
    return vertex_client(server.base_url, project=PROJECT, location=LOCATION)


def test_generate_content(server: EmulatorServer, client: genai.Client) -> None:
    response = client.models.generate_content(
        model=MODEL, contents="hello", config={"labels": {"team": "a"}, "max_output_tokens": 20}
    )
    assert response.text == "Echo: hello"
    assert response.model_version == MODEL
    assert response.create_time is not None
    [call] = server.requests
    assert (call.path, call.action, call.status) == (
        f"{MODEL_PATH}:generateContent",
        "publishers.models.generateContent",
        200,
    )
    assert call.body["labels"] == {"team": "a"}


def test_stream_generate_content(server: EmulatorServer, client: genai.Client) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="stream me"))
    assert len(chunks) > 1
    assert "".join(chunk.text or "" for chunk in chunks) == "Echo: stream me"
    assert server.count("publishers.models.streamGenerateContent", status=200) == 1
    assert server.requests[-1].query == {"alt": "sse"}


def test_count_tokens(server: EmulatorServer, client: genai.Client) -> None:
    counted = client.models.count_tokens(model=MODEL, contents="twelve chars")
    assert counted.total_tokens == 3
    assert server.count("publishers.models.countTokens", status=200) == 1


async def test_async_generate_content(server: EmulatorServer, client: genai.Client) -> None:
    response = await client.aio.models.generate_content(model=MODEL, contents="async")
    assert response.text == "Echo: async"
    assert server.count("publishers.models.generateContent") == 1


def test_unknown_model_gets_vertex_404(server: EmulatorServer, client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="text-bison", contents="hi")
    assert raised.value.code == 404
    assert str(raised.value.message).startswith("Publisher Model `projects/")
    assert server.count("publishers.models.generateContent", status=404) == 1


def test_invalid_request_gets_400(server: EmulatorServer, client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client._api_client.request(
            "post", f"publishers/google/models/{MODEL}:generateContent", {"contents": []}
        )
    assert raised.value.code == 400
    assert server.count("publishers.models.generateContent", status=400) == 1
