"""Makes a JSON value valid against a schema: how the deterministic model fills structured output.

Understands JSON Schema (`responseJsonSchema`, `parametersJsonSchema`) and Google's OpenAPI-style
`Schema` (`responseSchema`, `parameters`, upper-case types, `nullable`, `property_ordering`).

Rules, in order:
- `$ref` (also `ref`) is resolved against the root's `$defs`, `defs` or `definitions`.
- `const` gives the constant; `enum` its first value.
- `anyOf` / `oneOf` take the first branch that is not `null`; `allOf` merges its branches.
- a list of types takes the first that is not `null`; no type means object (when `properties`
  is present), array (when `items` is), else string.
- string: the prompt text (`"text"` when the prompt is empty), cut to `maxLength` and padded
  with `x` to `minLength`; formats `date`, `date-time`, `time`, `email`, `uri`, `uuid` get a
  fixed valid example instead.
- integer and number: `1`, moved into `[minimum, maximum]` (exclusive bounds respected).
- boolean: `true`; null: `null`.
- array: `max(1, minItems)` copies of an item (`maxItems` respected; `prefixItems` honoured).
- object: every declared property (required or not) in `property_ordering` / declared order.
  Below a nesting depth of 8, optional properties are left out so recursive schemas stop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field

__all__ = ["example_value"]

_MAX_DEPTH = 8
_HARD_DEPTH = 32
_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def example_value(schema: object, text: str) -> Any:
    """Returns a JSON value valid against `schema`.

    Args:
        schema: A JSON Schema or Google `Schema` object (`None` or `{}` allow anything: a string).
        text: The prompt text strings are made from.

    Returns:
        A JSON-serialisable value.
    """
    root = schema if isinstance(schema, Mapping) else {}
    return _Generator(root, text or "text").value(root, 0)


class _Generator:
    def __init__(self, root: Mapping[str, Any], text: str) -> None:
        self.root = root
        self.text = text

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(_HARD_DEPTH):
            ref = schema.get("$ref", schema.get("ref"))
            if not isinstance(ref, str) or not ref.startswith("#"):
                return schema
            target: Any = self.root
            for part in ref.lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                key = part.replace("~1", "/").replace("~0", "~")
                target = target.get(key) if isinstance(target, Mapping) else None
            if not isinstance(target, Mapping):
                return {}
            schema = target
        return schema

    def value(self, schema: object, depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _HARD_DEPTH:
            return None if depth > _HARD_DEPTH else self.text
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        for key in ("anyOf", "oneOf"):
            branches = field(schema, key)
            if isinstance(branches, list) and branches:
                return self.value(_first_not_null(branches, self.resolve), depth)
        all_of = field(schema, "allOf")
        if isinstance(all_of, list) and all_of:
            return self.value(self.merge(all_of), depth)
        kind = _type_of(schema)
        if kind == "object":
            return self.object_value(schema, depth)
        if kind == "array":
            return self.array_value(schema, depth)
        if kind == "integer":
            return math.ceil(_number(schema, integer=True))
        if kind == "number":
            return _number(schema, integer=False)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self.string_value(schema)

    def merge(self, branches: list[Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for branch in branches:
            if not isinstance(branch, Mapping):
                continue
            resolved = self.resolve(branch)
            merged.update(resolved)
            properties.update(field(resolved, "properties") or {})
            required += list(field(resolved, "required") or [])
        if properties:
            merged["properties"] = properties
            merged["required"] = required
        return merged

    def object_value(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = field(schema, "properties")
        if not isinstance(properties, Mapping):
            return {}
        required = set(field(schema, "required") or ())
        ordering = field(schema, "propertyOrdering") or []
        names = [n for n in ordering if n in properties]
        names += [n for n in properties if n not in names]
        return {
            name: self.value(properties[name], depth + 1)
            for name in names
            if depth < _MAX_DEPTH or name in required
        }

    def array_value(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        prefix = field(schema, "prefixItems")
        prefix_items = list(prefix) if isinstance(prefix, list) else []
        minimum = int(field(schema, "minItems") or 0)
        maximum = field(schema, "maxItems")
        count = max(1 if depth < _MAX_DEPTH else 0, minimum, len(prefix_items))
        if maximum is not None:
            count = min(count, int(maximum))
        items = field(schema, "items")
        return [
            self.value(prefix_items[i] if i < len(prefix_items) else items, depth + 1)
            for i in range(count)
        ]

    def string_value(self, schema: Mapping[str, Any]) -> str:
        fmt = field(schema, "format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        value = self.text
        max_length = field(schema, "maxLength")
        if max_length is not None:
            value = value[: int(max_length)]
        min_length = int(field(schema, "minLength") or 0)
        return value.ljust(min_length, "x")


def _first_not_null(branches: list[Any], resolve: Any) -> Any:
    for branch in branches:
        if isinstance(branch, Mapping) and _type_of(resolve(branch)) != "null":
            return branch
    return branches[0]


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    if isinstance(kind, str) and kind and kind.upper() != "TYPE_UNSPECIFIED":
        return kind.lower()
    if "properties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema or "prefix_items" in schema:
        return "array"
    return "string"


def _number(schema: Mapping[str, Any], *, integer: bool) -> float:
    step = 1 if integer else 0.5
    value: float = 1
    low = field(schema, "minimum")
    high = field(schema, "maximum")
    ex_low = field(schema, "exclusiveMinimum")
    ex_high = field(schema, "exclusiveMaximum")
    if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool) and value <= ex_low:
        value = ex_low + step
    if low is not None and value < low:
        value = low
    if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool) and value >= ex_high:
        value = ex_high - step
    if high is not None and value > high:
        value = high
    return value
