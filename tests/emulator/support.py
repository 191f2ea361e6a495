"""Helpers shared by the emulator tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from google import genai
from google.genai import types

from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"


def make_client(server: EmulatorServer, api_key: str = "test-key") -> genai.Client:
    """A real google-genai client talking to `server`."""
    return genai.Client(
        api_key=api_key,
        http_options=types.HttpOptions(base_url=server.base_url, api_version="v1beta"),
    )


def raw_request(
    client: genai.Client, method: str, path: str, body: Mapping[str, Any] | None = None
) -> str:
    """Sends one request through the SDK's API client; returns the raw body text."""
    response = client._api_client.request(method, path, dict(body or {}))
    assert response.body is not None
    return response.body


def raw_get(client: genai.Client, path: str) -> dict[str, Any]:
    """The raw JSON body of `GET path`, which the SDK otherwise hides."""
    body: dict[str, Any] = json.loads(raw_request(client, "get", path))
    return body


def inline_requests(count: int, **config: Any) -> list[types.InlinedRequest]:
    """`count` inline requests keyed `r0`, `r1`, ..., asking `question <i>`."""
    return [
        types.InlinedRequest(
            contents=f"question {i}",
            metadata={"key": f"r{i}"},
            config=types.GenerateContentConfig(**config) if config else None,
        )
        for i in range(count)
    ]


def results_by_key(job: types.BatchJob) -> dict[str, types.InlinedResponse]:
    """A finished inline job's results, keyed by their echoed `metadata.key`."""
    assert job.dest is not None
    assert job.dest.inlined_responses is not None
    return {item.metadata["key"]: item for item in job.dest.inlined_responses if item.metadata}


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    """Encodes JSONL input."""
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
