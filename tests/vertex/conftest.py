"""Fixtures for the Vertex AI tests: a clean environment and a deterministic emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.vertex_support import clean_env
from tests.vertex.support import with_bucket


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)
    monkeypatch.delenv("GEMINI_BATCH_GCS_STAGING_URI", raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """A deterministic emulator (jobs last 3 virtual seconds) with the staging bucket."""
    with EmulatorServer(job_seconds=3, deterministic=True) as running:
        yield with_bucket(running)
