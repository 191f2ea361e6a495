"""vcrpy settings for recording google-genai traffic (this package's and your own chains').

```python
import vcr
from langchain_gemini_batch.testing.cassettes import make_vcr

recorder = make_vcr("tests/cassettes", record_mode="none")  # "once" / "all" to record
with recorder.use_cassette("my_chain.yaml", allow_playback_repeats=False):
    await chain.abatch(inputs)
```

With pytest-recording, return `vcr_config()` from a `vcr_config` fixture and register the
matcher in `pytest_recording_configure(config, vcr)` with `register_matchers(vcr)`.

Matching is on method, scheme, host, port, path, query and the exact body bytes (a Cloud
Storage multipart upload's random boundary aside); headers are
not matched (`user-agent` and `x-goog-api-client` embed the Python version). Keep
`allow_playback_repeats=False` so identical status polls replay in recording order, once each.
Secrets never reach a cassette: the `x-goog-api-key`, `authorization` and `x-goog-user-project`
headers and the `key` query parameter are replaced with `REDACTED`, and every response header
but the ones the SDK reads (`content-type`, the resumable upload's `x-goog-upload-url` and
`x-goog-upload-status`) is dropped. vcrpy is needed only when these are called.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["REDACTED", "make_vcr", "register_matchers", "scrub_response", "vcr_config"]

REDACTED = "REDACTED"
_KEEP_RESPONSE_HEADERS = frozenset({"content-type", "x-goog-upload-url", "x-goog-upload-status"})


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop every response header the SDK does not need on replay (`before_record_response`)."""
    response["headers"] = {
        name: value
        for name, value in response["headers"].items()
        if name.lower() in _KEEP_RESPONSE_HEADERS
    }
    return response


_MULTIPART_BOUNDARY = re.compile(rb"={15}\d+==")


def _canonical(body: Any) -> Any:
    """The body with google-cloud-storage's random multipart boundary made fixed."""
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, bytes) and body.startswith(b"--="):
        return _MULTIPART_BOUNDARY.sub(b"BOUNDARY", body)
    return body


def fix_boundary(request: Any) -> Any:
    """`before_record_request`: record multipart uploads with a fixed boundary.

    google-cloud-storage draws a random boundary per upload; writing a fixed one (in the body
    and the `content-type` header) keeps re-recorded cassettes byte-identical.
    """
    body = request.body
    if isinstance(body, (bytes, str)) and _canonical(body) != (
        body.encode() if isinstance(body, str) else body
    ):
        request.body = _canonical(body)
        for name in list(request.headers):
            if name.lower() == "content-type":
                value = request.headers[name]
                raw = value.encode() if isinstance(value, str) else value
                request.headers[name] = _MULTIPART_BOUNDARY.sub(b"BOUNDARY", raw).decode()
    return request


def exact_body(r1: Any, r2: Any) -> None:
    """Vcrpy matcher: bodies equal byte for byte (multipart boundaries aside).

    vcrpy's own `body` matcher JSON-decodes anything sent as `application/json`, which the SDK
    also claims for raw JSONL upload chunks; the SDK's JSON bodies are deterministic anyway.
    google-cloud-storage's multipart uploads draw a random boundary
    (`===============<digits>==`); it is compared as a fixed string.
    """
    if _canonical(r1.body) != _canonical(r2.body):
        raise AssertionError("request bodies differ")


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `vcr.VCR(...)` or pytest-recording's `vcr_config` fixture."""
    config: dict[str, Any] = {
        "match_on": ("method", "scheme", "host", "port", "path", "query", "exact_body"),
        "filter_headers": [
            ("x-goog-api-key", REDACTED),
            ("authorization", REDACTED),
            ("x-goog-user-project", REDACTED),
            ("user-agent", None),
            ("x-goog-api-client", None),
        ],
        "filter_query_parameters": [("key", REDACTED)],
        "before_record_request": fix_boundary,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }
    config.update(overrides)
    return config


def register_matchers(recorder: Any) -> None:
    """Register `exact_body` on a `vcr.VCR` (pytest-recording: in `pytest_recording_configure`)."""
    recorder.register_matcher("exact_body", exact_body)


def make_vcr(cassette_dir: str | Path, *, record_mode: str = "none", **overrides: Any) -> Any:
    """A `vcr.VCR` with these settings, reading and writing cassettes in `cassette_dir`."""
    import vcr  # noqa: PLC0415 - vcrpy is a test dependency, needed only here

    recorder = vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=record_mode,
        **vcr_config(**overrides),
    )
    register_matchers(recorder)
    return recorder
