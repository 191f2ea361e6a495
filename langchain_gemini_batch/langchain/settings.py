"""Frozen settings objects the LangChain helpers read, and the invoker cache.

`ChatSettings` holds the generation fields of `ChatGeminiBatch` (those it shares with
`ChatGoogleGenerativeAI`); `ClientSettings` what the HTTP client is built from; `BatchSettings`
how a batch job is waited for. The helpers (`generation.call_options`, `batch.run_batch`,
`online`) take these instead of reaching into the chat model, so they import nothing from it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.genai import types
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import SecretStr

from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.pool import BatchPool
from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.langchain.burst import OnlineCalls

__all__ = [
    "BatchSettings",
    "CallOptions",
    "ChatRuntime",
    "ChatSettings",
    "ClientSettings",
    "cached_invoker",
    "is_gemini_3_or_later",
    "ls_structured_output_options",
    "normalize_model_name",
    "uses_fixed_sampling",
]

_FIXED_SAMPLING_MODELS = frozenset({"gemini-3.5-flash-lite", "gemini-3.6-flash"})
"""Models that ignore sampling settings and refuse a prefilled model turn (lcgg's list)."""
_MAJOR = re.compile(r"gemini-(\d+)")


def normalize_model_name(model: str | None) -> str:
    """`models/gemini-2.5-flash` or `eu.gemini-2.5-flash` as `gemini-2.5-flash` (lower case)."""
    if not model:
        return ""
    name = model.lower().rsplit("/", 1)[-1]
    return re.sub(r"^[a-z]{2,}\.(?=(?:gemini|gemma)-)", "", name)


@functools.lru_cache(maxsize=256)
def is_gemini_3_or_later(model: str | None) -> bool:
    """Whether the model is Gemini 3 or later (list content, thought-signature rules)."""
    return any(int(major) >= 3 for major in _MAJOR.findall(normalize_model_name(model)))


def uses_fixed_sampling(model: str | None) -> bool:
    """Whether the model ignores `temperature`/`top_k`/`top_p` and refuses model prefills."""
    name = re.sub(r"-\d{3}$", "", normalize_model_name(model))
    return bool(name) and name in _FIXED_SAMPLING_MODELS


@dataclass(frozen=True)
class ChatSettings:
    """The chat model's generation fields (see `fields.GeminiChatFields` for each)."""

    model: str
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_output_tokens: int | None = None
    n: int = 1
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    response_modalities: tuple[Any, ...] | None = None
    media_resolution: Any = None
    image_config: Mapping[str, Any] | None = None
    thinking_budget: int | None = None
    include_thoughts: bool | None = None
    reasoning_effort: str | None = None
    thinking_config: Mapping[str, Any] | None = None
    safety_settings: Mapping[Any, Any] | list[Any] | None = None
    response_mime_type: str | None = None
    response_schema: Mapping[str, Any] | None = None
    response_json_schema: Mapping[str, Any] | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    cached_content: str | None = None
    labels: Mapping[str, str] | None = None
    model_kwargs: Mapping[str, Any] = field(default_factory=dict)
    convert_system_message_to_human: bool = False


@dataclass(frozen=True)
class ClientSettings:
    """What the HTTP client of an invoker is built from (one invoker per distinct value)."""

    api_key: SecretStr | None
    base_url: str | None = None
    api_version: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    client_args: tuple[tuple[str, Any], ...] = ()
    timeout: float | None = None
    max_retries: int = 6
    limits: BatchLimits = field(default_factory=BatchLimits)
    uses_vertexai: bool = False
    project: str | None = None
    location: str | None = None
    credentials: Any = None
    gcs_staging_uri: str | None = None
    storage_base_url: str | None = None
    journal: Any = None

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable key for the invoker cache (client arguments by their repr)."""
        return (
            self.api_key,
            self.base_url,
            self.api_version,
            self.headers,
            repr(self.client_args),
            self.timeout,
            self.max_retries,
            self.limits,
            self.uses_vertexai,
            self.project,
            self.location,
            id(self.credentials),
            self.gcs_staging_uri,
            self.storage_base_url,
            repr(self.journal),
        )

    def http_options(self) -> types.HttpOptions | None:
        """The extra SDK `HttpOptions` (API version, headers, client arguments), if any."""
        options: dict[str, Any] = {}
        if self.api_version:
            options["api_version"] = self.api_version
        if self.headers:
            options["headers"] = dict(self.headers)
        if self.client_args:
            options["client_args"] = dict(self.client_args)
            options["async_client_args"] = dict(self.client_args)
        return types.HttpOptions(**options) if options else None


@dataclass(frozen=True)
class BatchSettings:
    """How a batch job is named and waited for (the chat model's `batch_*` fields)."""

    display_name: str | None = None
    polling: PollingPolicy = field(default_factory=PollingPolicy)
    max_wait: float | None = None
    cancel_on_exit: bool = True
    invoke_via_batch: bool = False
    resume: bool = True
    show_progress: bool = False

    def wait_options(self) -> dict[str, Any]:
        """`display_name`, `polling`, `max_wait`, `cancel_on_exit`, `resume` for `invoke`."""
        return {
            "display_name": self.display_name,
            "polling": self.polling,
            "max_wait": self.max_wait,
            "cancel_on_exit": self.cancel_on_exit,
            "resume": self.resume,
        }


@dataclass(frozen=True)
class CallOptions:
    """One call's options, sorted by who reads them.

    Attributes:
        model: The model to call (`kwargs["model"]` overrides the chat model's).
        stop: Stop sequences given to this call (`None` when not given).
        hyperparameters: Every `GenerateContentConfig` field the request carries.
        timeout: A per-call HTTP timeout (`timeout=` at call time), else `None`.
        max_retries: Per-call retries (`max_retries=` at call time), else `None`.
        ls_structured_output_format: What `with_structured_output` asked for (traces only).
    """

    model: str
    stop: list[str] | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None
    max_retries: int | None = None
    ls_structured_output_format: dict[str, Any] | None = None


@dataclass(frozen=True)
class ChatRuntime:
    """What the batch and online paths read from the chat model, frozen for one call.

    Attributes:
        chat: The generation settings.
        batch: How batch jobs are named and waited for.
        invoker_for: The invoker for a call's options (model, per-call timeout and retries).
        pool: Where single calls go with `invoke_via_batch=True` (shared jobs).
        online_calls: Counts concurrent online calls, to warn about full-price bursts.
    """

    chat: ChatSettings
    batch: BatchSettings
    invoker_for: Callable[[CallOptions], GoogleLMInvoker]
    pool: BatchPool | None = None
    online_calls: OnlineCalls | None = None


def ls_structured_output_options(ls_format: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `options` entry LangChain traces for structured output (as core builds it)."""
    if not ls_format:
        return {}
    try:
        schema = convert_to_json_schema(ls_format["schema"])
    except ValueError:
        return {}
    kwargs = ls_format.get("kwargs", {})
    return {"ls_structured_output_format": {"kwargs": kwargs, "schema": schema}}


def cached_invoker(
    cache: dict[tuple[Any, ...], GoogleLMInvoker], model: str, client: ClientSettings
) -> GoogleLMInvoker:
    """The invoker for `model` with these client settings, from `cache` or new.

    Keyed by every setting it is built from, so a `model_copy(update=...)` (which shares the
    cache) or a field changed after construction gets a fresh invoker. Builds no client.
    """
    key: tuple[Any, ...] = (model, *client.cache_key())
    invoker = cache.get(key)
    if invoker is None:
        invoker = GoogleLMInvoker(
            model,
            None if client.uses_vertexai else client.api_key,
            base_url=client.base_url,
            timeout=client.timeout,
            max_retries=client.max_retries,
            batch_limits=client.limits,
            journal=client.journal,
            http_options=client.http_options(),
            vertexai=client.uses_vertexai,
            project=client.project,
            location=client.location,
            credentials=client.credentials,
            gcs_staging_uri=client.gcs_staging_uri,
            storage_base_url=client.storage_base_url,
        )
        invoker = cache.setdefault(key, invoker)
    return invoker
