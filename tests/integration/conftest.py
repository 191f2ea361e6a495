"""Fixtures for tests against the in-process Gemini API emulator (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.testing.emulator import EmulatorServer

API_KEY = "test-key-3f9a7c"  # a fake key; tests check it never leaks


@pytest.fixture(autouse=True)
def _no_google_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """An emulator whose jobs end by the first status check."""
    with EmulatorServer(job_seconds=0) as emulator:
        yield emulator


@pytest.fixture
def llm(server: EmulatorServer) -> ChatGeminiBatch:
    return ChatGeminiBatch(
        model="gemini-2.5-flash",
        api_key=API_KEY,
        base_url=server.base_url,
        batch_poll_interval=0,
        max_retries=0,
    )
