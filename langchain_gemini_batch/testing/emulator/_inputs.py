"""Batch inputs: inline requests and JSONL lines, parsed and validated at create time.

Inline requests are checked as Google's parser does: an unknown field name, or a value
`_validation` refuses, anywhere in the list fails the whole create with one 400 naming every
path. In a JSONL file, a line that is not strict JSON, holds an unknown name or a refused value,
or has no `contents` becomes that request's error result (code 3 INVALID_ARGUMENT); the job
still runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import (
    KNOWN_INLINED_REQUEST_FIELDS,
    field,
    known_unknowns,
    unknown_request_fields,
)
from langchain_gemini_batch.testing.emulator._strict_json import (
    decode_strict,
    gc_paused,
    may_hold_surrogates,
    strict_json_problem,
)
from langchain_gemini_batch.testing.emulator._validation import (
    Violation,
    request_violations,
    violations_error,
)
from langchain_gemini_batch.testing.emulator._wire import invalid_argument

__all__ = [
    "GENERATE",
    "Fate",
    "InputItem",
    "RequestKind",
    "contents_problem",
    "parse_inline",
    "parse_jsonl",
]

Fate = tuple[int, str] | None
"""A request's fate: `None` to succeed, or the `(code, message)` of its error."""

_INPUT_PATH = "batch.input_config.requests.requests"


@dataclass
class InputItem:
    """One request of a batch job.

    Attributes:
        request: The GenerateContentRequest (`None` when the JSONL line was unusable).
        metadata: The inline item's `metadata`, echoed on its result (`None` when absent).
        key: The request's key (`metadata.key` inline, `key` in JSONL), for `fail_keys`.
        problem: An error decided at create time (a malformed JSONL line), or `None`.
    """

    request: Mapping[str, Any] | None
    metadata: Any = None
    key: str | None = None
    problem: Fate = None


def contents_problem(request: object) -> str | None:
    """Returns Google's message when a request has no `contents`, else `None`."""
    contents = field(request, "contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    return None


def _as_violations(found: list[Any]) -> list[Violation]:
    return [Violation(v.path, v.description) for v in found]


@dataclass(frozen=True)
class RequestKind:
    """What a batch's requests are and how they are checked.

    Attributes:
        owner: The create request's message, named in messages (`BatchGenerateContentRequest`).
        line_owner: One request's message, named in JSONL line errors
            (`GenerateContentRequest`).
        refused: `(request, path, owner, version) -> violations` (unknown names and values).
        missing: `(request, owner) -> message` when the request has nothing to work on.
    """

    owner: str
    line_owner: str
    refused: Callable[[object, str, str, str], list[Violation]]
    missing: Callable[[object, str], str | None]


def _generation_refused(request: object, path: str, owner: str, version: str) -> list[Violation]:
    found = _as_violations(unknown_request_fields(request, path))
    return found + request_violations(request, path, owner=owner, version=version)


GENERATE = RequestKind(
    owner="BatchGenerateContentRequest",
    line_owner="GenerateContentRequest",
    refused=_generation_refused,
    missing=lambda request, owner: contents_problem(request),
)


def parse_inline(
    requests: object, version: str = "v1beta", kind: RequestKind = GENERATE
) -> list[InputItem]:
    """Parses `inputConfig.requests.requests`, refusing what Google's parser refuses.

    Args:
        requests: The list of `{"request": ..., "metadata": ...}` items.
        version: `v1beta` or `v1` (appears in some messages).
        kind: Generation (the default) or embedding requests.

    Raises:
        ApiError: 400 when the list is missing or empty, or any item holds an unknown name or
            a refused value (all of them named, one per line).
    """
    if not isinstance(requests, list) or not requests:
        raise invalid_argument(
            f"* {kind.owner}.batch.input_config.requests.requests: requests must not be empty"
        )
    items: list[InputItem] = []
    violations: list[Violation] = []
    for index, entry in enumerate(requests):
        path = f"{_INPUT_PATH}[{index}]"
        violations += _as_violations(known_unknowns(entry, KNOWN_INLINED_REQUEST_FIELDS, path))
        request = field(entry, "request")
        violations += kind.refused(request, f"{path}.request", kind.owner, version)
        metadata = field(entry, "metadata")
        key = field(metadata, "key")
        problem = kind.missing(request, kind.line_owner)
        items.append(
            InputItem(
                request=request if isinstance(request, Mapping) else {},
                metadata=metadata,
                key=key if isinstance(key, str) else None,
                problem=(3, problem) if problem else None,
            )
        )
    if violations:
        raise violations_error(violations)
    return items


def _line_problem(request: object, version: str, kind: RequestKind) -> str | None:
    found = kind.refused(request, "", kind.line_owner, version)
    if found:
        return violations_error(found).message
    return kind.missing(request, kind.line_owner)


def parse_jsonl(
    data: bytes, version: str = "v1beta", kind: RequestKind = GENERATE
) -> list[InputItem]:
    """Parses a JSONL input file; a bad line becomes that request's error, not the job's.

    A line holding `{"key": ..., "request": {"contents": [...]}}` and nothing else is taken on a
    fast path (one strict decode, no checks that could not fail); any other line, and every line
    of a file that may hold escaped surrogates, goes through the full checks.

    Args:
        data: The file's bytes: one `{"key": ..., "request": {...}}` object per line.
        version: `v1beta` or `v1` (appears in some messages).
        kind: Generation (the default) or embedding requests.
    """
    items: list[InputItem] = []
    fast = kind is GENERATE and not may_hold_surrogates(data)
    with gc_paused():  # a million small dicts and no reference cycles
        for raw in data.decode("utf-8", errors="replace").splitlines():
            if not raw.strip():
                continue
            if fast:
                item = _plain_line(raw)
                if item is not None:
                    items.append(item)
                    continue
            items.append(_checked_line(raw, version, kind))
    return items


def _plain_line(raw: str) -> InputItem | None:
    try:
        line = decode_strict(raw)
    except ValueError:
        return None  # the full path says what is wrong with it
    if type(line) is not dict or len(line) != 2:
        return None
    key = line.get("key")
    request = line.get("request")
    if type(key) is not str or type(request) is not dict or len(request) != 1:
        return None
    contents = request.get("contents")
    if type(contents) is not list or not contents:
        return None
    return InputItem(request=request, key=key)


def _checked_line(raw: str, version: str, kind: RequestKind) -> InputItem:
    line, problem = strict_json_problem(raw)
    if problem is not None:
        return InputItem(request=None, problem=(3, problem))
    key = field(line, "key")
    key = key if isinstance(key, str) else None
    request = field(line, "request")
    problem = _line_problem(request, version, kind)
    return InputItem(
        request=request if isinstance(request, Mapping) else None,
        key=key,
        problem=(3, problem) if problem else None,
    )
