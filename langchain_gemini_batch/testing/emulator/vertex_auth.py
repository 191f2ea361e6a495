"""Offline credentials and clients for Vertex AI mode and Cloud Storage against the emulator.

google-genai in Vertex AI mode sends `Authorization: Bearer <credentials.token>` and refreshes
the credentials first whenever `credentials.expired or not credentials.token`
(`_api_client.get_token_from_credentials`). `google.auth.credentials.AnonymousCredentials()`
has no token, so the first request tries to refresh it and raises
`google.auth.exceptions.InvalidOperation: Anonymous credentials cannot be refreshed.`
`EmulatorCredentials` holds a fixed token with no expiry, so it is never refreshed (and a forced
refresh keeps the token), and no SDK patching is needed.

Two more SDK rules (google-genai 3.6.1) decide where requests go:

- With a custom base URL, `project` and `location` must be passed to `genai.Client` itself:
  when they come only from `GOOGLE_CLOUD_PROJECT` / `GOOGLE_CLOUD_LOCATION`, the SDK drops them
  and sends every call to the bare base URL (`batches.get` became `GET /`).
- `GOOGLE_VERTEX_BASE_URL` is read only when `vertexai=True` is passed explicitly; with
  `GOOGLE_GENAI_USE_VERTEXAI=true` alone the SDK reads `GOOGLE_GEMINI_BASE_URL` instead.

`vertex_client` and `storage_client` apply these rules (reading the environment themselves).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import google.auth.credentials
from google import genai
from google.genai import types

from langchain_gemini_batch._auth import StaticTokenCredentials

if TYPE_CHECKING:
    from google.cloud import storage

__all__ = ["EmulatorCredentials", "storage_client", "vertex_client"]

DEFAULT_PROJECT = "emulator-project"
DEFAULT_LOCATION = "us-central1"


class EmulatorCredentials(StaticTokenCredentials):
    """Google credentials with one fixed bearer token that never expires nor refreshes.

    Works with google-genai (`genai.Client(vertexai=True, credentials=...)`, sync and async)
    and with google-cloud-storage (`storage.Client(credentials=...)`). The token is sent as is;
    the emulator accepts any non-empty one. The package's `GoogleLMInvoker` sends such a
    credential by itself when given `AnonymousCredentials()` and a custom `base_url`.

    Args:
        token: The bearer token to send.
    """

    def __init__(self, token: str = "emulator-token") -> None:  # noqa: S107 - not a secret
        super().__init__(token)


def _setting(value: str | None, *names: str, default: str) -> str:
    if value:
        return value
    return next((os.environ[n] for n in names if os.environ.get(n)), default)


def vertex_client(
    base_url: str | None = None,
    *,
    project: str | None = None,
    location: str | None = None,
    api_version: str | None = None,
    credentials: google.auth.credentials.Credentials | None = None,
) -> genai.Client:
    """A real google-genai client in Vertex AI mode, pointed at the emulator.

    Example:
        ```python
        with EmulatorServer(job_seconds=0) as server:
            client = vertex_client(server.base_url, project="my-project")
            job = client.batches.create(
                model="gemini-2.5-flash",
                src="gs://bucket/in/input.jsonl",
                config={"dest": "gs://bucket/out"},
            )
        ```

    Args:
        base_url: The emulator's `http://host:port`; else `GOOGLE_VERTEX_BASE_URL`.
        project: The project id; else `GOOGLE_CLOUD_PROJECT`, else `emulator-project`.
        location: The location; else `GOOGLE_CLOUD_LOCATION`, else `us-central1`.
        api_version: `v1beta1` (the SDK's default for Vertex AI) or `v1`.
        credentials: Credentials to use; `EmulatorCredentials()` when omitted.

    Raises:
        ValueError: No base URL was given or found in the environment.
    """
    url = base_url or os.environ.get("GOOGLE_VERTEX_BASE_URL")
    if not url:
        raise ValueError("pass base_url or set GOOGLE_VERTEX_BASE_URL to the emulator's URL")
    return genai.Client(
        vertexai=True,
        project=_setting(project, "GOOGLE_CLOUD_PROJECT", default=DEFAULT_PROJECT),
        location=_setting(location, "GOOGLE_CLOUD_LOCATION", default=DEFAULT_LOCATION),
        credentials=credentials or EmulatorCredentials(),
        http_options=types.HttpOptions(base_url=url, api_version=api_version),
    )


def storage_client(base_url: str | None = None, *, project: str | None = None) -> storage.Client:
    """A real google-cloud-storage client pointed at the emulator, sending no credentials.

    Needs the `vertex` extra (google-cloud-storage). Equivalent to setting
    `STORAGE_EMULATOR_HOST=http://host:port` and calling `storage.Client()`.

    Args:
        base_url: The emulator's `http://host:port`; else `STORAGE_EMULATOR_HOST`.
        project: The project id; else `GOOGLE_CLOUD_PROJECT`, else `emulator-project`.

    Raises:
        ValueError: No base URL was given or found in the environment.
    """
    from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415
    from google.cloud import storage  # noqa: PLC0415 - optional dependency

    url = base_url or os.environ.get("STORAGE_EMULATOR_HOST")
    if not url:
        raise ValueError("pass base_url or set STORAGE_EMULATOR_HOST to the emulator's URL")
    return storage.Client(
        project=_setting(project, "GOOGLE_CLOUD_PROJECT", default=DEFAULT_PROJECT),
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": url},
        use_auth_w_custom_endpoint=False,
    )
