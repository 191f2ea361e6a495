"""Fixtures: an in-process emulator and google-genai clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from google import genai
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import make_client

_ENV = (
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """A deterministic emulator whose jobs have ended by the first get."""
    with EmulatorServer(job_seconds=0, deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[genai.Client]:
    with make_client(server) as sync_client:
        yield sync_client


@pytest.fixture
async def aclient(server: EmulatorServer) -> AsyncIterator[AsyncClient]:
    sync_client = make_client(server)
    async with sync_client.aio as async_client:
        yield async_client
    sync_client.close()
