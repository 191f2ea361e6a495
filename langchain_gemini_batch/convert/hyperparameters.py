"""Generation settings ("hyperparameters"): validation and the SDK's config converter.

Hyperparameters are named exactly as the fields of google-genai's `GenerateContentConfig`
(`temperature`, `top_p`, `top_k`, `max_output_tokens`, `stop_sequences`, `system_instruction`,
`tools`, `tool_config`, `response_mime_type`, `response_json_schema`, `thinking_config`, ...).
The config part of a request is built once per call by the SDK's own converter, so batch and
online requests carry exactly what `client.models.generate_content` would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google import genai
from google.genai import types
from pydantic import ValidationError

from langchain_gemini_batch._genai_compat import config_to_wire
from langchain_gemini_batch._hints import hint
from langchain_gemini_batch.errors import InvalidRequestError, UnknownParameterError

__all__ = ["GENERATION_PARAMETERS", "build_config_part", "merge_hyperparameters"]

# Fields of GenerateContentConfig that are not generation settings of a request.
_NOT_SETTINGS = frozenset(
    {
        "http_options",
        "should_return_http_response",
        "automatic_function_calling",
        "continuation_token",
        "automatic_continuation",
    }
)

GENERATION_PARAMETERS: frozenset[str] = frozenset(types.GenerateContentConfig.model_fields) - (
    _NOT_SETTINGS
)
"""Every accepted hyperparameter name."""

_SYNONYMS = {
    "max_tokens": "max_output_tokens",
    "max_new_tokens": "max_output_tokens",
    "stop": "stop_sequences",
    "n": "candidate_count",
    "system": "system_instruction",
    "system_prompt": "system_instruction",
    "thinking_level": "thinking_config",
    "thinking_budget": "thinking_config",
    "include_thoughts": "thinking_config",
}
"""Names people use for these settings elsewhere, for hints."""


def _check_names(params: Mapping[str, Any], where: str) -> None:
    for name in params:
        if name in GENERATION_PARAMETERS:
            continue
        suggestion = hint(name, GENERATION_PARAMETERS, _SYNONYMS)
        raise UnknownParameterError(
            f"unknown hyperparameter {name!r} in {where}{suggestion} "
            "(names are those of google.genai.types.GenerateContentConfig)"
        )


def merge_hyperparameters(
    defaults: Mapping[str, Any] | None, overrides: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Merge per-call hyperparameters over the defaults, rejecting unknown names.

    Args:
        defaults: The invoker's `default_hyperparameters`.
        overrides: The call's `hyperparameters`; a value of `None` removes a default.

    Returns:
        The merged settings, without `None` values.

    Raises:
        UnknownParameterError: A name is not a `GenerateContentConfig` field; the message
            suggests the closest valid one.
    """
    _check_names(defaults or {}, "default_hyperparameters")
    _check_names(overrides or {}, "hyperparameters")
    merged = {**(defaults or {}), **(overrides or {})}
    return {k: v for k, v in merged.items() if v is not None}


def build_config_part(client: genai.Client, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Convert settings into the wire fields that sit beside `contents` in a request.

    Uses the SDK's own `GenerateContentParameters` converter, so `systemInstruction`,
    `tools`, `toolConfig`, `safetySettings`, `cachedContent` and `generationConfig` come out
    exactly as `generate_content` sends them.

    Args:
        client: The SDK client (only read: the API it speaks decides the wire spelling).
        settings: Validated hyperparameters.

    Returns:
        A dict such as `{"systemInstruction": ..., "generationConfig": {...}}`.

    Raises:
        InvalidRequestError: A value has the wrong type for its field.
    """
    if not settings:
        return {}
    try:
        config = types.GenerateContentConfig(**settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise InvalidRequestError(f"invalid hyperparameters: {problems}") from None
    return dict(config_to_wire(client, config))  # `generationConfig: {}` too, as the SDK
