"""Cloud Storage for Vertex AI batches, through the official `google-cloud-storage` client.

The client is synchronous (google-auth's `requests` session); every call runs in a worker
thread. It is imported on first use, so the package works without it until a Vertex batch
needs it (`pip install "langchain-gemini-batch[vertex]"`).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_gemini_batch._auth import is_anonymous

__all__ = ["CloudStorage", "join_uri", "parse_gs_uri"]

EXTRA_HINT = (
    'Vertex AI batches need google-cloud-storage: pip install "langchain-gemini-batch[vertex]"'
)
_JSONL = "application/jsonl"


def parse_gs_uri(uri: str) -> tuple[str, str]:
    """`gs://bucket/name` as `(bucket, name)` (`name` may be empty).

    Raises:
        ValueError: Not a `gs://` URI with a bucket.
    """
    if not uri.startswith("gs://"):
        raise ValueError(f"not a Cloud Storage URI (gs://bucket/...): {uri!r}")
    bucket, _, name = uri.removeprefix("gs://").partition("/")
    if not bucket:
        raise ValueError(f"the Cloud Storage URI names no bucket: {uri!r}")
    return bucket, name


def join_uri(prefix: str, *parts: str) -> str:
    """`prefix/part/...` without doubled slashes."""
    return "/".join([prefix.rstrip("/"), *(part.strip("/") for part in parts)])


def _storage_module() -> Any:
    try:
        return importlib.import_module("google.cloud.storage")  # an optional dependency
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc


class CloudStorage:
    """The few Cloud Storage calls a Vertex AI batch makes.

    Args:
        project: The project (billing for requester-pays buckets, bucket listing), or a
            function that finds it (called when the client is built).
        credentials: google-auth credentials (`None`: application default credentials;
            `AnonymousCredentials()`: no `Authorization` header, for an emulator).
        base_url: A custom Cloud Storage endpoint (an emulator); default
            `STORAGE_EMULATOR_HOST`, else Google's.
        client: A ready `google.cloud.storage.Client` to use instead (advanced use).
    """

    def __init__(
        self,
        *,
        project: str | Callable[[], str | None] | None,
        credentials: Any = None,
        base_url: str | None = None,
        client: Any = None,
    ) -> None:
        self.project = project
        self.credentials = credentials
        self.base_url = base_url
        self._client = client

    def __repr__(self) -> str:
        return f"CloudStorage(base_url={self.base_url!r})"

    @cached_property
    def client(self) -> Any:
        """The `google.cloud.storage.Client` (built on first use)."""
        if self._client is not None:
            return self._client
        storage = _storage_module()
        credentials = self.credentials
        project = self.project() if callable(self.project) else self.project
        kwargs: dict[str, Any] = {"project": project, "credentials": credentials}
        if self.base_url:
            kwargs["client_options"] = {"api_endpoint": self.base_url.rstrip("/")}
            kwargs["use_auth_w_custom_endpoint"] = not (
                credentials is None or is_anonymous(credentials)
            )
        return storage.Client(**kwargs)

    def _blob(self, uri: str) -> Any:
        bucket, name = parse_gs_uri(uri)
        if not name:
            raise ValueError(f"the Cloud Storage URI names no object: {uri!r}")
        return self.client.bucket(bucket).blob(name)

    async def upload(self, path: Path, uri: str) -> None:
        """Upload a local file to `uri` (replacing any object of that name)."""
        blob = self._blob(uri)
        await asyncio.to_thread(blob.upload_from_filename, str(path), content_type=_JSONL)

    async def delete(self, uri: str) -> None:
        """Delete the object at `uri` (`google.api_core.exceptions.NotFound` when absent)."""
        await asyncio.to_thread(self._blob(uri).delete)

    async def list_uris(self, prefix_uri: str) -> list[str]:
        """The `gs://` URIs of every object whose name starts with the prefix, sorted."""
        bucket, prefix = parse_gs_uri(prefix_uri)

        def names() -> list[str]:
            return sorted(b.name for b in self.client.list_blobs(bucket, prefix=prefix))

        return [f"gs://{bucket}/{name}" for name in await asyncio.to_thread(names)]

    async def download_all(self, uris: list[str], destination: Path) -> None:
        """Download the objects, one after the other, into one local file (truncated first).

        A newline is added after an object that does not end with one.
        """

        def run() -> None:
            with destination.open("wb") as out:
                for uri in uris:
                    start = out.tell()
                    self._blob(uri).download_to_file(out)
                    if out.tell() > start:
                        out.flush()
                        with destination.open("rb") as check:
                            check.seek(out.tell() - 1)
                            if check.read(1) != b"\n":
                                out.write(b"\n")

        await asyncio.to_thread(run)

    def close(self) -> None:
        """Close the client's HTTP session, if one was built."""
        client = self.__dict__.get("client")
        if client is not None and self._client is None:
            session = getattr(client, "_http_internal", None)
            if session is not None:
                session.close()
