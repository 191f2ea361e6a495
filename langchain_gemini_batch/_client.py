"""The one place that talks to Google: a lazily built `google.genai.Client`.

Every call goes through the real google-genai SDK. JSON calls use the SDK's own API client
(through `_genai_compat`): the SDK's HTTP stack, headers, auth, retries and
`APIError` mapping, but without its pydantic round trip, which costs seconds per 10,000
requests and drops fields the batch API returns (`batchStats`, job `error`). Files go through
the public `client.aio.files` API, streamed from and to disk.

With `vertexai=True` the same client speaks to Vertex AI (`projects/{p}/locations/{l}/...`,
API version `v1beta1`, OAuth credentials instead of an API key); the Vertex batch backend uses
its `sdk` and `vertex_*` settings.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from google import genai
from google.genai import types
from pydantic import SecretStr

from langchain_gemini_batch import _genai_compat
from langchain_gemini_batch._auth import vertex_credentials
from langchain_gemini_batch._sdk_errors import translate_error
from langchain_gemini_batch.errors import GeminiAPIError, InvalidRequestError, MissingApiKeyError

__all__ = ["GeminiClient", "resolve_api_key"]

_T = TypeVar("_T")

API_VERSION = "v1beta"
_RETRYABLE = [408, 429, 500, 502, 503, 504]


def resolve_api_key(api_key: str | SecretStr | None) -> SecretStr | None:
    """The key from the argument, else `GOOGLE_API_KEY`, else `GEMINI_API_KEY`."""
    if isinstance(api_key, SecretStr):
        return api_key
    value = api_key or os.environ.get("GOOGLE_API_KEY") or os.environ.get("GEMINI_API_KEY")
    return SecretStr(value) if value else None


def batch_path(batch_id: str) -> str:
    """`batches/<id>` for a job name or a bare id."""
    return batch_id if batch_id.startswith("batches/") else f"batches/{batch_id}"


class GeminiClient:
    """Owns one `genai.Client` (built on first use) and exposes the raw calls we need.

    Args:
        api_key: The Gemini API key.
        base_url: Where to send requests; `None` lets the SDK use `GOOGLE_GEMINI_BASE_URL`
            or Google's endpoint.
        timeout: Per-HTTP-request timeout in seconds (not the batch deadline).
        max_retries: Retries of idempotent calls on 408/429/5xx and connection errors.
            `create_batch` is never retried here (see its docstring).
        http_options: Extra SDK `HttpOptions` merged under ours (advanced use, tests).
        vertexai: Talk to Vertex AI instead of the Gemini Developer API.
        project: The Google Cloud project (Vertex AI); default `GOOGLE_CLOUD_PROJECT`, else
            the application default credentials' project.
        location: The Vertex AI location; default `GOOGLE_CLOUD_LOCATION`, else `global`.
        credentials: google-auth credentials for Vertex AI (default: application default
            credentials). `AnonymousCredentials()` work against a custom base URL.
    """

    def __init__(
        self,
        *,
        api_key: SecretStr | None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 3,
        http_options: types.HttpOptions | None = None,
        vertexai: bool = False,
        project: str | None = None,
        location: str | None = None,
        credentials: Any = None,
    ) -> None:
        self._api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self._extra_options = http_options
        self.vertexai = vertexai
        self._project = project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None
        self.vertex_location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or "global"
        self.credentials = credentials

    def __repr__(self) -> str:
        if self.vertexai:
            return (
                f"GeminiClient(vertexai=True, project={self._project!r}, "
                f"location={self.vertex_location!r}, base_url={self.base_url!r})"
            )
        return f"GeminiClient(base_url={self.base_url!r}, api_key=SecretStr('**********'))"

    def effective_base_url(self) -> str | None:
        """Where requests go: `base_url`, else the SDK's variable, else `None` (Google).

        The variable is `GOOGLE_VERTEX_BASE_URL` on Vertex AI, `GOOGLE_GEMINI_BASE_URL` else.
        """
        variable = "GOOGLE_VERTEX_BASE_URL" if self.vertexai else "GOOGLE_GEMINI_BASE_URL"
        return self.base_url or os.environ.get(variable) or None

    def custom_base_url(self) -> str | None:
        """The base URL when it is not one of Google's (`*.googleapis.com`)."""
        url = self.effective_base_url()
        if url is None:
            return None
        host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return None if host.endswith(".googleapis.com") else url

    @property
    def vertex_project(self) -> str:
        """The Vertex AI project: argument, `GOOGLE_CLOUD_PROJECT`, else the ADC project.

        Raises:
            InvalidRequestError: No project could be found.
        """
        if self._project is None and self.custom_base_url() is None:
            import google.auth  # noqa: PLC0415 - only when no project was named

            try:
                found, project = google.auth.default()
            except Exception as exc:  # DefaultCredentialsError, or a transport failure
                raise InvalidRequestError(
                    "Vertex AI needs a project: pass project=... or set GOOGLE_CLOUD_PROJECT"
                ) from exc
            self._project = project or None
            if self.credentials is None:
                self.credentials = found
        if self._project is None:
            raise InvalidRequestError(
                "Vertex AI needs a project: pass project=... or set GOOGLE_CLOUD_PROJECT"
            )
        return self._project

    def __getstate__(self) -> dict[str, Any]:
        # Never pickle the key (nor the SDK client, which holds it and cannot be pickled):
        # an unpickled client reads GOOGLE_API_KEY / GEMINI_API_KEY again.
        state = {k: v for k, v in self.__dict__.items() if k != "sdk"}
        state["_api_key"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._api_key = resolve_api_key(None)

    async def _guard(self, operation: str, call: Awaitable[_T]) -> _T:
        """Await an SDK call; its HTTP, timeout and connection errors become `GeminiAPIError`.

        The translation is raised outside the `except` block, so nothing chains back to the
        SDK's exception (whose response holds the key in its request headers).
        """
        try:
            return await call
        except Exception as exc:
            error = translate_error(exc, operation=operation, secret=self._api_key)
            if error is None:
                raise
        raise error

    def _retry(self, codes: list[int]) -> types.HttpRetryOptions:
        base = self._extra_options.retry_options if self._extra_options else None
        options = base.model_copy() if base else types.HttpRetryOptions()
        options.attempts = self.max_retries + 1
        options.http_status_codes = codes
        return options

    @cached_property
    def sdk(self) -> genai.Client:
        """The google-genai client (created on first use, kept for this object's life)."""
        if self.vertexai:
            return self._vertex_sdk()
        if self._api_key is None:
            raise MissingApiKeyError(
                "no Gemini API key: pass api_key=..., or set GOOGLE_API_KEY or GEMINI_API_KEY "
                "(a pickled model or invoker does not carry its key)"
            )
        options = (self._extra_options or types.HttpOptions()).model_copy()
        options.api_version = options.api_version or API_VERSION
        if self.base_url:
            options.base_url = self.base_url
        if self.timeout is not None:
            options.timeout = int(self.timeout * 1000)
        options.retry_options = self._retry(_RETRYABLE)
        return genai.Client(api_key=self._api_key.get_secret_value(), http_options=options)

    def _vertex_sdk(self) -> genai.Client:
        options = (self._extra_options or types.HttpOptions()).model_copy()
        url = self.effective_base_url()
        if url:
            options.base_url = url
        if self.timeout is not None:
            options.timeout = int(self.timeout * 1000)
        options.retry_options = self._retry(_RETRYABLE)
        # Project and location are always passed: with a custom base URL the SDK ignores
        # GOOGLE_CLOUD_PROJECT / GOOGLE_CLOUD_LOCATION and would send calls to the bare URL.
        return genai.Client(
            vertexai=True,
            project=self.vertex_project,
            location=self.vertex_location,
            credentials=vertex_credentials(
                self.credentials, custom_base_url=self.custom_base_url()
            ),
            http_options=options,
        )

    def model_path(self, model: str) -> str:
        """`models/<model>` as the SDK spells it."""
        return _genai_compat.model_path(self.sdk, model)

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        options: types.HttpOptions | None = None,
    ) -> dict[str, Any]:
        call = _genai_compat.api_request(self.sdk, method, path, body or {}, options)
        raw = await self._guard(path, call)
        return json.loads(raw) if raw else {}

    async def generate_content(self, model: str, request: dict[str, Any]) -> dict[str, Any]:
        """`POST models/{model}:generateContent`; returns the response JSON."""
        return await self._call("post", f"{self.model_path(model)}:generateContent", request)

    async def stream_generate_content(
        self, model: str, request: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """`POST models/{model}:streamGenerateContent?alt=sse`; yields each chunk's JSON."""
        path = f"{self.model_path(model)}:streamGenerateContent?alt=sse"
        stream = _genai_compat.api_request_streamed(self.sdk, "post", path, request)
        while True:
            try:
                body = await self._guard(path, anext(stream))
            except StopAsyncIteration:
                return
            if body:
                yield json.loads(body)

    async def count_tokens(self, model: str, request: dict[str, Any]) -> dict[str, Any]:
        """`POST models/{model}:countTokens`; returns the response JSON (`totalTokens`).

        `request` is `{"contents": [...]}` or `{"generateContentRequest": {...}}`.
        """
        return await self._call("post", f"{self.model_path(model)}:countTokens", request)

    async def count_request_tokens(self, model: str, request: dict[str, Any]) -> int:
        """`POST models/{model}:countTokens` for a whole `GenerateContentRequest`; `totalTokens`.

        The request goes as `generateContentRequest`, so its system instruction and tools are
        counted too (the SDK's public `count_tokens` refuses those on the Gemini API).
        """
        path = self.model_path(model)
        body = {"generateContentRequest": {"model": path, **request}}
        answer = await self.count_tokens(model, body)
        return int(answer.get("totalTokens", 0))

    async def batch_embed_contents(
        self, model: str, requests: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """`POST models/{model}:batchEmbedContents` (at most 100 requests); the embeddings.

        Each request carries the model, as `client.models.embed_content` sends it; the
        answer's `embeddings` come in request order.
        """
        path = self.model_path(model)
        body = {"requests": [{**request, "model": path} for request in requests]}
        answer = await self._call("post", f"{path}:batchEmbedContents", body)
        embeddings: list[dict[str, Any]] = answer.get("embeddings") or []
        return embeddings

    async def create_batch(
        self, model: str, batch: dict[str, Any], *, method: str = "batchGenerateContent"
    ) -> dict[str, Any]:
        """`POST models/{model}:{method}`, sent exactly once; returns the Operation JSON.

        The SDK's automatic retries are off for this call: a create that timed out or got a
        5xx may still have made a job, so the batch engine decides what to do next.
        """
        path = f"{self.model_path(model)}:{method}"
        options = types.HttpOptions(retry_options=types.HttpRetryOptions(attempts=1))
        return await self._call("post", path, {"batch": batch}, options)

    async def get_batch(self, batch_id: str) -> dict[str, Any]:
        """`GET batches/{id}`; the raw Operation, `batchStats` and `error` included."""
        return await self._call("get", batch_path(batch_id))

    async def list_batches(self, page_size: int, page_token: str | None) -> dict[str, Any]:
        """`GET batches?pageSize=&pageToken=`; one page of Operations."""
        query = f"pageSize={page_size}" + (f"&pageToken={page_token}" if page_token else "")
        return await self._call("get", f"batches?{query}")

    async def cancel_batch(self, batch_id: str) -> None:
        """`POST batches/{id}:cancel`."""
        await self._call("post", f"{batch_path(batch_id)}:cancel")

    async def delete_batch(self, batch_id: str) -> None:
        """`DELETE batches/{id}`."""
        await self._call("delete", batch_path(batch_id))

    async def upload_jsonl(self, path: Path, display_name: str) -> str:
        """Upload a JSONL file with the Files API (resumable, in 8 MiB chunks); its name."""
        config = types.UploadFileConfig(mime_type="jsonl", display_name=display_name)
        upload = self.sdk.aio.files.upload(file=str(path), config=config)
        uploaded = await self._guard("files.upload", upload)
        if not uploaded.name:
            raise GeminiAPIError(
                code=None, status="INTERNAL", message="the Files API returned no file name"
            )
        return uploaded.name

    async def download_to(self, file_name: str, destination: Path) -> None:
        """Stream a file's content (e.g. `files/batch-...`) to `destination`."""
        download = self.sdk.aio.files.download(file=file_name, destination=str(destination))
        await self._guard(f"{file_name}:download", download)

    async def delete_file(self, file_name: str) -> None:
        """`DELETE files/{id}`."""
        await self._guard(f"delete {file_name}", self.sdk.aio.files.delete(name=file_name))
