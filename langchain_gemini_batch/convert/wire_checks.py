r"""Values Google would refuse, caught before anything is sent.

Two kinds of check:
- `encode_json` encodes a request as strict JSON (UTF-8, no NaN or infinities). A value that
  cannot be encoded (a lone surrogate such as `"\ud800"`, `float("nan")`, an infinity) is an
  `InvalidRequestError` naming the request and the field path, never a bare
  `UnicodeEncodeError` or a `NaN` token Google's parser refuses.
- `check_settings` checks the shared part of a request (generation config ranges, function
  names, response and parameter schemas) once per call.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from langchain_gemini_batch.errors import InvalidRequestError

__all__ = ["check_settings", "encode_json", "find_unencodable"]

FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,63}$")
"""Gemini's rule for function names: a letter or `_` first, then letters, digits, `_ . : -`;
at most 64 characters."""

_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "topP": (0.0, 1.0),
    "topK": (1.0, math.inf),
    "maxOutputTokens": (1.0, math.inf),
    "candidateCount": (1.0, 8.0),
    "presencePenalty": (-2.0, 2.0),
    "frequencyPenalty": (-2.0, 2.0),
    "logprobs": (0.0, 20.0),
    "seed": (-(2.0**31), 2.0**31 - 1),
}
_INTEGERS = frozenset({"topK", "maxOutputTokens", "candidateCount", "logprobs", "seed"})
_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_OPENAPI_TYPES = frozenset(
    {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "OBJECT", "ARRAY", "NULL", "TYPE_UNSPECIFIED"}
)


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield path + f".{key}" if path else str(key), key
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def find_unencodable(value: Any) -> tuple[str, str] | None:
    """The first field that strict UTF-8 JSON cannot carry: `(path, problem)`, or `None`."""
    for path, item in _walk(value, ""):
        if isinstance(item, float) and not math.isfinite(item):
            return path, f"{item!r} is not a JSON number"
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = item[exc.start : exc.end].encode("unicode_escape").decode()
                return path, f"holds {bad}, a lone surrogate, which is not valid Unicode"
    return None


_strict_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
"""One encoder for every call (`json.dumps` with options builds a new one each time)."""


def _not_serializable(value: object) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_fast_chunks = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _not_serializable, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    if getattr(json.encoder, "c_make_encoder", None) is not None
    else None
)
"""The C encoder `_strict_encode` runs, built once and without the circular-reference check (a
cycle ends in `RecursionError`, and the checked encoder then names it): twice as fast for the
small dicts of a batch's requests."""


def _fast_encode(value: Any) -> str:
    if _fast_chunks is None:
        return _strict_encode(value)
    return "".join(_fast_chunks(value, 0))


def encode_json(value: Any, *, request_id: str | None = None) -> bytes:
    """Strict, compact UTF-8 JSON of `value`.

    Raises:
        InvalidRequestError: A string holds a lone surrogate, or a number is NaN or infinite
            (the message names the request and the field).
    """
    try:
        return _fast_encode(value).encode("utf-8")
    except (ValueError, UnicodeEncodeError, TypeError, RecursionError):
        pass  # the checked encoder below says what is wrong
    try:
        return _strict_encode(value).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        found = find_unencodable(value)
        if found is None:
            raise
        path, problem = found
        raise InvalidRequestError(
            f"{path or 'the request'} {problem}", request_id=request_id
        ) from None


def _number_problem(name: str, value: Any) -> str | None:
    low, high = _RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {value!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value!r}"
    if name in _INTEGERS and int(value) != value:
        return f"must be a whole number, got {value!r}"
    if not low <= value <= high:
        bound = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
        return f"must be {bound}, got {value!r}"
    return None


def _schema_problems(schema: Any, path: str, *, openapi: bool) -> Iterator[str]:
    if not isinstance(schema, Mapping):
        yield f"{path} must be a schema object, got {type(schema).__name__}"
        return
    kind = schema.get("type")
    allowed = _OPENAPI_TYPES if openapi else _JSON_TYPES
    kinds = kind if isinstance(kind, list) and not openapi else [kind]
    for each in kinds:
        if each is not None and (not isinstance(each, str) or each not in allowed):
            yield f"{path}.type {each!r} is not one of {sorted(allowed)}"
    properties = schema.get("properties")
    if properties is not None:
        if not isinstance(properties, Mapping):
            yield f"{path}.properties must be an object"
        else:
            for name, sub in properties.items():
                yield from _schema_problems(sub, f"{path}.properties.{name}", openapi=openapi)
    required = schema.get("required")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(r, str) for r in required)
    ):
        yield f"{path}.required must be a list of property names"
    items = schema.get("items")
    if items is not None and not isinstance(items, bool):
        yield from _schema_problems(items, f"{path}.items", openapi=openapi)
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if options is not None:
            if not isinstance(options, list):
                yield f"{path}.{combinator} must be a list of schemas"
            else:
                for index, sub in enumerate(options):
                    yield from _schema_problems(
                        sub, f"{path}.{combinator}[{index}]", openapi=openapi
                    )


def _problems(part: Mapping[str, Any]) -> Iterator[str]:
    config = part.get("generationConfig") or {}
    for name in _RANGES:
        if name in config and config[name] is not None:
            problem = _number_problem(name, config[name])
            if problem:
                yield f"generationConfig.{name} {problem}"
    budget = (config.get("thinkingConfig") or {}).get("thinkingBudget")
    where = "generationConfig.thinkingConfig.thinkingBudget"
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        yield f"{where} must be a whole number, got {budget!r}"
    elif budget is not None and budget < -1:
        yield f"{where} must be -1 (dynamic) or more, got {budget}"
    for key, openapi in (("responseJsonSchema", False), ("responseSchema", True)):
        if config.get(key) is not None:
            yield from _schema_problems(config[key], f"generationConfig.{key}", openapi=openapi)
    for t, tool in enumerate(part.get("tools") or []):
        for f, declaration in enumerate((tool or {}).get("functionDeclarations") or []):
            where = f"tools[{t}].functionDeclarations[{f}]"
            name = declaration.get("name")
            if not isinstance(name, str) or not FUNCTION_NAME.match(name):
                yield (
                    f"{where}.name {name!r} is not a valid function name (a letter or _ first, "
                    "then letters, digits, _ . : -; at most 64 characters)"
                )
            for key, openapi in (("parametersJsonSchema", False), ("parameters", True)):
                if declaration.get(key) is not None:
                    yield from _schema_problems(declaration[key], f"{where}.{key}", openapi=openapi)


def check_settings(part: Mapping[str, Any]) -> None:
    """Refuse shared request settings Google would refuse (see the module docstring).

    Args:
        part: The wire fields beside `contents` (`generationConfig`, `tools`, ...).

    Raises:
        InvalidRequestError: The first problem found, naming the field.
    """
    for problem in _problems(part):
        raise InvalidRequestError(f"invalid settings: {problem}")
    found = find_unencodable(part)
    if found is not None:
        raise InvalidRequestError(f"invalid settings: {found[0]} {found[1]}")
