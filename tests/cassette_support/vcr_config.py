"""The vcrpy configuration shared by recording and replay.

Matching is on method, scheme, host, port, path, query and the exact body bytes; headers
are not matched (`user-agent` and `x-goog-api-client` embed the Python version). Identical
polls replay in recording order, once each (`allow_playback_repeats=False`). Secrets never
reach a cassette: the key header and query parameter are replaced, and every response
header except the ones the SDK reads (`content-type`, the resumable upload's
`x-goog-upload-*`) is dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vcr

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
MANIFEST = CASSETTES / "manifest.json"
REDACTED = "REDACTED"

_KEEP_RESPONSE_HEADERS = {"content-type", "x-goog-upload-url", "x-goog-upload-status"}


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {
        name: value
        for name, value in response["headers"].items()
        if name.lower() in _KEEP_RESPONSE_HEADERS
    }
    return response


def _exact_body(r1: Any, r2: Any) -> None:
    """Bodies match byte for byte (vcrpy's own matcher JSON-decodes anything sent as
    `application/json`, which the SDK also claims for raw JSONL upload chunks)."""
    if r1.body != r2.body:
        raise AssertionError("request bodies differ")


def make_vcr(record_mode: str) -> vcr.VCR:
    """A VCR for the top-level `cassettes/` folder, in the given record mode."""
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=("method", "scheme", "host", "port", "path", "query", "exact_body"),
        filter_headers=[
            ("x-goog-api-key", REDACTED),
            ("authorization", REDACTED),
            ("x-goog-user-project", REDACTED),
            ("user-agent", None),
            ("x-goog-api-client", None),
        ],
        filter_query_parameters=[("key", REDACTED)],
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("exact_body", _exact_body)
    return recorder


def use_cassette(recorder: vcr.VCR, name: str) -> Any:
    """Open a cassette; identical requests replay in recording order, once each."""
    return recorder.use_cassette(name, allow_playback_repeats=False)


def read_manifest() -> dict[str, dict[str, Any]]:
    """What each cassette was recorded against (written by the recorder)."""
    if not MANIFEST.exists():
        return {}
    manifest: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text())
    return manifest
