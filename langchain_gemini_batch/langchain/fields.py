"""The constructor surface `ChatGeminiBatch` shares with `ChatGoogleGenerativeAI` (4.4).

Every setting langchain-google-genai's chat model takes is declared here under the same name,
alias, type and default (`temperature=0.7`, `None` for Gemini 3+ when not given;
`max_retries=6`; `n=1`; ...), so `ChatGeminiBatch(**kwargs)` accepts what
`ChatGoogleGenerativeAI(**kwargs)` accepts. `GeminiChatFields.chat_settings()` freezes them
into the `ChatSettings` the LangChain helpers read. Where this package deliberately differs,
the field's docstring says so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

from google.genai.types import MediaResolution, Modality, ThinkingConfig
from langchain_core.language_models import LangSmithParams
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from langchain_gemini_batch._hints import hint
from langchain_gemini_batch.convert.hyperparameters import GENERATION_PARAMETERS
from langchain_gemini_batch.errors import BackendNotSupportedError, UnknownParameterError
from langchain_gemini_batch.langchain.settings import ChatSettings, is_gemini_3_or_later

__all__ = ["GeminiChatFields", "ReasoningEffort"]

ReasoningEffort = Literal["minimal", "low", "medium", "high"]

_SYNONYMS = {
    "api_base": "base_url",
    "api_endpoint": "base_url",
    "endpoint": "base_url",
    "model_id": "model",
    "max_new_tokens": "max_output_tokens",
    "max_completion_tokens": "max_output_tokens",
    "stop_words": "stop",
}
"""Other libraries' names for these settings, for "did you mean" hints."""
_KEY_ENV = ["GOOGLE_API_KEY", "GEMINI_API_KEY"]
_CALL_OPTIONS = frozenset(
    {"tools", "functions", "tool_choice", "code_execution", "generation_config", "response_format"}
)
_RANGES = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "frequency_penalty": (-2.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
}


def _transport_message(value: object) -> str:
    return (
        f"transport={value!r} is not available: this package talks to Gemini over REST through "
        "google-genai (no gRPC); leave transport unset (or 'rest')"
    )


