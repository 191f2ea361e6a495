"""`GoogleEMInvoker`: a Gemini embedding model, online (`embed`) and in batches (`.batch`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from google.genai import types
from pydantic import SecretStr

from langchain_gemini_batch._client import GeminiClient, resolve_api_key
from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.backends.gemini_api import gemini_api_engine
from langchain_gemini_batch.batch.embed_codec import (
    EmbedCodec,
    EmbedInput,
    EmbedSettings,
    embed_settings,
)
from langchain_gemini_batch.batch.google_embed import GoogleEmbeddingBatchOperations
from langchain_gemini_batch.batch.journal import Journal, resolve_journal
from langchain_gemini_batch.convert.wire_checks import encode_json
from langchain_gemini_batch.errors import RequestFailedError

__all__ = ["MAX_ONLINE_EMBEDDINGS", "GoogleEMInvoker"]

MAX_ONLINE_EMBEDDINGS = 100
"""Google's cap on requests in one `batchEmbedContents` call (more is a 400)."""

EmbedItem = str | EmbedInput


class GoogleEMInvoker:
    """A Gemini embedding model on the Gemini Developer API, for online and batch calls.

    Construction does no I/O; the google-genai client is built on first use.

    Args:
        model: The embedding model, e.g. `"gemini-embedding-001"`.
        api_key: The API key; default `GOOGLE_API_KEY`, then `GEMINI_API_KEY`. Held as a
            `SecretStr`: never in a repr, a log line or an error.
        task_type: Google's `TaskType` for every call (`RETRIEVAL_DOCUMENT`,
            `RETRIEVAL_QUERY`, `SEMANTIC_SIMILARITY`, ...; any case), or `None` to send none.
        output_dimensionality: Keep the first N values of each vector (`None`: the model's
            full size, 3072 for `gemini-embedding-001`, normalised; Google leaves shorter
            vectors unnormalised).
        base_url: Send requests here (e.g. the local emulator); default
            `GOOGLE_GEMINI_BASE_URL`, else Google.
        timeout: HTTP timeout per request, in seconds (not the batch deadline).
        max_retries: Retries on 408/429/5xx (create: 429 only).
        batch_limits: How batches are cut into jobs (inline vs file, splitting).
        journal: The job journal (see `GoogleLMInvoker`): `None` for `GEMINI_BATCH_JOURNAL`
            or the user's cache directory, a path, a `Journal`, or `False` for none.
        http_options: Extra google-genai `HttpOptions` (headers, client args; advanced).

    Example:
        ```python
        invoker = GoogleEMInvoker("gemini-embedding-001", output_dimensionality=768)
        vectors = await invoker.embed(["a question"], {"task_type": "RETRIEVAL_QUERY"})
        results = await invoker.batch.invoke({"d1": "first", "d2": "second"})  # half price
        ```
    """

    def __init__(
        self,
        model: str = "gemini-embedding-001",
        api_key: str | SecretStr | None = None,
        *,
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 3,
        batch_limits: BatchLimits | None = None,
        journal: Journal | str | os.PathLike[str] | bool | None = None,
        http_options: types.HttpOptions | None = None,
    ) -> None:
        if not model:
            raise ValueError("model is required, e.g. 'gemini-embedding-001'")
        self.model_name = model
        self.settings = embed_settings(
            EmbedSettings(),
            {"task_type": task_type, "output_dimensionality": output_dimensionality},
        )
        self.batch_limits = batch_limits or BatchLimits()
        self.journal = resolve_journal(journal)
        self.client = GeminiClient(
            api_key=resolve_api_key(api_key),
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_options=http_options,
        )

    @property
    def model(self) -> str:
        """The embedding model (the same as `model_name`)."""
        return self.model_name

    def __repr__(self) -> str:
        return f"GoogleEMInvoker(model={self.model_name!r}, client={self.client!r})"

    def codec(self, hyperparameters: dict[str, Any] | None = None) -> EmbedCodec:
        """The codec for these settings (shared by online and batch calls).

        Raises:
            UnknownParameterError: A setting name is not `task_type` or
                `output_dimensionality`.
            InvalidRequestError: A setting value is invalid.
        """
        return EmbedCodec(embed_settings(self.settings, hyperparameters))

    async def embed(
        self, texts: Sequence[EmbedItem], hyperparameters: dict[str, Any] | None = None
    ) -> list[list[float]]:
        """Online embeddings (`batchEmbedContents`, 100 texts per call), in input order.

        Args:
            texts: Texts, or `EmbedInput`s (a text with a title).
            hyperparameters: `task_type` and `output_dimensionality`, over the invoker's.

        Returns:
            One vector per text.

        Raises:
            InvalidRequestError: A text is empty or invalid (the error names its position);
                nothing is sent.
            RequestFailedError: An answer held no vector for a text.
            google.genai.errors.APIError: Google answered with an HTTP error.
        """
        codec = self.codec(hyperparameters)
        requests = []
        for index, text in enumerate(texts):
            request = codec.build(str(index), text)
            encode_json(request, request_id=str(index))  # refuse what Google's parser would
            requests.append(request)
        vectors: list[list[float]] = []
        for start in range(0, len(requests), MAX_ONLINE_EMBEDDINGS):
            chunk = requests[start : start + MAX_ONLINE_EMBEDDINGS]
            answers = await self.client.batch_embed_contents(self.model_name, chunk)
            if len(answers) != len(chunk):
                raise RequestFailedError(
                    request_id=str(start),
                    code=None,
                    status=None,
                    error_message=f"{len(answers)} embeddings came back for {len(chunk)} texts",
                )
            for offset, embedding in enumerate(answers):
                key = str(start + offset)
                vector = codec.decode(
                    key, {"response": {"embedding": embedding}}, structured=False, batch_job=None
                )
                if isinstance(vector, RequestFailedError):
                    raise vector
                vectors.append(vector)
        return vectors

    @cached_property
    def batch(self) -> GoogleEmbeddingBatchOperations:
        """The batch operations: `create`, `status`, `retrieve`, `list`, `cancel`, `invoke`."""
        engine = gemini_api_engine(self.client, journal=self.journal, limits=self.batch_limits)
        return GoogleEmbeddingBatchOperations(self, engine)
