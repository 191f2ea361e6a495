"""`GeminiBatchEmbeddings`: a LangChain `Embeddings` whose `embed_documents` is ONE batch job."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from google.genai import types
from langchain_core.embeddings import Embeddings
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_gemini_batch._sync import run_sync
from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.embed_codec import EmbedInput, EmbedSettings, embed_settings
from langchain_gemini_batch.batch.journal import Journal
from langchain_gemini_batch.em_invoker import GoogleEMInvoker
from langchain_gemini_batch.errors import EmbeddingsFailedError, GeminiBatchError
from langchain_gemini_batch.schema import BatchJobInfo

__all__ = ["GeminiBatchEmbeddings"]

_DOCUMENT = "RETRIEVAL_DOCUMENT"
_QUERY = "RETRIEVAL_QUERY"
_REQUEST_OPTIONS = ("timeout",)


class GeminiBatchEmbeddings(BaseModel, Embeddings):
    """Gemini embeddings whose `embed_documents` runs as ONE Batch API job, at half price.

    A drop-in for `GoogleGenerativeAIEmbeddings` (same constructor names and defaults):
    `embed_documents` / `aembed_documents` send every text as one request of a single
    `asyncBatchEmbedContent` job (inline, or an uploaded JSONL file past
    `batch_inline_max_bytes`; split only past Google's limits) and return the vectors in
    input order; `embed_query` / `aembed_query` stay online (`batchEmbedContents`).

    Setup:
        ```bash
        pip install langchain-gemini-batch
        export GOOGLE_API_KEY="..."  # or pass api_key=...
        ```

    Index a corpus (one job, whatever its size):
        ```python
        from langchain_core.vectorstores import InMemoryVectorStore
        from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings

        embeddings = GeminiBatchEmbeddings(
            model="gemini-embedding-001",
            output_dimensionality=768,
            batch_timeout=24 * 3600,  # give up (and cancel the job) after a day
        )
        store = InMemoryVectorStore.from_texts(texts, embeddings)  # ONE batch job
        store.similarity_search("What is our refund policy?")  # the query goes online
        ```

    Task types, and why a query vector is not a document vector:
        As in `GoogleGenerativeAIEmbeddings`, documents default to `RETRIEVAL_DOCUMENT` and
        queries to `RETRIEVAL_QUERY` (unless `task_type` is set). Google embeds a text
        differently for each task type, so `embed_query(t)` is *not* the vector stored for
        the document `t`: that asymmetry is what retrieval wants. `embed_query(t,
        task_type="RETRIEVAL_DOCUMENT")` gives exactly the stored vector (the same request
        online and in a batch). With `output_dimensionality` below 3072, Google does not
        normalise the vectors: use cosine similarity (as LangChain's stores do), or
        normalise them yourself.

    Failures:
        A text that Google failed does not fail the others: once every result is read,
        `embed_documents` raises `EmbeddingsFailedError` naming the failed texts (position,
        a preview, Google's code and message); its `.vectors` holds every vector in input
        order (`None` where a text failed). `embed_documents_with_failures` returns each
        failure in place instead. An empty text is refused before anything is sent.

    Re-running and finding the job:
        The job is journaled before it is created: running the same `embed_documents` again
        (same model, settings and texts), even in a new process after a crash, reattaches to
        the job instead of paying twice. The log line `created batches/... with N requests`
        names it, and `GoogleEMInvoker(...).batch.list()` lists it.

    Cost and latency:
        Batch requests are billed at 50% of the online price; a job takes minutes to hours
        (Google's target is 24 hours), polled with backoff.
    """

    model_config = ConfigDict(populate_by_name=True, extra="forbid", arbitrary_types_allowed=True)

    model: str = "gemini-embedding-001"
    """The embedding model (`"gemini-embedding-001"`; `"models/..."` accepted)."""
    task_type: str | None = None
    """Google's `TaskType` for every call (default: `RETRIEVAL_DOCUMENT` for documents,
    `RETRIEVAL_QUERY` for queries); any case."""
    google_api_key: SecretStr | None = Field(
        alias="api_key",
        default_factory=secret_from_env(["GOOGLE_API_KEY", "GEMINI_API_KEY"], default=None),
    )
    """The Gemini API key; default `GOOGLE_API_KEY`, then `GEMINI_API_KEY`."""
    credentials: Any = Field(default=None, exclude=True)
    """Vertex AI credentials: refused (Vertex AI runs no embedding batches)."""
    vertexai: bool | None = None
    """Vertex AI backend: refused when true (Vertex AI runs no embedding batches)."""
    project: str | None = None
    """Google Cloud project (Vertex AI only: refused)."""
    location: str | None = Field(default_factory=from_env("GOOGLE_CLOUD_LOCATION", default=None))
    """Google Cloud region (Vertex AI only; unused)."""
    base_url: str | None = None
    """Send requests here (e.g. the local emulator); default `GOOGLE_GEMINI_BASE_URL`."""
    additional_headers: dict[str, str] | None = None
    """Extra HTTP headers on every request."""
    client_args: dict[str, Any] | None = None
    """Extra arguments for the HTTP client (e.g. `{"proxy": ...}`)."""
    api_version: str | None = None
    """API version segment: only `"v1beta"` (where Google serves the Batch API)."""
    request_options: dict[str, Any] | None = None
    """Request options; `{"timeout": seconds}` sets the HTTP timeout of each call."""
    output_dimensionality: int | None = None
    """Keep the first N values of each vector (default: the model's full size, 3072)."""
    max_retries: int = Field(default=3, ge=0)
    """Retries of an HTTP call on 408/429/5xx (a job's create: 429 only)."""
    batch_poll_interval: float = Field(default=1.0, ge=0)
    """Seconds before the first status check of a job; later checks wait x1.5 longer."""
    batch_poll_max_interval: float = Field(default=180.0, ge=0)
    """The longest wait between two status checks."""
    batch_timeout: float | None = Field(default=None, gt=0)
    """Overall deadline for a batch, in seconds (`None`: wait until it ends)."""
    batch_inline_max_bytes: int = 4_000_000
    """Jobs up to this size are sent inline; larger ones are uploaded as a JSONL file."""
    batch_max_requests_per_job: int | None = None
    """Start another job after this many texts (`None`: only Google's limits split)."""
    batch_cancel_on_exit: bool = True
    """Cancel the remote job when the awaiting task is cancelled or `batch_timeout` passes."""
    batch_display_name: str | None = None
    """Display name of the jobs (default `"langchain-gemini-batch"`), to find them later."""
    batch_resume: bool = True
    """Reattach to a job already created for the same texts and settings (found in the
    journal, or by the fingerprint tag in its display name) instead of paying again; `False`
    always creates a fresh job."""
    batch_progress: Callable[[BatchJobInfo], None] | None = Field(default=None, exclude=True)
    """Called with the job's `BatchJobInfo` (request counts) at every status check."""
    journal: Journal | str | os.PathLike[str] | bool | None = Field(default=None, exclude=True)
    """The job journal (reattach on rerun): `None` for `GEMINI_BATCH_JOURNAL` or the user's
    cache directory, a path, a `Journal`, or `False` for none."""

    _invokers: dict[tuple[Any, ...], GoogleEMInvoker] = PrivateAttr(default_factory=dict)

    def __init__(self, **kwargs: Any) -> None:
        # Keyword names and aliases alike (`api_key` / `google_api_key`), also for type checkers.
        super().__init__(**kwargs)

    @model_validator(mode="after")
    def _check(self) -> GeminiBatchEmbeddings:
        vertex_env = os.environ.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower() in ("true", "1")
        if self.vertexai or (self.vertexai is None and vertex_env) or self.credentials:
            raise ValueError(
                "GeminiBatchEmbeddings runs on the Gemini Developer API only: Vertex AI has no "
                "embedding batches (google-genai refuses batches.create_embeddings there); use "
                "an API key"
            )
        if self.project is not None and self.vertexai is not False:
            raise ValueError("project selects Vertex AI, which has no embedding batches")
        if self.api_version not in (None, "v1beta"):
            raise ValueError(
                f"api_version must be 'v1beta' (the Batch API's), not {self.api_version!r}"
            )
        for name in self.request_options or {}:
            if name not in _REQUEST_OPTIONS:
                raise ValueError(f"unknown request_options key {name!r}; known: timeout")
        if self.batch_poll_max_interval < self.batch_poll_interval:
            raise ValueError("batch_poll_max_interval must be >= batch_poll_interval")
        self._settings(None, None)  # validates task_type and output_dimensionality
        self._limits()
        return self

    def _limits(self) -> BatchLimits:
        return BatchLimits(
            inline_max_bytes=self.batch_inline_max_bytes,
            max_requests_per_job=self.batch_max_requests_per_job,
        )

    def _settings(
        self, task_type: str | None, dimension: int | None, *, query: bool = False
    ) -> EmbedSettings:
        default = _QUERY if query else _DOCUMENT
        return embed_settings(
            EmbedSettings(),
            {
                "task_type": task_type or self.task_type or default,
                "output_dimensionality": dimension or self.output_dimensionality,
            },
        )

    def _invoker(self) -> GoogleEMInvoker:
        """The invoker for the current fields, built on first use and kept."""
        timeout = (self.request_options or {}).get("timeout")
        key: tuple[Any, ...] = (self.model, self.google_api_key, self.base_url, timeout)
        key += (self.max_retries, self._limits(), repr(self.additional_headers))
        key += (
            repr(self.client_args),
            id(self.journal) if isinstance(self.journal, Journal) else self.journal,
        )
        invoker = self._invokers.get(key)
        if invoker is None:
            options = types.HttpOptions(
                headers=self.additional_headers,
                client_args=self.client_args,
                async_client_args=self.client_args,
            )
            invoker = GoogleEMInvoker(
                self.model,
                self.google_api_key,
                base_url=self.base_url,
                timeout=timeout,
                max_retries=self.max_retries,
                batch_limits=self._limits(),
                journal=self.journal,
                http_options=options,
            )
            invoker = self._invokers.setdefault(key, invoker)
        return invoker

    # --- documents: one batch job ---

    async def _abatch(
        self,
        texts: list[str],
        titles: list[str | None] | None,
        settings: EmbedSettings,
        *,
        skip_invalid: bool,
    ) -> list[list[float] | GeminiBatchError]:
        if titles is not None and len(titles) != len(texts):
            raise ValueError(f"titles has {len(titles)} entries for {len(texts)} texts")
        if not texts:
            return []

        def items() -> Iterator[tuple[str, str | EmbedInput]]:
            for index, text in enumerate(texts):
                title = titles[index] if titles is not None else None
                yield str(index), text if title is None else EmbedInput(text, title)

        results = await self._invoker().batch.invoke(
            items(),
            {
                "task_type": settings.task_type,
                "output_dimensionality": settings.output_dimensionality,
            },
            display_name=self.batch_display_name,
            polling=PollingPolicy(self.batch_poll_interval, self.batch_poll_max_interval),
            max_wait=self.batch_timeout,
            cancel_on_exit=self.batch_cancel_on_exit,
            skip_invalid=skip_invalid,
            resume=self.batch_resume,
            progress=self.batch_progress,
        )
        return [results[str(index)] for index in range(len(texts))]

    async def aembed_documents_with_failures(
        self,
        texts: list[str],
        *,
        task_type: str | None = None,
        titles: list[str | None] | None = None,
        output_dimensionality: int | None = None,
    ) -> list[list[float] | GeminiBatchError]:
        """Like `aembed_documents` (one job), with each failure returned in its text's place.

        A text Google failed is its `RequestFailedError`; an invalid text (empty, say) is
        its `InvalidRequestError` and is not sent, while the valid ones are.
        """
        settings = self._settings(task_type, output_dimensionality)
        return await self._abatch(texts, titles, settings, skip_invalid=True)

    def embed_documents_with_failures(
        self,
        texts: list[str],
        *,
        task_type: str | None = None,
        titles: list[str | None] | None = None,
        output_dimensionality: int | None = None,
    ) -> list[list[float] | GeminiBatchError]:
        """The sync `aembed_documents_with_failures`."""
        return run_sync(
            lambda: self.aembed_documents_with_failures(
                texts,
                task_type=task_type,
                titles=titles,
                output_dimensionality=output_dimensionality,
            )
        )

    async def aembed_documents(
        self,
        texts: list[str],
        *,
        batch_size: int | None = None,
        task_type: str | None = None,
        titles: list[str | None] | None = None,
        output_dimensionality: int | None = None,
    ) -> list[list[float]]:
        """Embed every text in ONE batch job; the vectors in input order.

        Args:
            texts: The texts (each request's key in the job is its position).
            batch_size: Accepted for `GoogleGenerativeAIEmbeddings` compatibility; unused (a
                batch job takes every text at once).
            task_type: Overrides `task_type` (default `RETRIEVAL_DOCUMENT`).
            titles: One title per text (or `None`), only with `RETRIEVAL_DOCUMENT`; each
                text gets its own title.
            output_dimensionality: Overrides `output_dimensionality`.

        Raises:
            EmbeddingsFailedError: Some texts failed; `.vectors` holds the others.
            InvalidRequestError: A text is empty or invalid (nothing was sent).
            BatchTimeoutError: `batch_timeout` passed (the job was cancelled).
            BatchJobError: The job ended FAILED, CANCELLED or EXPIRED.
        """
        settings = self._settings(task_type, output_dimensionality)
        results = await self._abatch(texts, titles, settings, skip_invalid=False)
        failures = {i: r for i, r in enumerate(results) if isinstance(r, GeminiBatchError)}
        vectors = [r for r in results if not isinstance(r, GeminiBatchError)]
        if failures:
            partial = [None if isinstance(r, GeminiBatchError) else r for r in results]
            raise EmbeddingsFailedError(list(texts), partial, failures)
        return vectors

    def embed_documents(
        self,
        texts: list[str],
        *,
        batch_size: int | None = None,
        task_type: str | None = None,
        titles: list[str | None] | None = None,
        output_dimensionality: int | None = None,
    ) -> list[list[float]]:
        """The sync `aembed_documents`: ONE batch job, vectors in input order."""
        return run_sync(
            lambda: self.aembed_documents(
                texts,
                task_type=task_type,
                titles=titles,
                output_dimensionality=output_dimensionality,
            )
        )

    # --- queries: online ---

    async def aembed_query(
        self,
        text: str,
        *,
        task_type: str | None = None,
        title: str | None = None,
        output_dimensionality: int | None = None,
    ) -> list[float]:
        """Embed one text online (`batchEmbedContents`), at the online price.

        Args:
            text: The text.
            task_type: Overrides `task_type` (default `RETRIEVAL_QUERY`).
            title: A title (only with `RETRIEVAL_DOCUMENT`).
            output_dimensionality: Overrides `output_dimensionality`.
        """
        settings = self._settings(task_type, output_dimensionality, query=True)
        item = text if title is None else EmbedInput(text, title)
        hyperparameters = {
            "task_type": settings.task_type,
            "output_dimensionality": settings.output_dimensionality,
        }
        (vector,) = await self._invoker().embed([item], hyperparameters)
        return vector

    def embed_query(
        self,
        text: str,
        *,
        task_type: str | None = None,
        title: str | None = None,
        output_dimensionality: int | None = None,
    ) -> list[float]:
        """The sync `aembed_query` (online)."""
        return run_sync(
            lambda: self.aembed_query(
                text, task_type=task_type, title=title, output_dimensionality=output_dimensionality
            )
        )
