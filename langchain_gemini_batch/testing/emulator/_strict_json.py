r"""Strict JSON parsing, as Google's parser does it (Python's `json` is more lenient).

Refused with 400 INVALID_ARGUMENT `Invalid JSON payload received. Unexpected token.` followed by
an excerpt of the body around the offending token and a caret under it (Google's format):

- the literals `NaN`, `Infinity` and `-Infinity` (what `json.dumps(float("nan"))` writes, so a
  client that lets a NaN through gets this error from Google);
- a string holding a lone UTF-16 surrogate (`"\ud800"` not followed by a low surrogate);
- any other syntax error (Google's wording for some of them, e.g. an unexpected end of input, is
  different and not reproduced).

Bodies that are not UTF-8 are refused too. Which message Google gives for a lone surrogate is
unverified.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from typing import Any

from langchain_gemini_batch.testing.emulator._wire import ApiError, invalid_argument

__all__ = [
    "decode_strict",
    "gc_paused",
    "loads_strict",
    "may_hold_surrogates",
    "strict_json_problem",
]

_CONSTANT_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')
_SURROGATE_HINT = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")
_CONTEXT = 20


class _ConstantError(ValueError):
    pass


def _reject(name: str) -> Any:
    raise _ConstantError(name)


decode_strict = json.JSONDecoder(parse_constant=_reject).decode
"""`json.loads` refusing `NaN` and `Infinity` (raises `ValueError`; lone surrogates pass: see
`may_hold_surrogates`)."""


def may_hold_surrogates(data: bytes) -> bool:
    """Whether `data` holds an escaped surrogate: only then can a decoded string hold a lone one."""
    return _SURROGATE_HINT.search(data) is not None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused around a bulk decode or encode that makes no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def unexpected_token(text: str, position: int) -> str:
    """Google's message: the excerpt around `position` with a caret under it.

    Args:
        text: The body text.
        position: Index of the offending token.
    """
    start = max(0, position - _CONTEXT)
    excerpt = text[start : position + _CONTEXT].replace("\n", " ").replace("\r", " ")
    caret = " " * (position - start) + "^"
    return f"Invalid JSON payload received. Unexpected token.\n{excerpt}\n{caret}"


def _constant_position(text: str) -> int:
    for match in _CONSTANT_OR_STRING.finditer(text):
        if match.group(1):
            return match.start(1)
    return 0


def _lone_surrogate_position(text: str) -> int:
    escapes = [
        (m.start(2) - 1, int(m.group(2), 16))
        for m in _SURROGATE_ESCAPE.finditer(text)
        if len(m.group(1)) % 2 == 1  # the backslash itself is not escaped
    ]
    for index, (position, unit) in enumerate(escapes):
        following = escapes[index + 1] if index + 1 < len(escapes) else None
        if unit < 0xDC00:  # high: must be followed directly by a low one
            if following is None or following[0] != position + 6 or following[1] < 0xDC00:
                return position - 1
        elif index == 0 or escapes[index - 1][0] != position - 6 or escapes[index - 1][1] >= 0xDC00:
            return position - 1
    return 0


def _has_surrogate(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE_CHAR.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def strict_json_problem(data: bytes | str) -> tuple[Any, str | None]:
    """Parses strictly; returns `(value, None)` or `(None, Google's message)`.

    Args:
        data: The JSON text (bytes are decoded as UTF-8).
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        return None, f"Invalid JSON payload received. {exc}"
    try:
        value = decode_strict(text)
    except _ConstantError:
        return None, unexpected_token(text, _constant_position(text))
    except json.JSONDecodeError as exc:
        return None, unexpected_token(text, exc.pos)
    hint = _SURROGATE_HINT.search(data if isinstance(data, bytes) else data.encode())
    if hint is not None and _has_surrogate(value):
        return None, unexpected_token(text, max(0, _lone_surrogate_position(text)))
    return value, None


def loads_strict(body: bytes) -> Any:
    """Parses a request body strictly.

    Args:
        body: The raw body.

    Raises:
        ApiError: Google's 400 for anything its parser refuses.
    """
    value, problem = strict_json_problem(body)
    if problem is not None:
        raise _error(problem)
    return value


def _error(message: str) -> ApiError:
    return invalid_argument(message, [("", message)])
