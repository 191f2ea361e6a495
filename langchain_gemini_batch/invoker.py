"""`GoogleLMInvoker`: a Gemini model with default settings, online calls, and `.batch`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from functools import cached_property
from typing import Any

from google.genai import types
from pydantic import BaseModel, SecretStr

from langchain_gemini_batch._client import GeminiClient, resolve_api_key
from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.backends._gcs import CloudStorage, parse_gs_uri
from langchain_gemini_batch.batch.backends.base import Backend
from langchain_gemini_batch.batch.backends.gemini_api import GeminiApiBackend
from langchain_gemini_batch.batch.backends.vertex import STAGING_ENV, VertexBackend
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.batch.google import GoogleBatchOperations
from langchain_gemini_batch.batch.journal import Journal, resolve_journal
from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.convert.google_response import response_to_output
from langchain_gemini_batch.convert.hyperparameters import (
    build_config_part,
    merge_hyperparameters,
)
from langchain_gemini_batch.convert.wire_checks import check_settings, encode_json
from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.schema import LMInput, LMOutput

__all__ = ["GoogleLMInvoker"]

_JSON = "application/json"
_TRUE = frozenset({"1", "true", "yes", "on"})


def use_vertexai(vertexai: bool | None) -> bool:
    """`vertexai`, else whether `GOOGLE_GENAI_USE_VERTEXAI` is true (`true`, `1`)."""
    if vertexai is not None:
        return vertexai
    return os.environ.get("GOOGLE_GENAI_USE_VERTEXAI", "").strip().lower() in _TRUE


class GoogleLMInvoker:
    """A Gemini model on the Gemini Developer API or Vertex AI, for online and batch calls.

    Construction does no I/O; the google-genai client is built on first use.

    Args:
        model_name: The model, e.g. `"gemini-2.5-flash"`.
        api_key: The API key; default `GOOGLE_API_KEY`, then `GEMINI_API_KEY`. Held as a
            `SecretStr`: never in a repr, a log line or an error.
        default_hyperparameters: Generation settings for every call, named as the fields of
            `google.genai.types.GenerateContentConfig` (`temperature`, `max_output_tokens`,
            `system_instruction`, ...). Unknown names raise `UnknownParameterError`.
        tools: Tools for every call (anything `GenerateContentConfig.tools` accepts).
        response_schema: A pydantic model class or a JSON schema: responses are JSON valid
            against it, decoded into `LMOutput.structured_output`.
        thinking: Ask for thought summaries (`include_thoughts`).
        thinking_budget: Thinking token budget (`0` turns thinking off where allowed).
        base_url: Send requests here (e.g. the local emulator); default
            `GOOGLE_GEMINI_BASE_URL`, else Google.
        timeout: HTTP timeout per request, in seconds (not the batch deadline).
        max_retries: Retries on 408/429/5xx (create: 429 only).
        batch_limits: How batches are cut into jobs (inline vs file, splitting).
        journal: The job journal that lets a rerun reattach to jobs already created for the
            same work, and any process retrieve a batch: `None` (default) for
            `GEMINI_BATCH_JOURNAL` or the user's cache directory, a file path, a `Journal`,
            or `False` for none.
        http_options: Extra google-genai `HttpOptions` (advanced).
        vertexai: Use Vertex AI (batch prediction jobs) instead of the Gemini Developer API;
            default `GOOGLE_GENAI_USE_VERTEXAI` (`true`/`1`).
        project: The Google Cloud project (Vertex AI); default `GOOGLE_CLOUD_PROJECT`, else
            the application default credentials' project.
        location: The Vertex AI location, e.g. `us-central1`; default
            `GOOGLE_CLOUD_LOCATION`, else `global` (BigQuery jobs need a regional one).
        credentials: google-auth credentials for Vertex AI and Cloud Storage (default:
            application default credentials). `AnonymousCredentials()` work against a custom
            `base_url` (the emulator): a fixed placeholder token is sent instead.
        gcs_staging_uri: `gs://bucket/prefix` where Vertex AI batches stage their requests
            (`<prefix>/<fingerprint>/requests.jsonl`) and write results
            (`<prefix>/<fingerprint>/output/`); default `GEMINI_BATCH_GCS_STAGING_URI`.
        storage_base_url: A custom Cloud Storage endpoint (the emulator's URL); default
            `STORAGE_EMULATOR_HOST`, else `base_url` when that is not Google's (the emulator
            serves both), else Google's.
        storage_client: A ready `google.cloud.storage.Client` (advanced; overrides the two
            settings above).

    Example:
        ```python
        invoker = GoogleLMInvoker("gemini-2.5-flash", default_hyperparameters={"temperature": 0})
        output = await invoker.invoke("Say hi")  # online generateContent
        results = await invoker.batch.invoke({"a": "Say hi", "b": "Say bye"})  # Batch API

        vertex = GoogleLMInvoker(
            "gemini-2.5-flash",
            vertexai=True,
            project="my-project",
            location="us-central1",
            gcs_staging_uri="gs://my-bucket/gemini-batches",
        )
        results = await vertex.batch.invoke({"a": "Say hi"})  # a batch prediction job
        ```
    """

    def __init__(
        self,
        model_name: str,
        api_key: str | SecretStr | None = None,
        *,
        default_hyperparameters: Mapping[str, Any] | None = None,
        tools: list[Any] | None = None,
        response_schema: type[BaseModel] | Mapping[str, Any] | None = None,
        thinking: bool | None = None,
        thinking_budget: int | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 3,
        batch_limits: BatchLimits | None = None,
        journal: Journal | str | os.PathLike[str] | bool | None = None,
        http_options: types.HttpOptions | None = None,
        vertexai: bool | None = None,
        project: str | None = None,
        location: str | None = None,
        credentials: Any = None,
        gcs_staging_uri: str | None = None,
        storage_base_url: str | None = None,
        storage_client: Any = None,
    ) -> None:
        if not model_name:
            raise ValueError("model_name is required, e.g. 'gemini-2.5-flash'")
        self.vertexai = use_vertexai(vertexai)
        if self.vertexai and api_key is not None:
            raise ValueError(
                "api_key is not used with vertexai=True (Vertex AI express mode is not "
                "supported): pass project, location and credentials"
            )
        self.gcs_staging_uri = gcs_staging_uri or os.environ.get(STAGING_ENV) or None
        if self.vertexai and self.gcs_staging_uri is not None:
            parse_gs_uri(self.gcs_staging_uri)  # a bad URI fails here, before any I/O
        self._storage_settings = (storage_base_url, storage_client)
        self.model_name = model_name
        self.default_hyperparameters = merge_hyperparameters(
            {**self._fixed_settings(tools, response_schema, thinking, thinking_budget)},
            default_hyperparameters,
        )
        self.batch_limits = batch_limits or BatchLimits()
        self.journal = resolve_journal(journal)
        self.client = GeminiClient(
            api_key=None if self.vertexai else resolve_api_key(api_key),
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_options=http_options,
            vertexai=self.vertexai,
            project=project,
            location=location,
            credentials=credentials,
        )

    @staticmethod
    def _fixed_settings(
        tools: list[Any] | None,
        response_schema: type[BaseModel] | Mapping[str, Any] | None,
        thinking: bool | None,
        thinking_budget: int | None,
    ) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if tools:
            settings["tools"] = tools
        if response_schema is not None:
            schema = (
                response_schema.model_json_schema()
                if isinstance(response_schema, type)
                else dict(response_schema)
            )
            settings["response_mime_type"] = _JSON
            settings["response_json_schema"] = schema
        thinking_config: dict[str, Any] = {}
        if thinking is not None:
            thinking_config["include_thoughts"] = thinking
        if thinking_budget is not None:
            thinking_config["thinking_budget"] = thinking_budget
        if thinking_config:
            settings["thinking_config"] = thinking_config
        return settings

    def __repr__(self) -> str:
        return f"GoogleLMInvoker(model_name={self.model_name!r}, client={self.client!r})"

    def request_builder(self, hyperparameters: Mapping[str, Any] | None = None) -> RequestBuilder:
        """The request builder for these settings (shared by online and batch calls).

        Raises:
            UnknownParameterError: A hyperparameter name is unknown.
            InvalidRequestError: A hyperparameter value is invalid.
        """
        settings = merge_hyperparameters(self.default_hyperparameters, hyperparameters)
        config_part = build_config_part(self.client.sdk, settings)
        check_settings(config_part)
        structured = str(settings.get("response_mime_type", "")).startswith(_JSON)
        return RequestBuilder(config_part, structured=structured)

    async def invoke(
        self, lm_input: LMInput, hyperparameters: Mapping[str, Any] | None = None
    ) -> LMOutput:
        """One online `generateContent` call.

        Raises:
            InvalidRequestError: The input or a hyperparameter is invalid (nothing is sent).
            RequestFailedError: The prompt was blocked (no candidate).
            google.genai.errors.APIError: Google answered with an HTTP error.
        """
        builder = self.request_builder(hyperparameters)
        request = builder.build("online", lm_input)
        encode_json(request, request_id="online")  # refuse what Google's JSON parser would
        response = await self.client.generate_content(self.model_name, request)
        output = response_to_output(response, request_id="online", structured=builder.structured)
        if isinstance(output, RequestFailedError):
            raise output
        return output

    async def stream(
        self, lm_input: LMInput, hyperparameters: Mapping[str, Any] | None = None
    ) -> AsyncIterator[LMOutput]:
        """One online `streamGenerateContent` call; yields each chunk as an `LMOutput`."""
        builder = self.request_builder(hyperparameters)
        request = builder.build("online", lm_input)
        encode_json(request, request_id="online")
        async for chunk in self.client.stream_generate_content(self.model_name, request):
            output = response_to_output(chunk, request_id="online", structured=False)
            if isinstance(output, RequestFailedError):
                raise output
            yield output

    def _backend(self) -> Backend:
        if not self.vertexai:
            return GeminiApiBackend(self.client)
        base_url, client = self._storage_settings
        if base_url is None and client is None and not os.environ.get("STORAGE_EMULATOR_HOST"):
            # Vertex AI at a custom endpoint (the emulator): stage there too, never silently
            # on Google's Cloud Storage while jobs run elsewhere.
            base_url = self.client.custom_base_url()
        storage = CloudStorage(
            project=lambda: self.client.vertex_project,
            credentials=self.client.credentials,
            base_url=base_url,
            client=client,
        )
        return VertexBackend(self.client, storage, self.gcs_staging_uri)

    def __getstate__(self) -> dict[str, Any]:
        # The batch engine holds locks and per-process records: rebuilt on first use.
        return {k: v for k, v in self.__dict__.items() if k != "batch"}

    @cached_property
    def batch(self) -> GoogleBatchOperations:
        """The batch operations: `create`, `status`, `retrieve`, `list`, `cancel`, `invoke`."""
        engine = BatchEngine(
            self._backend(),
            journal=self.journal,
            limits=self.batch_limits,
            max_retries=self.client.max_retries,
        )
        return GoogleBatchOperations(self, engine)
