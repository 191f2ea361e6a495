"""This project's cassettes: the top-level `cassettes/` folder, with the package's vcr settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_gemini_batch.testing.cassettes import make_vcr as _make_vcr

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
MANIFEST = CASSETTES / "manifest.json"


def make_vcr(record_mode: str) -> Any:
    """A VCR for `cassettes/` in the given record mode."""
    return _make_vcr(CASSETTES, record_mode=record_mode)


def use_cassette(recorder: Any, name: str) -> Any:
    """Open a cassette; identical requests replay in recording order, once each."""
    return recorder.use_cassette(name, allow_playback_repeats=False)


def read_manifest() -> dict[str, dict[str, Any]]:
    """What each cassette was recorded against (written by the recorder)."""
    if not MANIFEST.exists():
        return {}
    manifest: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text())
    return manifest
