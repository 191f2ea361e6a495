"""Offline credentials for google-genai in Vertex AI mode, and where the SDK sends requests."""

from __future__ import annotations

import google.auth.credentials
import google.auth.exceptions
import google.oauth2.credentials
import pytest
from google import genai
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import (
    EmulatorCredentials,
    vertex_client,
)
from tests.emulator.vertex_support import LOCATION, PROJECT, clean_env, raw

pytestmark = pytest.mark.emulator

JOBS_PATH = f"/v1beta1/projects/{PROJECT}/locations/{LOCATION}/batchPredictionJobs"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    with EmulatorServer(job_seconds=0, deterministic=True) as running:
        yield running


def _client(
    server: EmulatorServer, credentials: google.auth.credentials.Credentials
) -> genai.Client:
    return genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=credentials,
        http_options=types.HttpOptions(base_url=server.base_url),
    )


def test_anonymous_credentials_fail_before_any_request(server: EmulatorServer) -> None:
    client = _client(server, google.auth.credentials.AnonymousCredentials())  # type: ignore[no-untyped-call]
    with pytest.raises(google.auth.exceptions.InvalidOperation, match="cannot be refreshed"):
        client.batches.list()
    assert server.requests == []


@pytest.mark.parametrize(
    "credentials",
    [
        EmulatorCredentials(),
        google.oauth2.credentials.Credentials(token="static-token"),  # type: ignore[no-untyped-call]
    ],
    ids=["EmulatorCredentials", "oauth2-static-token"],
)
def test_static_token_credentials_reach_the_emulator(
    server: EmulatorServer, credentials: google.auth.credentials.Credentials
) -> None:
    client = _client(server, credentials)
    assert list(client.batches.list()) == []
    assert [(r.method, r.path, r.status) for r in server.requests] == [("GET", JOBS_PATH, 200)]
    assert credentials.token is not None


async def test_emulator_credentials_work_with_the_async_client(server: EmulatorServer) -> None:
    client = vertex_client(server.base_url, project=PROJECT, location=LOCATION)
    pager = await client.aio.batches.list()
    assert [job async for job in pager] == []
    assert server.count("batchPredictionJobs.list", status=200) == 1


def test_emulator_credentials_survive_a_forced_refresh() -> None:
    credentials = EmulatorCredentials("fixed")
    credentials.refresh(None)
    assert credentials.token == "fixed"
    assert credentials.valid
    assert not credentials.expired


def test_vertex_calls_without_credentials_get_401(server: EmulatorServer) -> None:
    status, body = raw(server, "GET", JOBS_PATH)
    assert status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"
    assert body["error"]["code"] == 401
    status, _ = raw(server, "GET", JOBS_PATH, Authorization="Bearer anything")
    assert status == 200
    assert [r.status for r in server.requests] == [401, 200]


def test_env_only_project_and_location_are_dropped_with_a_custom_base_url(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """google-genai 3.6.1 clears project/location unless they are passed to the client."""
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", LOCATION)
    bare = genai.Client(
        vertexai=True,
        credentials=EmulatorCredentials(),
        http_options=types.HttpOptions(base_url=server.base_url),
    )
    with pytest.raises(errors.ClientError):
        bare.batches.get(name="1234567890123456789")
    assert server.requests[-1].path == "/"
    fixed = vertex_client(server.base_url)  # reads the same variables and passes them on
    assert list(fixed.batches.list()) == []
    assert server.requests[-1].path == JOBS_PATH


def test_vertex_base_url_variable_needs_vertexai_true(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_VERTEX_BASE_URL", server.base_url)
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    implicit = genai.Client(project=PROJECT, location=LOCATION, credentials=EmulatorCredentials())
    assert implicit._api_client._http_options.base_url != server.base_url
    explicit = genai.Client(
        vertexai=True, project=PROJECT, location=LOCATION, credentials=EmulatorCredentials()
    )
    assert list(explicit.batches.list()) == []
    assert server.count("batchPredictionJobs.list") == 1
    from_env = vertex_client()  # GOOGLE_VERTEX_BASE_URL, passed with vertexai=True
    assert list(from_env.batches.list()) == []
    assert server.count("batchPredictionJobs.list") == 2


def test_v1_api_version_is_served(server: EmulatorServer) -> None:
    client = vertex_client(server.base_url, project=PROJECT, api_version="v1")
    assert list(client.batches.list()) == []
    assert server.requests[-1].path == JOBS_PATH.replace("/v1beta1/", "/v1/")


def test_vertex_client_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match="GOOGLE_VERTEX_BASE_URL"):
        vertex_client()
