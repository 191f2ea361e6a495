"""Fixtures for every test: each test gets its own job journal and spool, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_journal(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point `GEMINI_BATCH_JOURNAL` at a fresh file, so no test reattaches to another's jobs."""
    path = tmp_path_factory.mktemp("journal") / "journal.sqlite3"
    monkeypatch.setenv("GEMINI_BATCH_JOURNAL", str(path))
    return path
