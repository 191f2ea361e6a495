"""Reading request fields in either spelling, and rejecting unknown ones as Google does.

Google's JSON parser accepts `camelCase` and `snake_case` names and rejects any name its proto
does not know with a 400 `Invalid JSON payload received. Unknown name "x" at 'path': Cannot find
field.` The known names are derived from `google.genai.types`, so the emulator moves with the SDK.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from google.genai import types

__all__ = ["FieldViolation", "field", "known_unknowns", "snake_case", "unknown_request_fields"]

# GenerateContentConfig fields that never reach the wire (client-side options, Vertex only).
_CLIENT_ONLY = frozenset(
    {
        "automatic_continuation",
        "automatic_function_calling",
        "generation_output_config",
        "http_options",
        "model_armor_config",
        "should_return_http_response",
    }
)
# GenerateContentConfig fields the SDK moves into `generationConfig`.
_INTO_GENERATION_CONFIG = frozenset({"image_config"})


@functools.cache
def snake_case(name: str) -> str:
    """Returns the snake_case spelling of a camelCase name: `maxOutputTokens` → `max_output_tokens`.

    Args:
        name: A field name in either spelling.
    """
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@functools.cache
def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def field(obj: object, name: str) -> Any:
    """Reads a field by its camelCase name, falling back to the snake_case spelling.

    Args:
        obj: A JSON object (anything else yields `None`).
        name: The camelCase name, e.g. `generationConfig`.

    Returns:
        The value, or `None` when absent (or when `obj` is not a mapping).
    """
    if type(obj) is not dict and not isinstance(obj, Mapping):  # fast path: parsed JSON
        return None
    value = obj.get(name)
    if value is None:
        value = obj.get(snake_case(name))
    return value


def _both_spellings(names: frozenset[str]) -> frozenset[str]:
    return names | {_camel_case(n) for n in names}


_GENERATION_CONFIG = frozenset(types.GenerationConfig.model_fields) | _INTO_GENERATION_CONFIG
_REQUEST = (
    frozenset(types.GenerateContentConfig.model_fields) - _GENERATION_CONFIG - _CLIENT_ONLY
) | {"model", "contents", "generation_config"}
KNOWN_REQUEST_FIELDS = _both_spellings(_REQUEST)
KNOWN_GENERATION_CONFIG_FIELDS = _both_spellings(_GENERATION_CONFIG)
KNOWN_THINKING_CONFIG_FIELDS = _both_spellings(frozenset(types.ThinkingConfig.model_fields))
KNOWN_INLINED_REQUEST_FIELDS = frozenset({"request", "metadata"})


class FieldViolation:
    """One unknown field name, with the proto path Google reports it at.

    Args:
        name: The field name as sent.
        path: The snake_case proto path of the object holding it (`""` for the top level).
    """

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = path

    @property
    def description(self) -> str:
        """Google's message for this violation."""
        where = f" at '{self.path}'" if self.path else ""
        return (
            f'Invalid JSON payload received. Unknown name "{self.name}"{where}: Cannot find field.'
        )


def known_unknowns(obj: object, known: frozenset[str], path: str) -> list[FieldViolation]:
    """Lists the names in `obj` that are not in `known`.

    Args:
        obj: A JSON object (anything else has no violations).
        known: Accepted names (both spellings).
        path: The proto path of `obj`, used in the messages.
    """
    if not isinstance(obj, Mapping):
        return []
    return [FieldViolation(name, path) for name in obj if name not in known]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def unknown_request_fields(request: object, path: str = "") -> list[FieldViolation]:
    """Lists unknown names in a GenerateContentRequest, its generationConfig and thinkingConfig.

    Args:
        request: The request object as received.
        path: Proto path of the request (`""` for a generateContent body).
    """
    violations = known_unknowns(request, KNOWN_REQUEST_FIELDS, path)
    config = field(request, "generationConfig")
    config_path = _join(path, "generation_config")
    violations += known_unknowns(config, KNOWN_GENERATION_CONFIG_FIELDS, config_path)
    thinking = field(config, "thinkingConfig")
    thinking_path = _join(config_path, "thinking_config")
    violations += known_unknowns(thinking, KNOWN_THINKING_CONFIG_FIELDS, thinking_path)
    return violations
