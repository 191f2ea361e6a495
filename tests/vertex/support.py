"""Helpers for the Vertex AI tests: an emulator, an invoker on it, request counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.genai import types

from langchain_gemini_batch import GoogleLMInvoker, PollingPolicy
from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"
PROJECT = "test-project"
LOCATION = "us-central1"
BUCKET = "staging-bucket"
STAGING = f"gs://{BUCKET}/gemini-batches"
NO_WAIT = PollingPolicy(initial_interval=0.0, max_interval=0.0, multiplier=1.0)


def vertex_invoker(server: EmulatorServer, **kwargs: Any) -> GoogleLMInvoker:
    """An invoker on the emulator's Vertex AI and Cloud Storage, with anonymous credentials."""
    retry = types.HttpRetryOptions(initial_delay=0.01, max_delay=0.02, jitter=0)
    settings: dict[str, Any] = {
        "vertexai": True,
        "project": PROJECT,
        "location": LOCATION,
        "credentials": AnonymousCredentials(),  # type: ignore[no-untyped-call]
        "base_url": server.base_url,
        "storage_base_url": server.base_url,
        "gcs_staging_uri": STAGING,
        "http_options": types.HttpOptions(retry_options=retry),
        **kwargs,
    }
    return GoogleLMInvoker(MODEL, **settings)


def with_bucket(server: EmulatorServer) -> EmulatorServer:
    """Create the staging bucket on the emulator."""
    if BUCKET not in server.cloud.buckets():
        server.cloud.create_bucket(BUCKET)
    return server


def actions(server: EmulatorServer) -> Counter[str]:
    """How many calls of each action the emulator answered."""
    return Counter(request.action for request in server.requests)


def staged_inputs(server: EmulatorServer) -> list[str]:
    """The staged request files still in the bucket."""
    return [uri for uri in server.cloud.objects(BUCKET) if uri.endswith("/requests.jsonl")]


def outputs(server: EmulatorServer) -> list[str]:
    """The prediction files in the bucket."""
    return [uri for uri in server.cloud.objects(BUCKET) if "/prediction-model-" in uri]
