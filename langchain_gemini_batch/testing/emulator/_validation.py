"""The values Google refuses in a GenerateContentRequest, in one place.

`request_violations(request, path)` lists every problem; the endpoints turn them into Google's
400 INVALID_ARGUMENT (message: the descriptions joined by newlines; a `google.rpc.BadRequest`
detail with one `fieldViolations` entry each). `generateContent`, `streamGenerateContent` and
`countTokens` refuse the call; `batchGenerateContent` refuses the whole create, naming each
inline request's path (`batch.input_config.requests.requests[3].request.generation_config.
max_output_tokens`); in a JSONL input file a bad line becomes that request's error result
(code 3) and the job runs.

Two kinds of problem, in Google's two wordings:

- **Wrong JSON type** (Google's proto-JSON parser): `Invalid value at '<path>' (TYPE_INT32),
  1.5` for `maxOutputTokens`, `topK`, `candidateCount`, `seed`, `logprobs` and
  `thinkingConfig.thinkingBudget` (integers; numeric strings are accepted as proto-JSON does),
  `(TYPE_FLOAT)` for `temperature`, `topP`, `presencePenalty` and `frequencyPenalty`, and
  `(type.googleapis.com/google.ai.generativelanguage.<version>.Type), "FOO"` for an unknown
  `responseSchema` type (any letter case accepted). A `responseSchema` that is not an object is
  refused as a `...Schema` value; unknown field names inside it get `Unknown name "x" at
  '<path>': Cannot find field.` [format seen in real answers].
- **Value out of range** (`* GenerateContentRequest.<path>: <text>`, each line ending in a
  newline, as Google's validation messages do): `maxOutputTokens` <= 0; `temperature` outside
  [0, 2]; `topP` outside [0, 1]; `topK` < 1; `candidateCount` outside [1, 8]; `logprobs` outside
  [0, 20]; a `responseJsonSchema` that is not an object or boolean, or whose `type` (anywhere
  in it) is not a JSON Schema type; a function declaration name that does not start with a
  letter or underscore, holds other characters than a-z, A-Z, 0-9, `_`, `.`, `:`, `-`, or is
  longer than 128 characters (the SDK's docstring says 128; real answers seen in early 2026 said
  64, in the message kept here with 128).

Unverified against Google: the exact wording of every range message, whether Google refuses
`topK` 0 and `maxOutputTokens` 0 (proto `optional` fields, so 0 is a value), the `candidateCount`
and `logprobs` bounds for every model, the `responseJsonSchema` checks, and whether a JSONL line
with such a value fails alone (as here) or fails the job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from google.genai import types

from langchain_gemini_batch.testing.emulator._fields import field, snake_case
from langchain_gemini_batch.testing.emulator._wire import ApiError, dumps, invalid_argument

__all__ = ["Violation", "request_violations", "violations_error"]

_INT32 = (-(2**31), 2**31 - 1)
_INT_FIELDS = ("maxOutputTokens", "topK", "candidateCount", "seed", "logprobs")
_FLOAT_FIELDS = ("temperature", "topP", "presencePenalty", "frequencyPenalty")
# (field, lowest, highest, message) — bounds inclusive; None = unbounded.
_RANGES: tuple[tuple[str, float | None, float | None, str], ...] = (
    ("maxOutputTokens", 1, None, "max_output_tokens must be positive."),
    ("temperature", 0, 2, "temperature must be in the range [0.0, 2.0]."),
    ("topP", 0, 1, "top_p must be in the range [0.0, 1.0]."),
    ("topK", 1, None, "top_k must be positive."),
    ("candidateCount", 1, 8, "candidate_count must be in the range [1, 8]."),
    ("logprobs", 0, 20, "logprobs must be in the range [0, 20]."),
)
_SCHEMA_TYPES = frozenset(
    {"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
)
_JSON_SCHEMA_TYPES = frozenset(
    {"string", "number", "integer", "boolean", "array", "object", "null"}
)
_JSON_SCHEMA_VALUES = frozenset({"enum", "const", "default", "examples", "example"})
_SCHEMA_FIELDS = frozenset(types.Schema.model_fields) | {
    re.sub(r"_([a-z])", lambda m: m.group(1).upper(), n) for n in types.Schema.model_fields
}
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,127}")
_FUNCTION_NAME_RULE = (
    "Invalid function name. Must start with a letter or an underscore. Must be alphameric "
    "(a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum "
    "length of 128."
)


class Violation(NamedTuple):
    """One refused value: the snake_case proto path and Google's description of it."""

    path: str
    description: str


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(value: object) -> str:
    return dumps(value) if isinstance(value, str) else str(value).replace("True", "true")


