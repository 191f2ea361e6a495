"""Helpers shared by the Vertex AI and Cloud Storage emulator tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from google.cloud import storage

from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"
PROJECT = "test-project"
LOCATION = "us-central1"
BUCKET = "batch-bucket"
INPUT_URI = f"gs://{BUCKET}/in/input.jsonl"
_ENV = (
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "STORAGE_EMULATOR_HOST",
    "API_ENDPOINT_OVERRIDE",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clears the variables the clients read, and stops google-cloud-storage 3.17's background
    bucket-metadata GET (it would make request counts racy)."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")


def request_line(key: str, text: str, **request: Any) -> dict[str, Any]:
    """One Vertex input line: a `key` beside the request."""
    return {
        "key": key,
        "request": {"contents": [{"role": "user", "parts": [{"text": text}]}]} | request,
    }


def jsonl(lines: Iterable[Mapping[str, Any]]) -> bytes:
    """Encodes JSONL."""
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def seed_input(server: EmulatorServer, count: int, uri: str = INPUT_URI) -> list[dict[str, Any]]:
    """Creates the bucket (if needed) and writes `count` lines keyed `r-0`, `r-1`, ... to `uri`."""
    bucket = uri.removeprefix("gs://").split("/", 1)[0]
    if bucket not in server.cloud.buckets():
        server.cloud.create_bucket(bucket)
    lines = [request_line(f"r-{i}", f"question {i}") for i in range(count)]
    server.cloud.write(uri, jsonl(lines))
    return lines


def read_predictions(server: EmulatorServer, directory: str) -> list[dict[str, Any]]:
    """The lines of `<directory>/predictions.jsonl`, in file order."""
    data = server.cloud.read(f"{directory}/predictions.jsonl")
    return [json.loads(line) for line in data.decode().splitlines() if line]


def raw(server: EmulatorServer, method: str, path: str, **headers: str) -> tuple[int, Any]:
    """One raw HTTP call to the emulator (to see status and body exactly): (status, JSON)."""
    request = urllib.request.Request(server.base_url + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def gcs(server: EmulatorServer) -> storage.Client:
    """A google-cloud-storage client on the emulator (through `client_options`)."""
    from langchain_gemini_batch.testing.emulator.vertex_auth import storage_client

    return storage_client(server.base_url, project=PROJECT)
