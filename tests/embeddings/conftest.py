"""Fixtures for embeddings against the in-process emulator (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import PollingPolicy
from langchain_gemini_batch.em_invoker import GoogleEMInvoker
from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings
from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-embedding-001"
API_KEY = "embed-test-key-0c4e9a"  # a fake key; tests check it never leaks
FAST = PollingPolicy(0.01, 0.05, 1.5)
DIM = 16
"""A small `output_dimensionality`: the emulator draws the full 3072 values anyway."""

MakeEmbeddings = Callable[..., GeminiBatchEmbeddings]
MakeInvoker = Callable[..., GoogleEMInvoker]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_GEMINI_BASE_URL",
        "GOOGLE_GENAI_USE_VERTEXAI",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """An emulator whose jobs end by the first status check."""
    with EmulatorServer(job_seconds=0) as emulator:
        yield emulator


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def make_embeddings(server: EmulatorServer, journal_path: Path) -> MakeEmbeddings:
    """A new `GeminiBatchEmbeddings` on the emulator (as a new process would build it)."""

    def make(**options: Any) -> GeminiBatchEmbeddings:
        settings: dict[str, Any] = {
            "model": MODEL,
            "api_key": API_KEY,
            "base_url": server.base_url,
            "output_dimensionality": DIM,
            "batch_poll_interval": 0.01,
            "batch_poll_max_interval": 0.05,
            "journal": journal_path,
            **options,
        }
        return GeminiBatchEmbeddings(**settings)

    return make


@pytest.fixture
def make_invoker(server: EmulatorServer, journal_path: Path) -> MakeInvoker:
    """A new `GoogleEMInvoker` on the emulator."""

    def make(**options: Any) -> GoogleEMInvoker:
        settings: dict[str, Any] = {
            "output_dimensionality": DIM,
            "base_url": server.base_url,
            "journal": journal_path,
            **options,
        }
        return GoogleEMInvoker(MODEL, API_KEY, **settings)

    return make


def jobs_created(server: EmulatorServer) -> int:
    """Embedding batch jobs the emulator created (creates answered 200)."""
    return server.count("asyncBatchEmbedContent", status=200)


def texts(n: int, prefix: str = "Document") -> list[str]:
    return [f"{prefix} number {i}: about topic {i % 7}." for i in range(n)]