class GeminiChatFields(BaseModel):
    """Fields and validation shared with `ChatGoogleGenerativeAI`."""

    model_config = ConfigDict(populate_by_name=True)

    model: str = Field(alias="model_name")
    """The Gemini model, e.g. `"gemini-2.5-flash"`."""
    google_api_key: SecretStr | None = Field(
        alias="api_key",
        default_factory=secret_from_env(_KEY_ENV, default=None),
    )
    """The Gemini API key; default `GOOGLE_API_KEY`, then `GEMINI_API_KEY`. Never pickled."""
    credentials: Any = None
    """Google Cloud credentials for Vertex AI (default: application default credentials)."""
    vertexai: bool | None = None
    """Use Vertex AI batch prediction (`None`: as langchain-google-genai decides, from
    `GOOGLE_GENAI_USE_VERTEXAI`, `credentials` or `project`). Batches on Vertex AI need
    `gcs_staging_uri` (or `GEMINI_BATCH_GCS_STAGING_URI`)."""
    project: str | None = None
    """Google Cloud project (Vertex AI only)."""
    location: str | None = Field(default_factory=from_env("GOOGLE_CLOUD_LOCATION", default=None))
    """Google Cloud region (Vertex AI only); default `GOOGLE_CLOUD_LOCATION`."""
    base_url: str | dict[str, Any] | None = Field(default=None, alias="client_options")
    """Send requests here (e.g. the local emulator); default `GOOGLE_GEMINI_BASE_URL`, else
    Google. A dict (`client_options={"api_endpoint": ...}`) is read for its `api_endpoint`."""
    additional_headers: dict[str, str] | None = None
    """Extra HTTP headers sent with every request."""
    client_args: dict[str, Any] | None = None
    """Extra arguments for the HTTP client (e.g. `{"proxy": ...}`), sync and async."""
    api_version: str | None = None
    """The API version in request URLs (default: this package's, `v1beta`)."""
    transport: str | None = None
    """Accepted for older langchain-google-genai code: only `"rest"` is supported."""
    temperature: float | None = 0.7
    """Sampling temperature in `[0.0, 2.0]`; not sent for Gemini 3+ models unless given."""
    frequency_penalty: float | None = None
    """Penalty in `[-2.0, 2.0]` growing with each repetition of a token."""
    presence_penalty: float | None = None
    """Penalty in `[-2.0, 2.0]` for any token that already appeared."""
    top_p: float | None = None
    """Nucleus sampling probability mass in `[0.0, 1.0]`."""
    top_k: int | None = None
    """Sample from the `top_k` most likely tokens (positive)."""
    max_output_tokens: int | None = Field(default=None, alias="max_tokens")
    """Most tokens to generate per response."""
    n: int = Field(default=1, alias="candidate_count")
    """Candidates to generate (`candidateCount`); the message is the first one."""
    max_retries: int = Field(default=6, alias="retries")
    """Retries of an HTTP call on 408/429/5xx (this package counts retries: `0` means one
    attempt; langchain-google-genai counts attempts, with `0` meaning the SDK default)."""
    timeout: float | None = Field(default=None, alias="request_timeout")
    """HTTP timeout per request, in seconds (not the batch deadline: `batch_timeout`)."""
    response_modalities: list[Modality] | None = None
    """Output modalities, e.g. `["TEXT", "IMAGE"]`."""
    media_resolution: MediaResolution | None = None
    """Resolution of media inputs (sent as `mediaResolution`; langchain-google-genai accepts
    this field but does not send it)."""
    image_config: dict[str, Any] | None = None
    """Image generation settings (`google.genai.types.ImageConfig` fields)."""
    thinking_budget: int | None = None
    """Thinking token budget (`0` turns thinking off where allowed, `-1` is dynamic)."""
    include_thoughts: bool | None = None
    """Return thought summaries as `thinking` content blocks."""
    safety_settings: dict[Any, Any] | list[Any] | None = None
    """`{HarmCategory: HarmBlockThreshold}` as in langchain-google-genai, or a list of
    `SafetySetting`s / `{"category", "threshold"}` dicts."""
    seed: int | None = None
    """Decoding seed, for more reproducible answers."""
    labels: dict[str, str] | None = None
    """Billing labels sent with each request (`labels`)."""
    default_metadata: Sequence[tuple[str, str]] | None = Field(
        default=None, alias="default_metadata_input"
    )
    """Accepted for langchain-google-genai compatibility; not sent (as there)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """More `GenerateContentConfig` fields sent with every request, under call options
    (langchain-google-genai collects these but never sends them; unknown names are refused)."""
    streaming: bool | None = None
    """Stream `invoke` calls internally (callbacks then get tokens); batches never stream."""
    convert_system_message_to_human: bool = False
    """Deprecated (as in langchain-google-genai): merge a leading system message into the first
    human message instead of sending it as the system instruction."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences."""
    response_mime_type: str | None = None
    """Output MIME type: `text/plain`, `application/json` or `text/x.enum`."""
    response_schema: dict[str, Any] | None = None
    """A JSON schema the output follows (needs `response_mime_type="application/json"`);
    sent as `responseJsonSchema`."""
    response_json_schema: dict[str, Any] | None = None
    """Same as `response_schema` (the name langchain-google-genai takes per call); wins."""
    response_logprobs: bool | None = None
    """Return the log-probabilities of the chosen tokens (`responseLogprobs`)."""
    logprobs: int | None = None
    """How many top candidate tokens to return log-probabilities for (`logprobs`)."""
    reasoning_effort: ReasoningEffort | None = Field(default=None, alias="thinking_level")
    """Thinking level (`thinking_level` is the same setting); wins over `thinking_budget`."""
    thinking_config: dict[str, Any] | None = None
    """Raw `ThinkingConfig` fields; the flat thinking settings win for the fields they set."""
    cached_content: str | None = None
    """A context cache name (`cachedContents/...`) to read the prompt prefix from."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the model; an unknown argument raises `UnknownParameterError` (with a hint).

        (langchain-google-genai logs a warning instead and ignores the argument.)
        """
        fields = type(self).model_fields
        known = set(fields) | {f.alias for f in fields.values() if f.alias}
        for name in kwargs:
            if name not in known:
                suggestion = hint(name, known, _SYNONYMS)
                raise UnknownParameterError(
                    f"unknown {type(self).__name__} argument {name!r}{suggestion}"
                )
        if kwargs.get("transport") not in (None, "rest"):
            raise BackendNotSupportedError(_transport_message(kwargs["transport"]))
        super().__init__(**kwargs)

    def __getstate__(self) -> dict[str, Any]:
        # The key is never pickled (nor the clients holding it): an unpickled model reads
        # GOOGLE_API_KEY / GEMINI_API_KEY again, as LangChain's own serialization does.
        state = dict(super().__getstate__())
        state["__dict__"] = {**state["__dict__"], "google_api_key": None}
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {k: type(v)() for k, v in private.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.__dict__["google_api_key"] = secret_from_env(_KEY_ENV, default=None)()

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secrets LangChain serializes as references to environment variables."""
        return {"google_api_key": "GOOGLE_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Serializable: traces carry the constructor arguments (the key as a reference)."""
        return True

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        model = kwargs.get("model") or self.model
        params = LangSmithParams(
            ls_provider="google_genai",
            ls_model_name=str(model).removeprefix("models/"),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = float(temperature)
        max_tokens = kwargs.get("max_output_tokens") or kwargs.get("max_tokens")
        if (max_tokens := max_tokens or self.max_output_tokens) is not None:
            params["ls_max_tokens"] = int(max_tokens)
        if stop := stop or kwargs.get("stop") or self.stop:
            params["ls_stop"] = list(stop)
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "temperature": self.temperature,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "max_output_tokens": self.max_output_tokens,
            "n": self.n,
            "safety_settings": self.safety_settings,
            "response_modalities": self.response_modalities,
            "media_resolution": self.media_resolution,
            "thinking_budget": self.thinking_budget,
            "include_thoughts": self.include_thoughts,
            "thinking_level": self.reasoning_effort,
            "thinking_config": self.thinking_config,
            "image_config": self.image_config,
        }

    @property
    def thinking_level(self) -> ReasoningEffort | None:
        """Same as `reasoning_effort` (Gemini's own name for it)."""
        return self.reasoning_effort

    @field_validator("thinking_config", mode="before")
    @classmethod
    def _thinking_config_as_dict(cls, value: Any) -> Any:
        if isinstance(value, ThinkingConfig):
            return value.model_dump(exclude_none=True)
        return value

    @field_validator("model_kwargs", mode="after")
    @classmethod
    def _known_model_kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        fields = set(cls.model_fields)
        allowed = GENERATION_PARAMETERS | _CALL_OPTIONS
        for name in value:
            if name in fields:
                raise ValueError(f"model_kwargs: pass {name!r} as a constructor argument")
            if name not in allowed:
                raise ValueError(
                    f"model_kwargs: unknown setting {name!r}{hint(name, allowed)} (names are "
                    "those of google.genai.types.GenerateContentConfig, or call options)"
                )
        return value

    @field_validator("base_url", mode="after")
    @classmethod
    def _endpoint(cls, value: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
        if isinstance(value, dict):
            if set(value) != {"api_endpoint"}:
                raise ValueError(
                    "client_options / base_url as a dict may only hold 'api_endpoint', got "
                    f"{sorted(value)}"
                )
            return str(value["api_endpoint"])
        return value

    @field_validator("transport", mode="after")
    @classmethod
    def _rest_only(cls, value: str | None) -> str | None:
        if value not in (None, "rest"):
            raise ValueError(_transport_message(value))
        return value

    @model_validator(mode="after")
    def _check_ranges(self) -> GeminiChatFields:
        if "temperature" not in self.model_fields_set and is_gemini_3_or_later(self.model):
            self.temperature = None
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValueError(f"{name} must be in the range [{low}, {high}], got {value}")
        if self.top_k is not None and self.top_k <= 0:
            raise ValueError(f"top_k must be positive, got {self.top_k}")
        if self.n < 1:
            raise ValueError(f"n (candidate_count) must be at least 1, got {self.n}")
        return self

    @field_validator("model")
    @classmethod
    def _model_named(cls, value: str) -> str:
        if not value or not value.strip():
            raise ValueError("model is required, e.g. 'gemini-2.5-flash'")
        return value

    def uses_vertexai(self) -> bool:
        """Whether langchain-google-genai would pick Vertex AI for these settings."""
        if self.vertexai is not None:
            return self.vertexai
        flag = os.environ.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower()
        if flag in ("true", "1", "yes", "false", "0", "no"):
            return flag in ("true", "1", "yes")
        return self.credentials is not None or self.project is not None

    def chat_settings(self) -> ChatSettings:
        """These fields, frozen, for the helpers that build requests."""
        return ChatSettings(
            model=self.model,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            max_output_tokens=self.max_output_tokens,
            n=self.n,
            stop=tuple(self.stop) if self.stop is not None else None,
            seed=self.seed,
            frequency_penalty=self.frequency_penalty,
            presence_penalty=self.presence_penalty,
            response_modalities=tuple(self.response_modalities or ()) or None,
            media_resolution=self.media_resolution,
            image_config=self.image_config,
            thinking_budget=self.thinking_budget,
            include_thoughts=self.include_thoughts,
            reasoning_effort=self.reasoning_effort,
            thinking_config=self.thinking_config,
            safety_settings=self.safety_settings,
            response_mime_type=self.response_mime_type,
            response_schema=self.response_schema,
            response_json_schema=self.response_json_schema,
            response_logprobs=self.response_logprobs,
            logprobs=self.logprobs,
            cached_content=self.cached_content,
            labels=self.labels,
            model_kwargs=dict(self.model_kwargs),
            convert_system_message_to_human=self.convert_system_message_to_human,
        )