def _number(value: object, *, integer: bool) -> float | None:
    """The value as proto-JSON reads it, or None when it is not a valid number of that type."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value) if not integer else int(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    if integer:
        if isinstance(value, float) and not value.is_integer():
            return None
        return value if _INT32[0] <= value <= _INT32[1] else None
    return float(value)


def _config_violations(config: Mapping[str, Any], path: str, owner: str) -> Iterator[Violation]:
    numbers: dict[str, float] = {}
    for names, integer in ((_INT_FIELDS, True), (_FLOAT_FIELDS, False)):
        for name in names:
            value = field(config, name)
            if value is None:
                continue
            number = _number(value, integer=integer)
            where = _join(path, snake_case(name))
            if number is None:
                kind = "TYPE_INT32" if integer else "TYPE_FLOAT"
                yield Violation(where, f"Invalid value at '{where}' ({kind}), {_shown(value)}")
            else:
                numbers[name] = number
    budget = field(field(config, "thinkingConfig"), "thinkingBudget")
    if budget is not None and _number(budget, integer=True) is None:
        where = _join(path, "thinking_config.thinking_budget")
        yield Violation(where, f"Invalid value at '{where}' (TYPE_INT32), {_shown(budget)}")
    for name, low, high, text in _RANGES:
        number = numbers.get(name)
        if number is None:
            continue
        if (
            math.isnan(number)
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            where = _join(path, snake_case(name))
            yield Violation(where, f"* {owner}.{where}: {text}\n")


def _schema_violations(schema: object, path: str, version: str) -> Iterator[Violation]:
    if not isinstance(schema, Mapping):
        message = f"type.googleapis.com/google.ai.generativelanguage.{version}.Schema"
        yield Violation(path, f"Invalid value at '{path}' ({message}), {_shown(schema)}")
        return
    for name in schema:
        if name not in _SCHEMA_FIELDS:
            yield Violation(
                path,
                f"Invalid JSON payload received. Unknown name \"{name}\" at '{path}': "
                "Cannot find field.",
            )
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind.upper() not in _SCHEMA_TYPES):
        where = _join(path, "type")
        enum = f"type.googleapis.com/google.ai.generativelanguage.{version}.Type"
        yield Violation(where, f"Invalid value at '{where}' ({enum}), {_shown(kind)}")
    properties = field(schema, "properties")
    if isinstance(properties, Mapping):
        for index, sub in enumerate(properties.values()):
            yield from _schema_violations(sub, f"{path}.properties[{index}].value", version)
    items = field(schema, "items")
    if items is not None:
        yield from _schema_violations(items, _join(path, "items"), version)
    any_of = field(schema, "anyOf")
    for index, sub in enumerate(any_of if isinstance(any_of, list) else []):
        yield from _schema_violations(sub, f"{path}.any_of[{index}]", version)


def _json_schema_types(schema: object) -> Iterator[object]:
    """Every `type` value in a JSON Schema, however deeply nested."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            kind = item.get("type")
            if kind is not None and not isinstance(kind, Mapping):
                yield kind
            stack.extend(v for k, v in item.items() if k not in _JSON_SCHEMA_VALUES)
        elif isinstance(item, list):
            stack.extend(item)


def _json_schema_violations(schema: object, path: str, owner: str) -> Iterator[Violation]:
    if isinstance(schema, bool):
        return
    if not isinstance(schema, Mapping):
        yield Violation(path, f"* {owner}.{path}: response_json_schema must be an object.\n")
        return
    for kind in _json_schema_types(schema):
        names = kind if isinstance(kind, list) else [kind]
        if not names or any(n not in _JSON_SCHEMA_TYPES for n in names):
            yield Violation(path, f"* {owner}.{path}: invalid JSON Schema type {_shown(kind)}.\n")
            return


def _tool_violations(request: Mapping[str, Any], path: str, owner: str) -> Iterator[Violation]:
    tools = field(request, "tools")
    for t_index, tool in enumerate(tools if isinstance(tools, list) else []):
        declarations = field(tool, "functionDeclarations")
        for d_index, declaration in enumerate(
            declarations if isinstance(declarations, list) else []
        ):
            name = field(declaration, "name")
            if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
                where = _join(path, f"tools[{t_index}].function_declarations[{d_index}].name")
                yield Violation(where, f"* {owner}.{where}: {_FUNCTION_NAME_RULE}\n")


def request_violations(
    request: object,
    path: str = "",
    *,
    owner: str = "GenerateContentRequest",
    version: str = "v1beta",
) -> list[Violation]:
    """Lists every value Google would refuse in a GenerateContentRequest (see the module rules).

    Args:
        request: The request as received (camelCase or snake_case names).
        path: Proto path of the request (`""` for a generateContent body,
            `batch.input_config.requests.requests[3].request` in a batch create).
        owner: The request message named in range messages (`GenerateContentRequest`, or
            `BatchGenerateContentRequest` for a batch create).
        version: `v1beta` or `v1` (it appears in enum type names).
    """
    if not isinstance(request, Mapping):
        return []
    found = list(_tool_violations(request, path, owner))
    config = field(request, "generationConfig")
    if isinstance(config, Mapping):
        config_path = _join(path, "generation_config")
        found += _config_violations(config, config_path, owner)
        schema = field(config, "responseSchema")
        if schema is not None:
            found += _schema_violations(schema, _join(config_path, "response_schema"), version)
        json_schema = field(config, "responseJsonSchema")
        if json_schema is not None:
            found += _json_schema_violations(
                json_schema, _join(config_path, "response_json_schema"), owner
            )
    return found


def violations_error(violations: list[Violation]) -> ApiError:
    """Google's 400 for these violations (message lines joined; one fieldViolation each)."""
    message = "\n".join(v.description.rstrip("\n") for v in violations)
    if all(v.description.endswith("\n") for v in violations):
        message += "\n"
    return invalid_argument(message, [(v.path, v.description.rstrip("\n")) for v in violations])
