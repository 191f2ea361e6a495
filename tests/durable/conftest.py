"""Fixtures for the durability tests: an emulator, an invoker on it, its journal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import GoogleLMInvoker, Journal, PollingPolicy
from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"
API_KEY = "durable-test-key-51c7e2"
FAST = PollingPolicy(0.01, 0.05, 1.5)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(job_seconds=0) as emulator:
        yield emulator


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


def make_invoker(server: EmulatorServer, journal: Path | bool, **options: Any) -> GoogleLMInvoker:
    """A fresh invoker on `server`, as a new process would build it."""
    return GoogleLMInvoker(MODEL, API_KEY, base_url=server.base_url, journal=journal, **options)


def jobs_created(server: EmulatorServer) -> int:
    """Batch jobs the emulator created (creates answered 200)."""
    return server.count("batchGenerateContent", status=200)


def journal_of(path: Path) -> Journal:
    return Journal(path)
