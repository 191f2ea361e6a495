"""A call's settings and options as the `GenerateContentConfig` fields of its request.

`call_options` mirrors langchain-google-genai 4.4's `ChatGoogleGenerativeAI._prepare_request`
(and the helpers it calls) field by field, so a chat model and a call given the same settings
send the same `generationConfig`, `safetySettings`, `tools`, `toolConfig`, `cachedContent` and
`labels`: `temperature` and `candidateCount` always, `safetySettings: []` when none, flat
thinking settings merged over `thinking_config`, `response_schema` sent as
`response_json_schema`, OpenAI's `response_format` understood, sampling settings dropped for
models that ignore them, text-to-speech defaults for `-tts` models. Unknown names are left in
for the invoker to refuse (with a suggestion). Pure functions, no I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from google.genai import types
from pydantic import ValidationError

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.settings import (
    CallOptions,
    ChatSettings,
    uses_fixed_sampling,
)
from langchain_gemini_batch.langchain.tools import format_tools, tool_config_for

__all__ = ["call_options", "safety_settings_list"]

_TRACING_ONLY = ("ls_structured_output_format", "structured_output_format")
_LANGCHAIN_ONLY = ("stream", "strict")
_SAMPLING = ("temperature", "top_k", "top_p")
_JSON = "application/json"
_CONSUMED = frozenset(
    {
        "thinking_budget",
        "thinking_level",
        "include_thoughts",
        "reasoning_effort",
        "response_schema",
        "response_json_schema",
        "response_mime_type",
    }
)


def _invalid(message: str) -> InvalidRequestError:
    return InvalidRequestError(message)


def safety_settings_list(value: Mapping[Any, Any] | list[Any] | None) -> list[types.SafetySetting]:
    """`{HarmCategory: HarmBlockThreshold}` (or a list of settings) as `SafetySetting`s.

    Raises:
        InvalidRequestError: A category or threshold is unknown.
    """
    if not value:
        return []
    try:
        if isinstance(value, Mapping):
            return [types.SafetySetting(category=k, threshold=v) for k, v in value.items()]
        return [
            s if isinstance(s, types.SafetySetting) else types.SafetySetting.model_validate(s)
            for s in value
        ]
    except ValidationError as exc:
        raise _invalid(f"invalid safety_settings: {exc.errors()[0]['msg']}") from None


def _defaults(settings: ChatSettings) -> dict[str, Any]:
    """Fields that act as call options (so a call's own value wins)."""
    defaults = dict(settings.model_kwargs)
    for name in ("media_resolution", "response_json_schema", "response_logprobs", "logprobs"):
        value = getattr(settings, name)
        if value is not None:
            defaults.setdefault(name, value)
    return defaults


def _thinking(settings: ChatSettings, options: Mapping[str, Any]) -> types.ThinkingConfig | None:
    raw = options.get("thinking_config", settings.thinking_config)
    level = options.get(
        "thinking_level", options.get("reasoning_effort", settings.reasoning_effort)
    )
    budget = options.get("thinking_budget", settings.thinking_budget)
    include = options.get("include_thoughts", settings.include_thoughts)
    if raw is None and level is None and budget is None and include is None:
        return None
    config: dict[str, Any] = {}
    try:
        if raw is not None:
            config.update(types.ThinkingConfig.model_validate(raw).model_dump(exclude_none=True))
        flat = {"thinking_level": level, "thinking_budget": budget, "include_thoughts": include}
        config.update({k: v for k, v in flat.items() if v is not None})
        if "thinking_level" in config and "thinking_budget" in config:
            warnings.warn(
                "Both 'thinking_level' and 'thinking_budget' were set after merging thinking "
                "configuration values. 'thinking_level' takes precedence for Gemini 3+ models; "
                "'thinking_budget' will be ignored.",
                UserWarning,
                stacklevel=4,
            )
            config.pop("thinking_budget")
        return types.ThinkingConfig(**config)
    except ValidationError as exc:
        raise _invalid(f"invalid thinking settings: {exc.errors()[0]['msg']}") from None


def _generation(
    settings: ChatSettings, model: str, stop: list[str] | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The base generation config: sampling, stop, tokens, modalities, seed, thinking."""
    stop_sequences = stop if stop is not None else options.get("stop_sequences", settings.stop)
    modalities = options.get("response_modalities", settings.response_modalities)
    config: dict[str, Any] = {
        "candidate_count": options.get("candidate_count", settings.n),
        "temperature": options.get("temperature", settings.temperature),
        "stop_sequences": list(stop_sequences) if stop_sequences is not None else None,
        "max_output_tokens": options.get("max_output_tokens", settings.max_output_tokens),
        "top_k": options.get("top_k", settings.top_k),
        "top_p": options.get("top_p", settings.top_p),
        "frequency_penalty": options.get("frequency_penalty", settings.frequency_penalty),
        "presence_penalty": options.get("presence_penalty", settings.presence_penalty),
        "response_modalities": [getattr(m, "value", m) for m in modalities] if modalities else None,
        "seed": options.get("seed", settings.seed),
    }
    if model.endswith("-tts") or "-tts-" in model:
        if config["response_modalities"] is None:
            config["response_modalities"] = ["AUDIO"]
        config["speech_config"] = types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Kore")
            )
        )
    thinking = _thinking(settings, options)
    if thinking is not None:
        config["thinking_config"] = thinking
    return {k: v for k, v in config.items() if v is not None}


def _response_parameters(
    config: dict[str, Any], settings: ChatSettings, options: Mapping[str, Any]
) -> None:
    mime = options.get("response_mime_type", settings.response_mime_type)
    if mime is not None:
        config["response_mime_type"] = mime
    schema = options.get("response_schema", settings.response_schema)
    json_schema = options.get("response_json_schema")
    chosen = json_schema if json_schema is not None else schema
    if chosen:
        if mime != _JSON:
            message = (
                "JSON schema structured output is only supported when response_mime_type is "
                "set to 'application/json'"
            )
            if mime == "text/x.enum":
                message += ". Instead of 'text/x.enum', define enums using your JSON schema."
            raise _invalid(message)
        config["response_json_schema"] = chosen


def _openai_response_format(options: dict[str, Any]) -> None:
    response_format = options.pop("response_format", None)
    if not isinstance(response_format, Mapping):
        return
    if response_format.get("type") in ("json_object", "json_schema"):
        options.setdefault("response_mime_type", _JSON)
        schema = (response_format.get("json_schema") or {}).get("schema")
        if schema:
            options.setdefault("response_json_schema", schema)


def _tools(options: dict[str, Any]) -> tuple[list[types.Tool] | None, types.ToolConfig | None]:
    tools = options.pop("tools", None)
    functions = options.pop("functions", None)
    if options.pop("code_execution", None):
        if tools:
            raise _invalid("Tools are already defined; the code_execution tool can't be added")
        tools = [types.Tool(code_execution=types.ToolCodeExecution())]
    formatted = format_tools(tools, functions)
    choice = options.pop("tool_choice", None)
    config = tool_config_for(choice, options.pop("tool_config", None), formatted)
    return formatted, config


def call_options(
    settings: ChatSettings, stop: list[str] | None, kwargs: Mapping[str, Any]
) -> CallOptions:
    """Every `GenerateContentConfig` field one call sends, from the settings and its options.

    Args:
        settings: The chat model's settings.
        stop: The call's `stop` argument (a `stop` in `kwargs` is used when this is `None`).
        kwargs: The call's keyword arguments: langchain-google-genai's call options (`tools`,
            `functions`, `tool_choice`, `tool_config`, `safety_settings`, `generation_config`,
            `cached_content`, `timeout`, `max_retries`, `response_format`, `code_execution`,
            the thinking and response settings, ...), LangChain's (`stop`, `max_tokens`,
            `model`), or any `GenerateContentConfig` field.

    Returns:
        The call's options; `hyperparameters` names `GenerateContentConfig` fields only.

    Raises:
        InvalidRequestError: A tool, `tool_choice`, safety or thinking setting, or schema is
            invalid.
    """
    options = {**_defaults(settings), **kwargs}
    ls_format = None
    for name in _TRACING_ONLY:
        ls_format = options.pop(name, None) or ls_format
    for name in _LANGCHAIN_ONLY:
        options.pop(name, None)
    model = str(options.pop("model", None) or settings.model)
    call_stop = options.pop("stop", None)
    stop = stop if stop is not None else call_stop
    if "max_tokens" in options:
        options.setdefault("max_output_tokens", options.pop("max_tokens"))
    if "n" in options:
        options.setdefault("candidate_count", options.pop("n"))
    if "http_options" in options:
        raise _invalid("per-call http_options are not supported; set them on the model")
    tools, tool_config = _tools(options)
    safety = options.pop("safety_settings", None)
    safety_settings = safety_settings_list(
        safety if safety is not None else settings.safety_settings
    )
    cached_content = options.pop("cached_content", None) or settings.cached_content
    generation_config = options.pop("generation_config", None)
    timeout = options.pop("timeout", None)
    max_retries = options.pop("max_retries", None)
    _openai_response_format(options)
    config = _generation(settings, model, stop, options)
    if generation_config:
        config = {**config, **dict(generation_config)}
    _response_parameters(config, settings, options)
    image_config = options.pop("image_config", None)
    image_config = image_config if image_config is not None else settings.image_config
    labels = options.pop("labels", None)
    labels = labels if labels is not None else settings.labels
    consumed = _CONSUMED | set(config)
    remaining = {k: v for k, v in options.items() if k not in consumed}
    if uses_fixed_sampling(model):
        ignored = [name for name in _SAMPLING if name in config]
        if ignored:
            warnings.warn(
                f"Model '{model}' uses fixed sampling defaults; the sampling parameter(s) "
                f"{', '.join(ignored)} will be ignored.",
                UserWarning,
                stacklevel=3,
            )
            for name in ignored:
                config.pop(name)
    hyperparameters: dict[str, Any] = {
        "tools": list(tools) if tools else None,
        "tool_config": tool_config,
        "safety_settings": safety_settings,
        "cached_content": cached_content,
        "image_config": types.ImageConfig(**image_config) if image_config is not None else None,
        "labels": dict(labels) if labels is not None else None,
        **config,
        **remaining,
    }
    return CallOptions(
        model=model,
        stop=list(stop) if stop is not None else None,
        hyperparameters={k: v for k, v in hyperparameters.items() if v is not None},
        timeout=float(timeout) if timeout is not None else None,
        max_retries=int(max_retries) if max_retries is not None else None,
        ls_structured_output_format=ls_format,
    )
